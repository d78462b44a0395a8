"""``newswatch feed …``: add (after fetching once), list, show, remove, import, export.

Does I/O (database, files).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit, urlunsplit
from urllib.request import url2pathname

import typer
from sqlalchemy.engine import Engine

from monitor.cli.console import ExitCode, emit, err, out, table, when
from monitor.cli.context import state
from monitor.clock import utcnow
from monitor.errors import ConfigError, FeedError, FetchError, NotFoundError, ParseError
from monitor.fetch.discovery import Discovery
from monitor.fetch.discovery import discover as discover_feed
from monitor.fetch.http import FetchPolicy, new_client
from monitor.parse.feed import parse_feed
from monitor.parse.opml import Outline, default_feeds, read_opml, write_opml
from storage.feeds import add_feed, find_feed, list_feeds, remove_feed
from storage.records import FeedRecord

app = typer.Typer(help="Manage the feeds that are polled.", no_args_is_help=True)


_FILE_SUFFIXES = (".xml", ".rss", ".atom", ".rdf", ".json", ".opml")
FORCE_HINT = "or add it unchecked with --force (its errors then show in `newswatch feed list`)"
JSON_HELP = "Print the list as JSON (the full values), not as a table."


def normalize_url(text: str) -> str:
    """``HTTP://News.Example/RSS`` as ``http://news.example/RSS``: scheme and host are not
    case-sensitive, so one feed is not added twice for the way it was typed."""
    parts = urlsplit(text)
    netloc = parts.netloc
    if parts.hostname:
        user, at, host = netloc.rpartition("@")
        netloc = f"{user}{at}{host.lower()}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def check_feed_url(url: str, allow_local: bool = True) -> str:
    """An absolute http(s) URL, or (for offline use) a local file; say how to fix it if not."""
    text = url.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    first = text.split("/", 1)[0]
    if not scheme and not Path(text).exists() and "." in first and " " not in text:
        if not first.startswith(".") and not first.lower().endswith(_FILE_SUFFIXES):
            raise ConfigError(  # news.example.org/rss: an address without its scheme
                f"'{url}' is not a feed address (no http:// or https://)",
                hint=f"did you mean https://{text}?",
            )
    looks_local = scheme == "file" or (not scheme and ("/" in text or Path(text).exists()))
    looks_local = looks_local or (not scheme and text.lower().endswith(_FILE_SUFFIXES))
    if allow_local and looks_local:
        path = Path(url2pathname(parts.path)) if scheme == "file" else Path(text)
        if not path.is_file():
            raise ConfigError(
                f"no file at {path}",
                hint="give the path of a saved feed file, or the feed's http(s) address",
            )
        return path.resolve().as_uri()
    if scheme not in ("http", "https") or not parts.hostname:
        hint = "give the full URL, e.g. https://example.com/rss.xml"
        if allow_local:
            hint += ", or the path of a feed file"
        raise ConfigError(f"'{url}' is not a feed address", hint=hint)
    return normalize_url(text)


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
    force: Annotated[
        bool,
        typer.Option("--force", help="Add the address as given, without fetching it first."),
    ] = False,
) -> None:
    """Add a feed (a feed URL, a site's page, or a local file), after fetching it once.

    What is not a feed (an error page, a page without feed links, an address that
    cannot be reached or is refused) is not added, unless --force.
    """
    target = check_feed_url(url)
    if force:
        err.print(f"added without checking: {target}", markup=False)
    else:
        target, found = _checked(target, discover)
        title = title or found
    engine = state.engine()
    record, created = add_feed(engine, target, utcnow(), title=title)
    verb = "added" if created else "already present"
    out.print(f"feed {record.id} {verb}: {record.url}", markup=False)
    if created:
        _drop_bundled(engine, keep=record.id)


def _checked(url: str, discover: bool) -> tuple[str, str]:
    """The feed address for ``url`` (its own, or the one its page links to) and its title.

    Raises the fetch or parse error, with a hint to fix it or to use --force.
    """
    settings = state.settings()
    policy = FetchPolicy(
        allow_private=settings.allow_private_networks,
        deadline=settings.fetch_timeout,
        max_bytes=settings.max_feed_bytes,
        user_agent=settings.user_agent,
    )

    async def run() -> Discovery:
        async with new_client(2) as client:
            return await discover_feed(url, policy, client, utcnow())

    try:
        found = asyncio.run(run())
    except (FetchError, ParseError) as exc:
        hint = f"{exc.hint}; {FORCE_HINT}" if exc.hint else FORCE_HINT
        raise type(exc)(f"not added: {url}: {exc.message}", url=url, hint=hint) from exc
    if found.is_feed:
        return found.url, found.title
    if not discover:
        raise ParseError(
            f"not added: {url} is a web page, not a feed",
            url=url,
            hint=f"it offers {found.links[0].url}; add that, or drop --no-discover",
        )
    first, *others = found.links
    out.print(f"{url} is a web page; it offers the {first.kind} feed {first.url}", markup=False)
    for other in others:
        out.print(f"  also offered: {other.url} ({other.kind}) {other.title}", markup=False)
    return first.url, ""  # the feed's own title arrives with its first poll


def _drop_bundled(engine: Engine, keep: int) -> None:
    """The bundled world-news feeds stood in while there were no feeds of one's own: once
    one is added, they go (their stories stay)."""
    bundled = {normalize_url(o.url) for o in default_feeds()}
    others = [f for f in list_feeds(engine) if f.id != keep]
    if not others or len(others) != len(bundled):
        return
    if {normalize_url(f.url) for f in others} != bundled:
        return
    for feed in others:
        remove_feed(engine, feed.id)
    err.print(
        f"removed the {len(others)} bundled world-news feeds that were polled while you had "
        "no feeds of your own (their stories stay); `newswatch feed import --bundled` "
        "brings them back",
        markup=False,
    )


@app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False) -> None:
    """Show every feed with its health (the last error and more: `feed show ID`)."""
    records = [
        {
            "id": f.id,
            "title": f.title,
            "url": f.url,
            "state": f.state,
            "state_reason": f.state_reason,
            "last_success": f.last_success_at,
            "last_error": f.last_error,
            "error_count": f.error_count,
            "items": f.item_count,
            "next_check": f.next_check_at,
        }
        for f in list_feeds(state.reader())
    ]
    emit(
        "feeds",
        [
            ("id", "id"),
            ("url", "url"),
            ("title", "title"),
            ("state", "state"),
            ("items", "items"),
            ("last_success", "last success"),
        ],
        records,
        as_json,
    )


@app.command("show")
def show(feed: Annotated[str, typer.Argument(help="The feed's URL or id.")]) -> None:
    """Show one feed in full: its health, last error and schedule."""
    f = _find(feed, reader=True)
    rows: list[list[object]] = [
        ["url", f.url],
        ["title", f.title or "-"],
        ["state", f.state],
        ["why", f.state_reason or ""],
        ["errors in a row", f.error_count],
        ["last error", f.last_error or ""],
        ["last error at", when(f.last_error_at)],
        ["last success", when(f.last_success_at)],
        ["last new item", when(f.last_new_item_at)],
        ["items", f.item_count],
        ["poll interval", f"{f.poll_interval // 60} min" if f.poll_interval else "default"],
        ["next check", when(f.next_check_at)],
    ]
    table(f"feed {f.id}", ["", ""], rows)


def _find(feed: str, reader: bool = False) -> FeedRecord:
    engine = state.reader() if reader else state.engine()
    record = find_feed(engine, feed)
    if record is None and "://" in feed:
        record = find_feed(engine, normalize_url(feed))
    if record is None:
        raise NotFoundError(f"no feed '{feed}'", hint="see `newswatch feed list` for URLs and ids")
    return record


@app.command("remove")
def remove(feed: Annotated[str, typer.Argument(help="The feed's URL or id.")]) -> None:
    """Stop polling a feed (its stored stories stay)."""
    record = _find(feed)
    remove_feed(state.engine(), record.id)
    out.print(f"feed {record.id} removed: {record.url}")


@app.command("import")
def import_(
    path: Annotated[Path | None, typer.Argument(help="An OPML file.")] = None,
    bundled: Annotated[
        bool, typer.Option("--bundled", help="The bundled world-news feeds instead of a file.")
    ] = False,
) -> None:
    """Add every feed of an OPML file (addresses are checked when they are first polled).

    Exits 3 when some entries were skipped, 1 when the file holds no usable feed.
    """
    if bundled == (path is not None):
        raise typer.BadParameter("give an OPML file, or --bundled")
    if path is None:
        outlines = default_feeds()
    else:
        outlines = _read_outlines(path)
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
        raise typer.Exit(ExitCode.PARTIAL if len(skipped) < len(outlines) else ExitCode.ERROR)


def _read_outlines(path: Path) -> list[Outline]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        outlines = read_opml(data, str(path))
    except ConfigError:
        outlines = []
        if not _is_feed(data, path):
            raise
    if outlines:
        return outlines
    if _is_feed(data, path):
        raise ConfigError(
            f"{path} is a feed, not an OPML list of feeds",
            hint=f"add it with `newswatch feed add {path}`",
        )
    raise ConfigError(
        f"{path}: no feeds in it (no <outline> with an xmlUrl)",
        hint="export the list again from your feed reader as OPML",
    )


def _is_feed(data: bytes, path: Path) -> bool:
    try:
        parse_feed(data, {}, path.resolve().as_uri(), utcnow())
    except FeedError:
        return False
    return True


@app.command("export")
def export() -> None:
    """Print every feed as OPML."""
    outlines = [Outline(f.url, f.title) for f in list_feeds(state.reader())]
    out.print(write_opml(outlines), end="", markup=False)
