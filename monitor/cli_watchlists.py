"""``newswatch watchlist …``: list, show, add, export, enable, disable, remove, test.

Does I/O (database, files). A file is validated completely before anything
is saved: a bad file changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from monitor.clock import utcnow
from monitor.console import out, table, when
from monitor.context import state
from monitor.errors import ConfigError, UnknownWatchlistError
from storage.watchlist_store import (
    delete_watchlist,
    get_watchlist,
    list_watchlists,
    save_watchlist,
    set_enabled,
)
from watchlists.loader import parse_watchlist
from watchlists.matcher import compile_watchlists

app = typer.Typer(help="Manage watchlists: what stories are matched against.", no_args_is_help=True)


def _require(name: str) -> str:
    record = get_watchlist(state.engine(), name)
    if record is None:
        known = ", ".join(w.name for w in list_watchlists(state.engine())) or "none"
        raise UnknownWatchlistError(f"no watchlist '{name}'", hint=f"known watchlists: {known}")
    return record.text


@app.command("list")
def list_() -> None:
    """Show every watchlist."""
    rows = []
    for record in list_watchlists(state.engine()):
        try:
            description = parse_watchlist(record.text, record.name).description
        except ValueError:
            description = "(invalid: fix with `watchlist add`)"
        rows.append(
            [
                record.name,
                record.version,
                "yes" if record.enabled else "no",
                "built-in" if record.builtin else "",
                when(record.updated_at),
                description,
            ]
        )
    table("watchlists", ["name", "version", "enabled", "", "updated", "description"], rows)


@app.command("show")
def show(name: str) -> None:
    """Print a watchlist's YAML."""
    out.print(_require(name), end="", markup=False)


@app.command("export")
def export(name: str) -> None:
    """Print a watchlist's YAML, for editing or for another installation."""
    show(name)


@app.command("add")
def add(path: Path) -> None:
    """Add (or replace) a watchlist from a YAML file, after validating it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    watchlist = parse_watchlist(text, str(path))
    record = save_watchlist(state.engine(), watchlist.name, text, utcnow())
    out.print(f"watchlist {record.name} saved (version {record.version})")


@app.command("import")
def import_(path: Path) -> None:
    """Same as add: validate a YAML file and store it."""
    add(path)


@app.command("remove")
def remove(name: str) -> None:
    """Delete a watchlist (its stored matches stay)."""
    _require(name)
    delete_watchlist(state.engine(), name)
    out.print(f"watchlist {name} removed")


@app.command("enable")
def enable(name: str) -> None:
    """Match stories against this watchlist again."""
    _require(name)
    set_enabled(state.engine(), name, True)
    out.print(f"watchlist {name} enabled")


@app.command("disable")
def disable(name: str) -> None:
    """Stop matching stories against this watchlist (it is kept)."""
    _require(name)
    set_enabled(state.engine(), name, False)
    out.print(f"watchlist {name} disabled")


@app.command("test")
def test(
    name: str,
    text: Annotated[str | None, typer.Option("--text", help="A headline and summary.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="A text file to test.")] = None,
    title: Annotated[str, typer.Option("--title", help="A headline, tested as the title.")] = "",
    url: Annotated[str | None, typer.Option("--url", help="A web page to test.")] = None,
) -> None:
    """Show whether and why a text matches a watchlist (and, if not, why not)."""
    if text is None and file is None and url is None and not title:
        raise ConfigError("nothing to test", hint="give --text, --title, --file or --url")
    body = text or ""
    if file is not None or url is not None:
        from monitor.documents import load_documents
        from watchlists.textformats import to_plain

        reference = str(file) if file is not None else str(url)
        (source,) = load_documents([reference], state.settings())
        body = to_plain(source.text, source.format, source.name).text
    matcher = compile_watchlists([parse_watchlist(_require(name), name)])
    found = matcher.match(title, body, None)
    if not found:
        out.print(f"no match for {name}", markup=False)
        out.print(matcher.diagnose(name, title, body, None).explain(), markup=False)
        raise typer.Exit(1)
    for match in found:
        out.print(f"match: {match.watchlist} score {match.score:.2f}")
        rows = []
        for hit in match.hits:
            field_text = title if hit.field == "title" else body
            context = field_text[max(0, hit.start - 30) : hit.end + 30]
            rows.append([hit.term, hit.group, hit.field, f"{hit.similarity:.2f}", context])
        table("terms", ["term", "group", "field", "closeness", "context"], rows)


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the watchlist format."""
    from watchlists.schema import watchlist_json_schema

    out.print(json.dumps(watchlist_json_schema(), indent=2), markup=False)


@app.command("build")
def build(
    documents: Annotated[
        list[str],
        typer.Argument(help="Text, Markdown, HTML or wikitext files, or http(s) URLs."),
    ],
    name: Annotated[str, typer.Option("--name", help="The draft's name, e.g. quito-raid.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the YAML here, not to stdout.")
    ] = None,
    max_names: Annotated[
        int, typer.Option("--max-names", min=0, help="Keep the best N names.")
    ] = 80,
    max_phrases: Annotated[
        int, typer.Option("--max-phrases", min=0, help="Keep the best N key phrases.")
    ] = 25,
) -> None:
    """Draft a watchlist from documents: events, what they happened to, names, terms of art."""
    from monitor.console import err
    from monitor.documents import load_documents
    from watchlists.builder import build_watchlist_yaml, check_name

    check_name(name)
    sources = load_documents(documents, state.settings())
    text = build_watchlist_yaml(sources, name, max_names, max_phrases)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {output}: {exc.strerror or exc}") from exc
    err.print(f"draft watchlist {name} written to {output}: review it, then `watchlist add`")
