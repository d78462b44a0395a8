"""Terminal output shared by the CLI: one rich console, tables that fit, JSON lists, logging.

Does I/O (the terminal). Tables never wrap a cell: the widest columns are cut
to fit the terminal, with an ellipsis; a ``show`` table (name, value) then
prints each value it cut in full, word-wrapped, below it.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table
from rich.text import Text

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class ExitCode(IntEnum):
    """What ``newswatch`` exits with (documented in the README)."""

    OK = 0
    ERROR = 1  # something failed: nothing (or not what was asked) was done
    USAGE = 2  # a command, option or value the command line does not accept
    PARTIAL = 3  # some of the work failed, the rest was done


# Attributes every LogRecord has; anything else came in through ``extra=`` and is a field.
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and the record's own fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created).astimezone().isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (a test runner swaps it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        return


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Logs go to stderr: JSON lines, rich text on a terminal, plain lines anywhere else."""
    root = logging.getLogger()
    root.handlers.clear()
    if fmt == "json":
        handler: logging.Handler = _StderrHandler()
        handler.setFormatter(JsonFormatter())
    elif sys.stderr.isatty():
        handler = RichHandler(console=err, show_path=False, rich_tracebacks=False, markup=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:  # a file or a pipe: one line per record, never cut at a terminal's width
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # A tick skipped while a long cycle runs is expected, not worth a warning.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return when(value)
    return " ".join(str(value).split()) if "\n" in str(value) else str(value)


KEEP_WIDTH = 20  # a column this narrow (ids, names, times, states) is cut only as a last resort


def fit_widths(
    natural: Sequence[int], headers: Sequence[int], room: int, whole: Sequence[bool] = ()
) -> list[int]:
    """Column widths that fit ``room``: the widest columns are cut first, to one level.

    Pure. Narrow columns (and those marked ``whole``, such as ids a user types) keep
    their width while the wide ones can give; a column never goes below its header.
    If even that does not fit, the terminal cuts the rest.
    """
    if sum(natural) <= room:
        return list(natural)
    marks = list(whole) or [False] * len(natural)
    kept = [
        n if n <= KEEP_WIDTH or w else max(h, 5)
        for n, h, w in zip(natural, headers, marks, strict=True)
    ]
    if sum(kept) > room:
        kept = [min(n, max(h, 5)) for n, h in zip(natural, headers, strict=True)]
    low, high = 0, max(natural)
    while low < high:  # the highest level L with sum(min(n, max(L, kept))) <= room
        level = (low + high + 1) // 2
        if sum(min(n, max(level, k)) for n, k in zip(natural, kept, strict=True)) <= room:
            low = level
        else:
            high = level - 1
    return [min(n, max(low, k)) for n, k in zip(natural, kept, strict=True)]


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Print rows as a table that fits the terminal; each row stays on one line."""
    cells = [[_cell(v) for v in row] for row in rows]
    if not cells:
        out.print(f"{title}: none", markup=False)
        return
    headed = any(columns)
    natural = [
        max([len(c) if headed else 1] + [len(row[i]) for row in cells])
        for i, c in enumerate(columns)
    ]
    room = out.width - (3 * len(columns) + 1)  # borders and one space each side of a cell
    widths = fit_widths(natural, [len(c) for c in columns], room, [c == "id" for c in columns])
    grid = Table(title=title, title_justify="left", show_header=headed)
    for column, width in zip(columns, widths, strict=True):
        grid.add_column(column, no_wrap=True, overflow="ellipsis", min_width=width, max_width=width)
    for row in cells:
        grid.add_row(*(Text(cell) for cell in row))
    out.print(grid, markup=False, crop=True)
    if not headed and len(columns) == 2:  # a `show` table: what was cut follows in full
        for key, value in cells:
            if len(value) > widths[1]:
                out.print(f"{key}: {value}", markup=False, soft_wrap=False)


def emit(
    title: str,
    columns: Sequence[tuple[str, str]],
    records: Sequence[Mapping[str, object]],
    as_json: bool,
) -> None:
    """A list command's output: a table of ``(key, header)`` columns, or the records as JSON."""
    if as_json:
        text = json.dumps(list(records), ensure_ascii=False, default=_json_value, indent=2)
        out.print(text, markup=False)
        return
    table(title, [h for _, h in columns], [[r.get(k) for k, _ in columns] for r in records])


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "-"
