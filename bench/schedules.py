"""How long deciding a cron digest's next run takes: newswatch's evaluator against APScheduler.

Does no I/O beyond printing. Each expression is stepped through ``--steps`` fire
times (100 for 29 February), best of three walks, in two zones with
daylight-saving changes, by ``monitor.schedule.digests.next_run`` and, as the
baseline in the same run, by APScheduler 3's ``CronTrigger.get_next_fire_time``
(what ``next_run`` used before). Weekdays are written as names, which both read
alike. Both must give the same fire times away from DST changes; the table says
whether they did over the steps measured.

    .venv/bin/python bench/schedules.py [--steps 2000]
"""

from __future__ import annotations

import argparse
import time as clock
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from rich.console import Console
from rich.table import Table

from monitor.schedule.digests import next_run, parse_schedule

EXPRESSIONS = (
    "0 8 * * mon-fri",
    "30 2 * * *",
    "*/15 9-17 * * mon-fri",
    "* * * * *",
    "0 8 1 * *",
    "0 8 29 2 *",
)
ZONES = ("Europe/Madrid", "America/New_York")
START = datetime(2026, 1, 1, tzinfo=UTC)


def ours(expression: str, zone: ZoneInfo) -> Callable[[datetime], datetime]:
    schedule = parse_schedule(f"cron:{expression}")
    return lambda after: next_run(schedule, zone, after)


def apscheduler(expression: str, zone: ZoneInfo) -> Callable[[datetime], datetime]:
    trigger = CronTrigger.from_crontab(expression, timezone=zone)

    def step(after: datetime) -> datetime:
        fire = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
        assert fire is not None
        instant: datetime = fire.astimezone(UTC)
        return instant

    return step


def walk(step: Callable[[datetime], datetime], steps: int) -> tuple[float, list[datetime]]:
    """The best time of three walks through ``steps`` fire times, and the fire times."""
    best = float("inf")
    for _ in range(3):
        fires, after = [], START
        began = clock.perf_counter()
        for _ in range(steps):
            after = step(after)
            fires.append(after)
        best = min(best, clock.perf_counter() - began)
    return best, fires


def plain_days(fires: list[datetime], zone: ZoneInfo, end: datetime) -> set[datetime]:
    """The fire times up to ``end`` on days without a clock change."""

    def changes(moment: datetime) -> bool:
        day = moment.astimezone(zone).date()
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
        return midnight.utcoffset() != (midnight + timedelta(days=1)).utcoffset()

    return {fire for fire in fires if fire <= end and not changes(fire)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=2000, help="next-run calls per expression")
    steps = parser.parse_args().steps
    table = Table(
        title=f"next cron fire time, {steps:,} calls per row (0 8 29 2 *: 100), best of 3"
    )
    for column in ("zone", "expression", "newswatch µs/call", "APScheduler µs/call", "ratio"):
        table.add_column(column, justify="left" if column in ("zone", "expression") else "right")
    table.add_column("same fire times off DST days")
    console = Console(width=120)
    with console.status("measuring…"):
        for name in ZONES:
            zone = ZoneInfo(name)
            for expression in EXPRESSIONS:
                count = 100 if expression == "0 8 29 2 *" else steps
                ours_time, ours_fires = walk(ours(expression, zone), count)
                base_time, base_fires = walk(apscheduler(expression, zone), count)
                end = min(ours_fires[-1], base_fires[-1])
                same = plain_days(ours_fires, zone, end) == plain_days(base_fires, zone, end)
                table.add_row(
                    name,
                    expression,
                    f"{ours_time / count * 1e6:,.1f}",
                    f"{base_time / count * 1e6:,.1f}",
                    f"{base_time / ours_time:.2f}×",
                    "yes" if same else "no",
                )
    console.print(table)
    console.print("ratio: APScheduler's time over newswatch's (above 1: newswatch is faster)")


if __name__ == "__main__":
    main()
