"""The ``newswatch`` command: a thin layer over the library's functions.

Does I/O (terminal, files). Errors print their message and hint and exit 1,
without a traceback unless ``--debug``.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

import monitor.cli_web as cli_web
from monitor import cli_feeds, cli_maintenance, cli_subscriptions, cli_tools, cli_watchlists
from monitor.console import err, out, setup_logging, table
from monitor.context import state
from monitor.errors import NewswatchError

if TYPE_CHECKING:
    from monitor.service import CycleResult, Service

app = typer.Typer(
    name="newswatch",
    help="Self-hosted news monitoring: poll feeds, match watchlists, send digests.",
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
app.add_typer(cli_tools.stories_app, name="stories")
app.command("match")(cli_tools.match)
app.command("dedup")(cli_tools.dedup)
app.command("backtest")(cli_maintenance.backtest)
app.command("web")(cli_web.web)


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    log_format: Annotated[str, typer.Option("--log-format", help="text or json")] = "text",
    config: Annotated[Path | None, typer.Option("--config", help="A newswatch.toml file.")] = None,
) -> None:
    state.debug = debug
    state.config_file = config
    setup_logging("DEBUG" if debug else "INFO", log_format)


@config_app.command("show")
def config_show() -> None:
    """Print the effective settings (secrets redacted)."""
    settings = state.settings()
    table("newswatch settings", ["setting", "value"], sorted(settings.redacted().items()))


@app.command()
def run(
    once: Annotated[bool, typer.Option("--once", help="Run one full cycle, then exit.")] = False,
) -> None:
    """Run the service: poll feeds, match, store, send digests (Ctrl-C stops)."""
    from monitor.daemon import run_daemon
    from monitor.service import Service, ensure_default_feeds

    service = Service(state.settings(), state.engine())
    if not once:
        with cli_web.console(service.settings, service.engine):
            asyncio.run(run_daemon(service))
        return
    added = ensure_default_feeds(service.engine, service.clock())
    if added:
        err.print(f"No feeds were added: polling the {added} bundled world-news feeds.")
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
    if dispatch.failed:
        table(
            "delivery failures (will be retried)",
            ["digest", "reason"],
            sorted(dispatch.failed.items()),
        )


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
    from monitor.demo import run_demo

    out.print(run_demo())


@app.command()
def status() -> None:
    """Summarize the system: feeds by state, stories, watchlists, subscriptions, digests."""
    from monitor.status import show_status

    show_status(state.engine())


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning newswatch errors into one readable message."""
    try:
        app(args=argv)
    except NewswatchError as exc:
        if state.debug:
            raise
        err.print(f"[bold red]error:[/] {escape(exc.message)}", markup=True, highlight=False)
        if exc.hint:
            err.print(f"[bold]hint:[/] {escape(exc.hint)}", markup=True, highlight=False)
        sys.exit(1)
    except Exception as exc:  # anything unexpected: one line, the traceback only with --debug
        if state.debug:
            raise
        err.print(f"unexpected error: {exc.__class__.__name__}: {exc}", markup=False)
        err.print("run again with --debug for the traceback")
        sys.exit(2)
