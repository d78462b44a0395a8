"""The ``newswatch`` command: a thin layer over the library's functions.

Does I/O (terminal, files). Errors print their message and hint and exit 1,
without a traceback unless ``--debug``.
"""

from __future__ import annotations

import asyncio
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from typer.core import TyperGroup

import monitor.cli.web as cli_web
from monitor.cli import feeds as cli_feeds
from monitor.cli import stories as cli_stories
from monitor.cli import subscriptions as cli_subscriptions
from monitor.cli import tools as cli_tools
from monitor.cli import watchlists as cli_watchlists
from monitor.cli.console import ExitCode, err, out, setup_logging, table
from monitor.cli.context import state
from monitor.errors import NewswatchError

if TYPE_CHECKING:
    from monitor.service.cycle import CycleResult, Service


class _Newswatch(TyperGroup):
    """The root command: a newswatch error becomes one message and exit code 1."""

    def invoke(self, ctx: Any) -> Any:  # a click Context (typer keeps its own copy of click)
        try:
            return super().invoke(ctx)
        except NewswatchError as exc:
            if state.debug:
                raise
            report_error(exc)
            raise typer.Exit(ExitCode.ERROR) from None


def report_error(exc: NewswatchError) -> None:
    """Print an error's message and hint on stderr."""
    err.print(
        f"[bold red]error:[/] {escape(exc.message)}", markup=True, highlight=False, soft_wrap=True
    )
    if exc.hint:
        err.print(
            f"[bold]hint:[/] {escape(exc.hint)}", markup=True, highlight=False, soft_wrap=True
        )


app = typer.Typer(
    name="newswatch",
    cls=_Newswatch,
    help="Self-hosted news monitoring: poll feeds, match watchlists, send digests.",
    epilog="Exit codes: 0 success, 1 error, 2 usage, 3 partial failure.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Show the effective configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(cli_feeds.app, name="feed")
app.add_typer(cli_watchlists.app, name="watchlist")
app.add_typer(cli_subscriptions.app, name="subscription")
app.add_typer(cli_subscriptions.digest_app, name="digest")
app.add_typer(cli_stories.app, name="stories")
app.command("match")(cli_tools.match)
app.command("dedup")(cli_tools.dedup)
app.command("backtest")(cli_tools.backtest)
app.command("web")(cli_web.web)


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("newswatch")
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = "unknown (not installed)"
        out.print(f"newswatch {number}", markup=False)
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    log_format: Annotated[LogFormat, typer.Option("--log-format")] = LogFormat.TEXT,
    config: Annotated[Path | None, typer.Option("--config", help="A newswatch.toml file.")] = None,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = None,
) -> None:
    state.debug = debug
    state.config_file = config
    state.reset()
    setup_logging("DEBUG" if debug else "INFO", log_format.value)


@config_app.command("show")
def config_show() -> None:
    """Print the effective settings (secrets redacted)."""
    settings = state.settings()
    table("newswatch settings", ["setting", "value"], sorted(settings.redacted().items()))


@app.command()
def run(
    once: Annotated[bool, typer.Option("--once", help="Run one full cycle, then exit.")] = False,
) -> None:
    """Run the service: poll feeds, match, store, send digests (Ctrl-C stops).

    With --once: exits 1 when every feed failed, 3 when a digest could not be
    delivered (it is retried), else 0, also when some of the feeds failed.
    """
    from monitor.service.cycle import Service, ensure_default_feeds
    from monitor.service.daemon import run_daemon

    service = Service(state.settings(), state.engine())
    if not once:
        with cli_web.console(service.settings, service.engine):
            asyncio.run(run_daemon(service))
        return
    added = ensure_default_feeds(service.engine, service.clock())
    if added:
        err.print(
            f"No feeds were added: polling the {added} bundled world-news feeds "
            "(the first `newswatch feed add` replaces them).",
            markup=False,
        )
    result = asyncio.run(_cycle_with_progress(service))
    poll, dispatch = result.poll, result.dispatch
    table(
        "cycle",
        [
            "feeds",
            "ok",
            "unchanged",
            "errors",
            "new stories",
            "new matches",
            "digests sent",
            "failed",
        ],
        [
            [
                poll.feeds,
                poll.ok,
                poll.not_modified,
                len(poll.errors),
                poll.new_stories,
                poll.new_matches,
                len(dispatch.sent),
                len(dispatch.failed),
            ]
        ],
    )
    if poll.errors:
        table("feed errors", ["feed", "reason"], sorted(poll.errors.items()))
        if len(poll.errors) == poll.feeds:
            err.print(
                "every feed failed: check the network, or the addresses (`newswatch feed show ID`)",
                markup=False,
            )
    if dispatch.failed:
        table(
            "delivery failures (will be retried)",
            ["digest", "reason"],
            sorted(dispatch.failed.items()),
        )
    raise typer.Exit(once_exit_code(poll.feeds, len(poll.errors), len(dispatch.failed)))


def once_exit_code(feeds: int, failed_feeds: int, failed_deliveries: int) -> ExitCode:
    """``run --once``: 1 when every feed failed; 3 when a digest could not be delivered;
    0 otherwise, also when some feeds failed (one bad feed never stops the others)."""
    if feeds and failed_feeds == feeds:
        return ExitCode.ERROR
    if failed_deliveries:
        return ExitCode.PARTIAL
    return ExitCode.OK


async def _cycle_with_progress(service: Service) -> CycleResult:
    from storage.feeds import count_feeds

    total = count_feeds(service.engine)
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("polling feeds", total=total)
        return await service.cycle(progress=lambda _url: progress.advance(task), every_feed=True)


@app.command()
def demo() -> None:
    """One offline cycle against bundled sample feeds; prints the digest it would send."""
    from monitor.service.demo import run_demo

    out.print(run_demo())


@app.command()
def status() -> None:
    """Summarize the system: feeds by state, stories, watchlists, subscriptions, digests."""
    from monitor.cli.status import show_status

    show_status(state.reader())


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; an unexpected error is one line (exit 1), a traceback with
    ``--debug``. Newswatch errors are handled by the root command (``_Newswatch``)."""
    try:
        app(args=argv)
    except NewswatchError as exc:  # raised before a command ran
        if state.debug:
            raise
        report_error(exc)
        sys.exit(ExitCode.ERROR)
    except Exception as exc:
        if state.debug:
            raise
        err.print(f"unexpected error: {exc.__class__.__name__}: {exc}", markup=False)
        err.print("run again with --debug for the traceback")
        sys.exit(ExitCode.ERROR)
