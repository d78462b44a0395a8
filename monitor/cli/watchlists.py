"""``newswatch watchlist …``: list, show, add, export, enable, disable, remove, test, edit, reset.

Does I/O (database, files, the editor). A file or an edit is validated
completely before anything is saved: a bad one changes nothing.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from monitor.cli.console import ExitCode, day, emit, err, out, table
from monitor.cli.context import state
from monitor.clock import utcnow
from monitor.errors import ConfigError, UnknownWatchlistError, WatchlistError
from storage.subscriptions import list_subscriptions
from storage.watchlist_store import (
    delete_watchlist,
    get_watchlist,
    list_watchlists,
    save_watchlist,
    set_enabled,
)
from watchlists.builtin import builtin_watchlist_texts
from watchlists.loader import parse_watchlist
from watchlists.matcher import Matcher, compile_watchlists

app = typer.Typer(help="Manage watchlists: what stories are matched against.", no_args_is_help=True)


def _require(name: str, reader: bool = False) -> str:
    engine = state.reader() if reader else state.engine()
    record = get_watchlist(engine, name)
    if record is None:
        known = ", ".join(w.name for w in list_watchlists(engine)) or "none"
        raise UnknownWatchlistError(f"no watchlist '{name}'", hint=f"known watchlists: {known}")
    return record.text


JSON_HELP = "Print the list as JSON (the full values), not as a table."


@app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False) -> None:
    """Show every watchlist (its whole text with `watchlist show NAME`)."""
    records = []
    for record in list_watchlists(state.reader()):
        try:
            description = parse_watchlist(record.text, record.name).description
        except ValueError:
            description = "(invalid: fix with `watchlist add`)"
        records.append(
            {
                "name": record.name,
                "version": record.version,
                "enabled": record.enabled,
                "builtin": record.builtin,
                "updated": record.updated_at,
                "description": " ".join(description.split()),
            }
        )
    if as_json:
        emit("watchlists", [], records, as_json=True)
        return
    for r in records:
        r["enabled"] = "yes" if r["enabled"] else "no"
        r["builtin"] = "built-in" if r["builtin"] else "own"
        r["updated"] = day(r["updated"])  # type: ignore[arg-type]
    emit(
        "watchlists",
        [
            ("name", "name"),
            ("version", "ver"),
            ("enabled", "on"),
            ("builtin", "kind"),
            ("updated", "updated"),
            ("description", "description"),
        ],
        records,
        as_json=False,
    )


@app.command("show")
def show(name: str) -> None:
    """Print a watchlist's YAML."""
    out.print(_require(name, reader=True), end="", markup=False)


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
    """Delete a watchlist (its stored matches and versions stay; the name can be used again)."""
    _require(name)
    delete_watchlist(state.engine(), name)
    out.print(f"watchlist {name} removed")
    naming = [s for s in list_subscriptions(state.engine()) if name in s.watchlists]
    if naming:
        ids = ", ".join(str(s.id) for s in naming)
        err.print(
            f"warning: subscription {ids} still name {name}: they get nothing from it until a "
            f"watchlist of that name is added again; `newswatch subscription edit ID "
            f"--watchlist OTHER` to change them",
            markup=False,
        )


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
    text: Annotated[
        str | None,
        typer.Option("--text", help="A headline, then (after a line break) the summary."),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="A story file: JSON Lines (one story a line, each tested alone) or a text "
            "file whose first line is the headline.",
        ),
    ] = None,
    title: Annotated[str, typer.Option("--title", help="A headline, tested as the title.")] = "",
    url: Annotated[str | None, typer.Option("--url", help="A web page to test.")] = None,
) -> None:
    """Show whether and why a story matches a watchlist (and, if not, why not).

    Exits 0 when it matches (with JSON Lines: when at least one story does), 1 when not.
    """
    if text is None and file is None and url is None and not title:
        raise ConfigError("nothing to test", hint="give --text, --title, --file or --url")
    matcher = compile_watchlists([parse_watchlist(_require(name, reader=True), name)])
    if file is not None and file.suffix.lower() in (".jsonl", ".ndjson"):
        _test_lines(matcher, name, file)
        return
    body = ""
    if text is not None:
        head, _, body = text.strip().partition("\n")
        title = title or head.strip()
        body = body.strip()
    if file is not None or url is not None:
        from monitor.fetch.documents import load_documents
        from watchlists.textformats import guess_format, to_plain

        reference = str(file) if file is not None else str(url)
        (source,) = load_documents([reference], state.settings())
        fmt = source.format or guess_format(source.text, source.name)
        raw = source.text.strip()
        if fmt in ("text", "markdown") and not title:  # the first line is the headline
            head, _, raw = raw.partition("\n")
            title = head.lstrip("# ").strip()
        body = to_plain(raw, fmt, source.name).text.strip()
    if not _explain(matcher, name, title, body):
        raise typer.Exit(ExitCode.ERROR)


