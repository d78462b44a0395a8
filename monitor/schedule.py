"""Subscription schedules: parsing ``instant``, ``hourly``, ``daily@HH:MM`` and deciding if due.

Pure: every function takes ``now``. Times of day are wall-clock times in the
subscription's time zone, so a daily digest stays at 08:00 across DST changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.errors import ConfigError

_DAILY = re.compile(r"^daily@([01]?\d|2[0-3]):([0-5]\d)$")
_EVERY = re.compile(r"^every@(\d+)(m|h)$")


@dataclass(frozen=True, slots=True)
class Schedule:
    kind: str  # instant, every, daily
    at: time | None = None
    every: timedelta | None = None

    def __str__(self) -> str:
        if self.kind == "daily" and self.at is not None:
            return f"daily@{self.at:%H:%M}"
        if self.kind == "every" and self.every is not None:
            minutes = int(self.every.total_seconds() // 60)
            return "hourly" if minutes == 60 else f"every@{minutes}m"
        return self.kind


def parse_schedule(text: str) -> Schedule:
    """Read a schedule; raise ``ConfigError`` saying which forms exist."""
    value = text.strip().lower()
    if value == "instant":
        return Schedule("instant")
    if value == "hourly":
        return Schedule("every", every=timedelta(hours=1))
    if m := _DAILY.match(value):
        return Schedule("daily", at=time(int(m.group(1)), int(m.group(2))))
    if m := _EVERY.match(value):
        amount = int(m.group(1))
        every = timedelta(minutes=amount) if m.group(2) == "m" else timedelta(hours=amount)
        if every < timedelta(minutes=1):
            raise ConfigError(f"schedule '{text}' is too frequent", hint="use at least every@1m")
        return Schedule("every", every=every)
    raise ConfigError(
        f"unknown schedule '{text}'",
        hint="use instant, hourly, every@30m, every@6h or daily@HH:MM (e.g. daily@08:00)",
    )


def parse_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"unknown time zone '{name}'", hint="use an IANA name such as Europe/Madrid or UTC"
        ) from exc


def is_due(schedule: Schedule, zone: ZoneInfo, since: datetime, now: datetime) -> bool:
    """Whether a digest period ended in (``since``, ``now``]."""
    if schedule.kind == "instant":
        return True
    if schedule.kind == "every" and schedule.every is not None:
        return now - since >= schedule.every
    assert schedule.at is not None
    local_now = now.astimezone(zone)
    today = datetime.combine(local_now.date(), schedule.at, tzinfo=zone)
    last_occurrence = today if today <= local_now else today - timedelta(days=1)
    # Recombine after the day step so the wall-clock time survives a DST change.
    last_occurrence = datetime.combine(last_occurrence.date(), schedule.at, tzinfo=zone)
    return since < last_occurrence <= now
