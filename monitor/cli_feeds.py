"""``newswatch feed …``: add, list, remove, import and export feeds.

Does I/O (database, files).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer

from monitor.console import out, table, when
from monitor.context import state
from monitor.errors import ConfigError, NotFoundError
from monitor.ingest import utcnow
from monitor.opml import Outline, read_opml, write_opml
from storage.feeds import add_feed, find_feed, list_feeds, remove_feed

app = typer.Typer(help="Manage the feeds that are polled.", no_args_is_help=True)


def check_feed_url(url: str) -> str:
    """A feed address must be an absolute http(s) URL; say how to fix it if not."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"'{url}' is not a feed address",
            hint="give the full URL, e.g. https://example.com/rss.xml",
        )
    return url.strip()


@app.command("add")
def add(
    url: str,
    title: Annotated[str, typer.Option(help="A name to show instead of the feed's own.")] = "",
) -> None:
    """Add a feed; it is polled in the next cycle."""
    record, created = add_feed(state.engine(), check_feed_url(url), utcnow(), title=title)
    verb = "added" if created else "already present"
    out.print(f"feed {record.id} {verb}: {record.url}")


@app.command("list")
def list_() -> None:
    """Show every feed with its health."""
    rows = [
        [
            f.id,
            f.title or "-",
            f.url,
            f.state,
            when(f.last_success_at),
            f.last_error or "",
            f.item_count,
            when(f.next_check_at),
        ]
        for f in list_feeds(state.engine())
    ]
    table(
        "feeds",
        ["id", "title", "url", "state", "last success", "last error", "items", "next check"],
        rows,
    )


@app.command("remove")
def remove(feed: Annotated[str, typer.Argument(help="The feed's URL or id.")]) -> None:
    """Stop polling a feed (its stored stories stay)."""
    record = find_feed(state.engine(), feed)
    if record is None:
        raise NotFoundError(f"no feed '{feed}'", hint="see `newswatch feed list` for URLs and ids")
    remove_feed(state.engine(), record.id)
    out.print(f"feed {record.id} removed: {record.url}")


@app.command("import")
def import_(path: Path) -> None:
    """Add every feed of an OPML file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    outlines = read_opml(data, str(path))
    engine, now = state.engine(), utcnow()
    added = 0
    skipped: list[tuple[str, str]] = []
    for outline in outlines:
        try:
            _, created = add_feed(engine, check_feed_url(outline.url), now, title=outline.title)
        except ConfigError as exc:
            skipped.append((outline.url, exc.message))
            continue
        added += created
    out.print(f"{added} feeds added, {len(outlines) - added - len(skipped)} already present")
    if skipped:
        table("skipped", ["url", "reason"], skipped)


@app.command("export")
def export() -> None:
    """Print every feed as OPML."""
    outlines = [Outline(f.url, f.title) for f in list_feeds(state.engine())]
    out.print(write_opml(outlines), end="", markup=False)