def _explain(matcher: Matcher, name: str, title: str, body: str) -> bool:
    """Print why ``title`` and ``body`` match (or do not); whether they matched."""
    found = matcher.match(title, body, None)
    if not found:
        out.print(f"no match for {name}", markup=False)
        out.print(matcher.diagnose(name, title, body, None).explain(), markup=False)
        return False
    for match in found:
        out.print(f"match: {match.watchlist} score {match.score:.2f}")
        rows = []
        for hit in match.hits:
            field_text = title if hit.field == "title" else body
            context = field_text[max(0, hit.start - 30) : hit.end + 30]
            rows.append([hit.term, hit.group, hit.field, f"{hit.similarity:.2f}", context])
        table("terms", ["term", "group", "field", "closeness", "context"], rows)
    return True


def _test_lines(matcher: Matcher, name: str, file: Path) -> None:
    """Test each story of a JSON Lines file on its own, as the service would see it."""
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {file}: {exc}") from exc
    rows: list[list[object]] = []
    matched = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            story = json.loads(line)
            if not isinstance(story, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            raise ConfigError(
                f"{file}:{number}: not a story ({exc})",
                hint='one JSON object a line: {"id": …, "title": …, "summary": …}',
            ) from exc
        found = matcher.match(
            str(story.get("title") or ""), str(story.get("summary") or ""), story.get("language")
        )
        matched += bool(found)
        score = f"{found[0].score:.2f}" if found else "no match"
        rows.append([story.get("id", number), score, str(story.get("title") or "")])
    out.print(f"{name}: {matched} of {len(rows)} stories match", markup=False)
    table("stories", ["story", "score", "title"], rows)
    if not matched:
        raise typer.Exit(ExitCode.ERROR)


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
    from monitor.fetch.documents import load_documents
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


def stored_text(name: str) -> str:
    record = get_watchlist(state.engine(), name)
    if record is None:
        raise UnknownWatchlistError(f"no watchlist '{name}'", hint="see `newswatch watchlist list`")
    return record.text


@app.command("edit")
def edit(name: str) -> None:
    """Open a watchlist in $EDITOR; it is saved only if it validates.

    Edits that are not saved (invalid, and not edited again; or the editor
    failed) are kept in NAME.draft.yaml in the current folder, and the path is
    printed.
    """
    text = stored_text(name)
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


@app.command("reset")
def reset(name: str) -> None:
    """Put a built-in watchlist back to the shipped version (a new version is recorded)."""
    shipped = builtin_watchlist_texts()
    if name not in shipped:
        raise UnknownWatchlistError(
            f"'{name}' is not a built-in watchlist", hint=f"built-ins: {', '.join(sorted(shipped))}"
        )
    record = save_watchlist(state.engine(), name, shipped[name], utcnow(), builtin=True)
    out.print(f"watchlist {name} reset to the shipped text (version {record.version})")
