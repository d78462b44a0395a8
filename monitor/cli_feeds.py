"""``newswatch feed …``: add, list, remove, import and export feeds.

Does I/O (database, files).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from urllib.request import url2pathname

import typer

from monitor.clock import utcnow
from monitor.console import err, out, table, when
from monitor.context import state
from monitor.discovery import Discovery, discover
from monitor.errors import ConfigError, FetchError, NotFoundError, ParseError
from monitor.fetch import FetchPolicy, new_client
from monitor.opml import Outline, read_opml, write_opml
from storage.feeds import add_feed, find_feed, list_feeds, remove_feed

app = typer.Typer(help="Manage the feeds that are polled.", no_args_is_help=True)


def check_feed_url(url: str, allow_local: bool = True) -> str:
    """An absolute http(s) URL, or (for offline use) a local file; say how to fix it if not."""
    text = url.strip()
    parts = urlsplit(text)
    if allow_local and (parts.scheme == "file" or (not parts.scheme and Path(text).is_file())):
        path = Path(url2pathname(parts.path)) if parts.scheme == "file" else Path(text)
        if not path.is_file():
            raise ConfigError(f"no file at {path}", hint="give the path of a saved feed file")
        return path.resolve().as_uri()
    if parts.scheme not in ("http", "https") or not parts.hostname:
        hint = "give the full URL, e.g. https://example.com/rss.xml"
        if allow_local:
            hint += ", or the path of a feed file"
        raise ConfigError(f"'{url}' is not a feed address", hint=hint)
    return text


@app.command("add")
def add(
    url: str,
    title: Annotated[str, typer.Option(help="A name to show instead of the feed's own.")] = "",
    discover: Annotated[
        bool,
        typer.Option(
            "--discover/--no-discover",
            help="Read a web page's <link rel=alternate> to find its feed (default).",
        ),
    ] = True,
) -> None:
    """Add a feed (a feed URL, a site's page, or a local file); it is polled next cycle."""
    target = check_feed_url(url)
    if discover and target.startswith(("http://", "https://")):
        target, found = _discovered(target)
        title = title or found
    record, created = add_feed(state.engine(), target, utcnow(), title=title)
    verb = "added" if created else "already present"
    out.print(f"feed {record.id} {verb}: {record.url}", markup=False)


def _discovered(url: str) -> tuple[str, str]:
    """The feed address for ``url`` and its title; the URL itself when it cannot be checked."""
    settings = state.settings()
    policy = FetchPolicy(
        allow_private=settings.allow_private_networks,
        deadline=settings.fetch_timeout,
        max_bytes=settings.max_feed_bytes,
        user_agent=settings.user_agent,
    )

    async def run() -> Discovery:
        async with new_client(2) as client:
            return await discover(url, policy, client)

    try:
        found = asyncio.run(run())
    except (FetchError, ParseError) as exc:
        # Added anyway: a server may be down today; the feed's row will show why it fails.
        err.print(f"could not find a feed at {url} ({exc.message}); added as given", markup=False)
        return url, ""
    if found.is_feed:
        return found.url, found.title
    first, *others = found.links
    out.print(f"{url} is a web page; it offers the {first.kind} feed {first.url}", markup=False)
    for other in others:
        out.print(f"  also offered: {other.url} ({other.kind}) {other.title}", markup=False)
    return first.url, ""  # the feed's own title arrives with its first poll


@app.command("list")
def list_() -> None:
    """Show every feed with its health."""
    rows = [
        [
            f.id,
            f.title or "-",
            f.url,
            f.state if f.state in ("healthy", "new") else f"{f.state}: {f.state_reason or ''}",
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
            url = check_feed_url(outline.url, allow_local=False)
            _, created = add_feed(engine, url, now, title=outline.title)
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
