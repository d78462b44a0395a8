"""``newswatch feed …``: add (after fetching once), list, show, remove, import, export.

Does I/O (database, files).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import Engine

from monitor.cli.console import ExitCode, emit, err, out, table, when
from monitor.cli.context import state
from monitor.clock import utcnow
from monitor.errors import ConfigError, FeedError, FetchError, NotFoundError, ParseError
from monitor.fetch.feed_list import (
    check_feed_url,
    discover_feed,
    drop_bundled,
    import_outlines,
    normalize_url,
)
from monitor.parse.feed import parse_feed
from monitor.parse.opml import Outline, default_feeds, read_opml, write_opml
from storage.feeds import add_feed, find_feed, list_feeds, remove_feed
from storage.records import FeedRecord

app = typer.Typer(help="Manage the feeds that are polled.", no_args_is_help=True)


FORCE_HINT = "or add it unchecked with --force (its errors then show in `newswatch feed list`)"
JSON_HELP = "Print the list as JSON (the full values), not as a table."


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
    try:
        found = discover_feed(url, state.settings(), utcnow())
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
    dropped = drop_bundled(engine, keep)
    if dropped:
        err.print(
            f"removed the {dropped} bundled world-news feeds that were polled while you had "
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
    done = import_outlines(state.engine(), outlines, utcnow())
    out.print(f"{done.added} feeds added, {done.present} already present")
    if done.skipped:
        table("skipped", ["url", "reason"], done.skipped)
        partial = len(done.skipped) < len(outlines)
        raise typer.Exit(ExitCode.PARTIAL if partial else ExitCode.ERROR)


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
