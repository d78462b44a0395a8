"""Run the real ``newswatch`` command in-process (typer's runner), as a user would.

Each call starts from fresh settings and database handles, with the terminal
width given (80 columns unless told), so tables render as they would there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from monitor.cli import main as cli
from monitor.cli.console import err, out
from monitor.cli.context import state


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str

    @property
    def text(self) -> str:
        return self.stdout + self.stderr


def newswatch(
    data: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    width: int = 80,
) -> Ran:
    """``newswatch ARGS`` with ``data`` as its data directory; unexpected errors propagate."""
    environ = {"NEWSWATCH_DATA_DIR": str(data), "NEWSWATCH_DATABASE_URL": "", **(env or {})}
    widths = out.width, err.width
    out.width = err.width = width
    try:
        result = CliRunner().invoke(cli.app, list(args), env=environ, input=input)
    finally:
        out.width, err.width = widths
        if state._engine is not None:
            state._engine.dispose()
        state._engine = state._settings = None
        state.debug = False
        state.config_file = None
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)
