"""``newswatch stories …``: search, show and prune the stored stories.

Does I/O (the database, the terminal).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from monitor.cli.console import emit, err, out, table, when
from monitor.cli.context import state
from monitor.clock import utcnow
from monitor.config import parse_age
from monitor.errors import ConfigError, NotFoundError
from storage.clusters import cluster_view
from storage.retention import prune_stories
from storage.stories import get_story

app = typer.Typer(help="Look at stored stories.", no_args_is_help=True)


@app.command("search")
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


def moment(text: str, now: datetime, option: str) -> datetime:
    """``7d``, ``12h``, ``2w`` (that long before ``now``) or a date ``2026-04-05`` (UTC)."""
    try:
        return now - parse_age(text)
    except ConfigError:
        pass  # not an age: a date, then
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=UTC)
    except ValueError as exc:
        raise typer.BadParameter(
            f"'{text}' is neither an age (7d, 12h, 2w) nor a date (2026-04-05)",
            param_hint=f"'{option}'",
        ) from exc


@app.command("show")
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


@app.command("prune")
def prune(
    older_than: Annotated[str, typer.Option("--older-than", help="e.g. 90d")] = "90d",
) -> None:
    """Delete stories older than the given age; their keys stay so they never alert again."""
    now = utcnow()
    summary = prune_stories(state.engine(), now - parse_age(older_than), now)
    out.print(f"{summary.stories} stories pruned, {summary.tombstones} identity keys kept")
