"""``newswatch match``, ``newswatch dedup`` and ``newswatch stories …``: batch tools.

Does I/O (files, stdout, database). ``match`` and ``dedup`` run exactly the
daemon's matcher and deduplicator over JSON Lines.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, TextIO

import typer

from monitor.cli.console import emit, err, out, table, when
from monitor.cli.context import state
from monitor.clock import utcnow
from monitor.errors import ConfigError, NotFoundError, UnknownWatchlistError
from storage.clusters import cluster_view
from storage.stories import get_story
from watchlists.builtin import builtin_watchlists
from watchlists.loader import parse_watchlist
from watchlists.matcher import Matcher, compile_watchlists
from watchlists.model import Watchlist

stories_app = typer.Typer(help="Look at stored stories.", no_args_is_help=True)


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


def _database_exists() -> bool:
    settings = state.settings()
    url = settings.effective_database_url
    if not url.startswith("sqlite"):
        return True
    return Path(url.split("///", 1)[-1]).is_file()


def match_watchlists(names: list[str]) -> list[Watchlist]:
    """The stored, enabled watchlists if this data directory has a database; else the built-ins."""
    if _database_exists():
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


@stories_app.command("search")
def search(
    query: Annotated[
        str,
        typer.Argument(
            help="Words that must all occur in the title or summary; word* is a prefix."
        ),
    ],
    limit: Annotated[int, typer.Option("--limit", min=1, help="Stories to show.")] = 50,
    watchlist: Annotated[
        str | None, typer.Option("--watchlist", "-w", help="Only stories this watchlist matched.")
    ] = None,
    feed: Annotated[
        str | None, typer.Option("--feed", help="Only from this feed (URL or id).")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="First seen since: 7d, 12h, or 2026-04-05.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="First seen before: 2026-04-30, or 2d.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the stories as JSON.")] = False,
) -> None:
    """Full-text search of stored stories (titles and summaries), best match first."""
    from storage.feeds import find_feed
    from storage.search import StoryQuery, search_stories

    engine, now = state.reader(), utcnow()
    feed_id = None
    if feed is not None:
        record = find_feed(engine, feed)
        if record is None:
            raise NotFoundError(f"no feed '{feed}'", hint="see `newswatch feed list`")
        feed_id = record.id
    wanted = StoryQuery(
        query,
        watchlist=watchlist,
        feed_id=feed_id,
        since=moment(since, now, "--since") if since else None,
        until=moment(until, now, "--until") if until else None,
    )
    found = search_stories(engine, wanted, limit)
    records = [
        {
            "id": s.id,
            "first_seen": s.first_seen_at,
            "source": s.source,
            "title": s.title,
            "url": s.url,
        }
        for s in found.stories
    ]
    emit(
        f"stories matching '{query}'",
        [("id", "id"), ("first_seen", "first seen"), ("source", "source"), ("title", "title")],
        records,
        as_json,
    )
    if found.total > len(found.stories) and not as_json:
        err.print(
            f"showing {len(found.stories)} of {found.total} stories; --limit {found.total} "
            "shows them all, or narrow with --watchlist, --feed, --since",
            markup=False,
        )


_AGE = re.compile(r"^(\d+)\s*([dhw])$")


def moment(text: str, now: datetime, option: str) -> datetime:
    """``7d``, ``12h``, ``2w`` (that long before ``now``) or a date ``2026-04-05`` (UTC)."""
    age = _AGE.match(text.strip().lower())
    if age:
        amount, unit = int(age.group(1)), age.group(2)
        unit_name = {"d": "days", "h": "hours", "w": "weeks"}[unit]
        return now - timedelta(**{unit_name: amount})
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=UTC)
    except ValueError as exc:
        raise typer.BadParameter(
            f"'{text}' is neither an age (7d, 12h, 2w) nor a date (2026-04-05)",
            param_hint=f"'{option}'",
        ) from exc


@stories_app.command("show")
def show(story_id: int) -> None:
    """Show one stored story, every source of its cluster and the watchlists it matched."""
    story = get_story(state.engine(), story_id)
    if story is None:
        raise NotFoundError(f"no story {story_id}", hint="find ids with `newswatch stories search`")
    rows = [
        ["title", story.title],
        ["url", story.url],
        ["source", story.source],
        ["published", when(story.published_at)],
        ["first seen", when(story.first_seen_at)],
        ["cluster", story.cluster_key],
        ["summary", story.summary],
    ]
    table(f"story {story.id}", ["", ""], rows)
    cluster = cluster_view(state.engine(), story.cluster_key)
    table(
        f"reported by {len({s.source for s in cluster.sources})} source(s)",
        ["story", "source", "first seen", "title", "url"],
        [
            [
                f"{s.story_id}{' (backlog: not alerted)' if s.backlog else ''}",
                s.source,
                when(s.seen_at),
                s.title,
                s.url,
            ]
            for s in cluster.sources
        ],
    )
    table(
        "watchlists matched",
        ["watchlist", "version", "score", "story"],
        [[m.watchlist, m.watchlist_version, f"{m.score:.2f}", m.story_id] for m in cluster.matches],
    )
    out.print()
