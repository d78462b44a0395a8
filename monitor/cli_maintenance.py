"""``watchlist edit | reset``, ``backtest`` and ``stories prune``: looking after what is stored.

Does I/O (database, editor, terminal). Registers its commands on the
``watchlist`` and ``stories`` command groups.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from monitor.cli_tools import stories_app
from monitor.cli_watchlists import app as watchlist_app
from monitor.clock import utcnow
from monitor.console import out, table, when
from monitor.context import state
from monitor.errors import ConfigError, UnknownWatchlistError, WatchlistError
from storage.retention import prune_stories
from storage.stories import recent_stories
from storage.watchlist_store import get_watchlist, save_watchlist
from watchlists.builtin import builtin_watchlist_texts
from watchlists.loader import parse_watchlist
from watchlists.matcher import compile_watchlists

_AGE = re.compile(r"^(\d+)\s*([dhw])$")


def parse_age(text: str) -> timedelta:
    """``90d``, ``12h`` or ``2w`` as a duration."""
    match = _AGE.match(text.strip().lower())
    if not match:
        raise ConfigError(f"'{text}' is not an age", hint="write it like 90d, 12h or 2w")
    amount, unit = int(match.group(1)), match.group(2)
    return {
        "d": timedelta(days=amount),
        "h": timedelta(hours=amount),
        "w": timedelta(weeks=amount),
    }[unit]


def _stored_text(name: str) -> str:
    record = get_watchlist(state.engine(), name)
    if record is None:
        raise UnknownWatchlistError(f"no watchlist '{name}'", hint="see `newswatch watchlist list`")
    return record.text


@watchlist_app.command("edit")
def edit(name: str) -> None:
    """Open a watchlist in $EDITOR; it is saved only if it validates."""
    text = _stored_text(name)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        while True:
            subprocess.run([*shlex.split(editor), str(path)], check=False)
            edited = path.read_text(encoding="utf-8")
            if edited == text:
                out.print("no change")
                return
            try:
                watchlist = parse_watchlist(edited, str(path))
            except WatchlistError as exc:
                out.print(f"not saved: {exc.message}", markup=False)
                if exc.hint:
                    out.print(f"hint: {exc.hint}", markup=False)
                if not typer.confirm("edit again?", default=True):
                    raise typer.Exit(1) from exc
                continue
            if watchlist.name != name:
                raise ConfigError(
                    f"the file renames the watchlist to '{watchlist.name}'",
                    hint="keep the name, or save it as a new watchlist with `watchlist add`",
                )
            record = save_watchlist(state.engine(), name, edited, utcnow())
            out.print(f"watchlist {name} saved (version {record.version})")
            return


@watchlist_app.command("reset")
def reset(name: str) -> None:
    """Put a built-in watchlist back to the shipped version (a new version is recorded)."""
    shipped = builtin_watchlist_texts()
    if name not in shipped:
        raise UnknownWatchlistError(
            f"'{name}' is not a built-in watchlist", hint=f"built-ins: {', '.join(sorted(shipped))}"
        )
    record = save_watchlist(state.engine(), name, shipped[name], utcnow(), builtin=True)
    out.print(f"watchlist {name} reset to the shipped text (version {record.version})")


def backtest(
    name: str,
    since: Annotated[str, typer.Option("--since", help="How far back, e.g. 30d.")] = "30d",
    limit: Annotated[int, typer.Option("--limit", help="Rows to show.")] = 50,
) -> None:
    """Run a watchlist over stored stories and show what it would have sent."""
    matcher = compile_watchlists([parse_watchlist(_stored_text(name), name)])
    stories = recent_stories(state.engine(), utcnow() - parse_age(since))
    rows = []
    for story in stories:
        for match in matcher.match(story.title, story.summary, story.language):
            rows.append(
                [
                    story.id,
                    when(story.first_seen_at),
                    f"{match.score:.2f}",
                    ", ".join(match.terms),
                    story.title,
                ]
            )
    out.print(f"{name}: {len(rows)} of {len(stories)} stored stories since {since} would match")
    table("would have matched", ["story", "first seen", "score", "terms", "title"], rows[-limit:])


@stories_app.command("prune")
def prune(
    older_than: Annotated[str, typer.Option("--older-than", help="e.g. 90d")] = "90d",
) -> None:
    """Delete stories older than the given age; their keys stay so they never alert again."""
    now = utcnow()
    summary = prune_stories(state.engine(), now - parse_age(older_than), now)
    out.print(f"{summary.stories} stories pruned, {summary.tombstones} identity keys kept")
