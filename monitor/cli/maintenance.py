"""``watchlist edit | reset``, ``backtest`` and ``stories prune``: looking after what is stored.

Does I/O (database, editor, terminal). Registers its commands on the
``watchlist`` and ``stories`` command groups.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import track

from monitor.cli.console import ExitCode, err, out, table, when
from monitor.cli.context import state
from monitor.cli.tools import stories_app
from monitor.cli.watchlists import app as watchlist_app
from monitor.clock import utcnow
from monitor.config import parse_age
from monitor.errors import ConfigError, UnknownWatchlistError, WatchlistError
from storage.records import StoredStory
from storage.retention import prune_stories
from storage.stories import recent_stories
from storage.watchlist_store import get_watchlist, save_watchlist
from watchlists.builtin import builtin_watchlist_texts
from watchlists.loader import parse_watchlist
from watchlists.matcher import Matcher, compile_watchlists
from watchlists.nearmiss import StoryText, near_misses


def _stored_text(name: str) -> str:
    record = get_watchlist(state.engine(), name)
    if record is None:
        raise UnknownWatchlistError(f"no watchlist '{name}'", hint="see `newswatch watchlist list`")
    return record.text


@watchlist_app.command("edit")
def edit(name: str) -> None:
    """Open a watchlist in $EDITOR; it is saved only if it validates.

    Edits that are not saved (invalid, and not edited again; or the editor
    failed) are kept in NAME.draft.yaml in the current folder, and the path is
    printed.
    """
    text = _stored_text(name)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        while True:
            try:
                done = subprocess.run([*shlex.split(editor), str(path)], check=False)
            except OSError as exc:
                raise ConfigError(
                    f"cannot start the editor '{editor}' ({exc.strerror})",
                    hint="set VISUAL or EDITOR to an editor installed here, e.g. EDITOR=nano",
                ) from exc
            edited = path.read_text(encoding="utf-8")
            if done.returncode != 0:
                kept = f"; your edits are in {_keep_draft(name, edited)}" if edited != text else ""
                raise ConfigError(
                    f"the editor '{editor}' exited with status {done.returncode}: nothing saved"
                    + kept,
                    hint="fix the editor (VISUAL or EDITOR), or `newswatch watchlist add FILE`",
                )
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
                    draft = _keep_draft(name, edited)
                    err.print(
                        f"not saved; your edits are in {draft}: fix them, then "
                        f"`newswatch watchlist add {draft}`",
                        markup=False,
                    )
                    raise typer.Exit(ExitCode.ERROR) from exc
                continue
            if watchlist.name != name:
                draft = _keep_draft(name, edited)
                raise ConfigError(
                    f"the file renames the watchlist to '{watchlist.name}': not saved "
                    f"(your edits are in {draft})",
                    hint="keep the name, or save it as a new watchlist with `watchlist add`",
                )
            record = save_watchlist(state.engine(), name, edited, utcnow())
            out.print(f"watchlist {name} saved (version {record.version})")
            return


def _keep_draft(name: str, text: str) -> Path:
    """Write unsaved edits where the user will find them: the current folder, else /tmp."""
    for number in range(100):
        candidate = Path.cwd() / (
            f"{name}.draft.yaml" if not number else f"{name}.draft{number}.yaml"
        )
        try:
            with candidate.open("x", encoding="utf-8") as handle:
                handle.write(text)
            return candidate
        except FileExistsError:
            continue
        except OSError:
            break
    handle_fd, fallback = tempfile.mkstemp(prefix=f"{name}.", suffix=".draft.yaml")
    with os.fdopen(handle_fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return Path(fallback)


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
    limit: Annotated[int, typer.Option("--limit", min=0, help="Rows to show.")] = 50,
    near: Annotated[
        bool,
        typer.Option(
            "--near-misses", help="Stories with the watchlist's concepts that did not match."
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON document, for scripts.")
    ] = False,
) -> None:
    """Run a watchlist over stored stories and show what it would have sent (or nearly)."""
    matcher = compile_watchlists([parse_watchlist(_stored_text(name), name)])
    stories = recent_stories(state.engine(), utcnow() - parse_age(since))
    if near:
        _near_misses(name, matcher, stories, since, limit, as_json)
        return
    found = [
        (story, match)
        for story in stories
        for match in matcher.match(story.title, story.summary, story.language)
    ]
    shown = found[-limit:] if limit else []
    if as_json:
        payload = {
            "watchlist": name,
            "since": since,
            "stories": len(stories),
            "matched": len(found),
            "matches": [
                {"story": s.id, "first_seen": s.first_seen_at.isoformat(), "title": s.title,
                 **m.to_dict()}
                for s, m in shown
            ],
        }  # fmt: skip
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    rows = [
        [s.id, when(s.first_seen_at), f"{m.score:.2f}", ", ".join(m.terms), s.title]
        for s, m in shown
    ]
    out.print(f"{name}: {len(found)} of {len(stories)} stored stories since {since} would match")
    table("would have matched", ["story", "first seen", "score", "terms", "title"], rows)


def _near_misses(
    name: str,
    matcher: Matcher,
    stories: Sequence[StoredStory],
    since: str,
    limit: int,
    as_json: bool,
) -> None:
    by_key = {str(story.id): story for story in stories}
    texts = [  # newest first, so that among equally close stories the newest shows first
        StoryText(str(s.id), s.title, s.summary, s.language) for s in reversed(stories)
    ]
    progress = track(
        texts, description="checking stored stories", console=err, transient=True
    )  # on stderr, so that --json output stays clean
    misses = near_misses(matcher, name, progress)
    shown = misses[:limit]
    if as_json:
        payload = {
            "watchlist": name,
            "since": since,
            "stories": len(stories),
            "near_misses": len(misses),
            "shown": [
                {**miss.to_dict(), "first_seen": by_key[miss.story.key].first_seen_at.isoformat()}
                for miss in shown
            ],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    out.print(
        f"{name}: {len(misses)} of {len(stories)} stored stories since {since} carry its"
        " concepts but did not match (closest first)",
        markup=False,
    )
    rows = [
        [
            miss.story.key,
            when(by_key[miss.story.key].first_seen_at),
            f"{miss.closeness:.2f}",
            escape(miss.rule),
            escape(miss.reason),
            escape(miss.found()),
            escape(miss.story.title),
        ]
        for miss in shown
    ]
    table(
        "near misses",
        ["story", "first seen", "closeness", "closest rule", "why not", "found", "title"],
        rows,
    )


@stories_app.command("prune")
def prune(
    older_than: Annotated[str, typer.Option("--older-than", help="e.g. 90d")] = "90d",
) -> None:
    """Delete stories older than the given age; their keys stay so they never alert again."""
    now = utcnow()
    summary = prune_stories(state.engine(), now - parse_age(older_than), now)
    out.print(f"{summary.stories} stories pruned, {summary.tombstones} identity keys kept")
