"""``newswatch match``, ``newswatch dedup`` and ``newswatch backtest``: batch tools.

Does I/O (files, stdout, database). ``match`` and ``dedup`` run exactly the
daemon's matcher and deduplicator over JSON Lines; ``backtest`` runs a
watchlist over the stored stories.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.markup import escape
from rich.progress import track

from monitor.cli.console import err, out, table, when
from monitor.cli.context import database_exists, state
from monitor.cli.watchlists import stored_text
from monitor.clock import utcnow
from monitor.config import parse_age
from monitor.errors import ConfigError, UnknownWatchlistError
from storage.records import StoredStory
from storage.stories import recent_stories
from watchlists.builtin import builtin_watchlists
from watchlists.loader import parse_watchlist
from watchlists.matcher import Matcher, compile_watchlists
from watchlists.model import Watchlist
from watchlists.nearmiss import StoryText, near_misses


@contextmanager
def _lines(path: Path) -> Iterator[TextIO]:
    if str(path) == "-":
        yield sys.stdin
        return
    try:
        handle = open(path, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    with handle:
        yield handle


def match_watchlists(names: list[str]) -> list[Watchlist]:
    """The stored, enabled watchlists if this data directory has a database; else the built-ins."""
    if database_exists(state.settings()):
        from storage.watchlist_store import list_watchlists

        chosen = [
            parse_watchlist(r.text, r.name)
            for r in list_watchlists(state.engine())
            if r.enabled or r.name in names
        ]
    else:
        chosen = builtin_watchlists()
    if names:
        known = {w.name for w in chosen}
        missing = [n for n in names if n not in known]
        if missing:
            raise UnknownWatchlistError(
                f"no watchlist {', '.join(missing)}", hint=f"known: {', '.join(sorted(known))}"
            )
        chosen = [w for w in chosen if w.name in names]
    return chosen


def match(
    file: Annotated[Path, typer.Argument(help="Stories as JSON Lines ('-' for stdin).")],
    watchlist: Annotated[
        list[str] | None, typer.Option("--watchlist", "-w", help="Only these watchlists.")
    ] = None,
) -> None:
    """Match stories (id, title, summary[, language]) and print one JSON line per story."""
    matcher = compile_watchlists(match_watchlists(watchlist or []))
    bad = _run_match(matcher, file, sys.stdout)
    if bad:
        raise typer.Exit(1)


def _run_match(matcher: Matcher, file: Path, sink: TextIO) -> int:
    bad = 0
    buffer: list[str] = []
    with _lines(file) as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                story = json.loads(line)
                if not isinstance(story, dict):
                    raise ValueError("not a JSON object")
                found = matcher.match(
                    str(story.get("title") or ""),
                    str(story.get("summary") or ""),
                    story.get("language"),
                )
            except ValueError as exc:
                bad += 1
                err.print(f"{file}:{number}: skipped, {exc}", markup=False)
                continue
            result = {"id": story.get("id"), "matches": [m.to_dict() for m in found]}
            buffer.append(json.dumps(result, ensure_ascii=False))
            if len(buffer) >= 512:
                sink.write("\n".join(buffer) + "\n")
                buffer.clear()
    if buffer:
        sink.write("\n".join(buffer) + "\n")
    return bad


def dedup(
    file: Annotated[Path, typer.Argument(help="Stories as JSON Lines ('-' for stdin).")],
) -> None:
    """Cluster stories in order; print {"id", "cluster"} per story (the daemon's logic)."""
    from monitor.dedup.batch import dedup_jsonl

    with _lines(file) as lines:
        for result in dedup_jsonl(lines):
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


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
    matcher = compile_watchlists([parse_watchlist(stored_text(name), name)])
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
