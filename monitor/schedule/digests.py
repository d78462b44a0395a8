"""Subscription schedules and quiet hours: parsing them and deciding when a digest is due.

Pure: every decision takes ``now`` (or ``after``). Times of day are wall-clock
times in the subscription's time zone, so ``daily@08:00`` stays at 08:00 across
daylight-saving changes. Cron expressions are standard five-field crontab
(weekdays 0 and 7 = Sunday, 1-5 = Monday to Friday), evaluated by
``monitor.schedule.cron``. A wall-clock time that does not exist on a spring-forward day
(02:30 in Madrid) fires once, an hour later by the clock (03:30); a time that
occurs twice on a fall-back day fires once, at its first occurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.errors import ConfigError
from monitor.schedule.cron import next_fire, parse_cron

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CLOCK = r"([01]?\d|2[0-3]):([0-5]\d)"
_DAILY = re.compile(rf"^daily@{_CLOCK}$")
_WEEKLY = re.compile(rf"^weekly@([a-z]+)@{_CLOCK}$")
_EVERY = re.compile(r"^(?:every[@ ]?)?(\d+)\s*(m|min|mins|minutes?|h|hours?)$")
_QUIET = re.compile(rf"^{_CLOCK}\s*-\s*{_CLOCK}$")
MIN_EVERY = timedelta(minutes=1)
FORMS = (
    "instant, hourly, every@30m, every@6h, daily@HH:MM (e.g. daily@08:00), "
    "weekly@DAY@HH:MM (e.g. weekly@mon@08:00) or a cron expression such as 'cron:0 8 * * 1-5'"
)


@dataclass(frozen=True, slots=True)
class Schedule:
    kind: str  # instant, every, daily, weekly, cron
    at: time | None = None
    every: timedelta | None = None
    weekday: int | None = None  # 0 is Monday
    cron: str | None = None

    def __str__(self) -> str:
        if self.kind == "daily" and self.at is not None:
            return f"daily@{self.at:%H:%M}"
        if self.kind == "weekly" and self.at is not None and self.weekday is not None:
            return f"weekly@{DAYS[self.weekday]}@{self.at:%H:%M}"
        if self.kind == "every" and self.every is not None:
            minutes = int(self.every.total_seconds() // 60)
            if minutes == 60:
                return "hourly"
            return f"every@{minutes // 60}h" if minutes % 60 == 0 else f"every@{minutes}m"
        if self.kind == "cron" and self.cron is not None:
            return f"cron:{self.cron}"
        return self.kind


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_schedule(text: str) -> Schedule:
    """Read a schedule; raise ``ConfigError`` listing the forms that exist."""
    value = " ".join(text.strip().lower().split())
    if value == "instant":
        return Schedule("instant")
    if value == "hourly":
        return Schedule("every", every=timedelta(hours=1))
    if m := _DAILY.match(value):
        return Schedule("daily", at=time(int(m.group(1)), int(m.group(2))))
    if m := _WEEKLY.match(value):
        day = m.group(1)[:3]
        if day not in DAYS or not _FULL_DAYS[DAYS.index(day)].startswith(m.group(1)):
            raise ConfigError(
                f"unknown day '{m.group(1)}' in schedule '{text}'",
                hint="use mon, tue, wed, thu, fri, sat or sun, e.g. weekly@mon@08:00",
            )
        return Schedule(
            "weekly", at=time(int(m.group(2)), int(m.group(3))), weekday=DAYS.index(day)
        )
    if m := _EVERY.match(value):
        amount = int(m.group(1))
        unit = m.group(2)
        every = timedelta(hours=amount) if unit.startswith("h") else timedelta(minutes=amount)
        if every < MIN_EVERY:
            raise ConfigError(f"schedule '{text}' is too frequent", hint="use at least every@1m")
        return Schedule("every", every=every)
    expression = value.removeprefix("cron:").strip()
    if value.startswith("cron:") or len(expression.split()) == 5:
        try:
            parse_cron(expression)
        except ConfigError as exc:
            raise ConfigError(
                f"schedule '{text}' is not a valid cron expression: {exc}", hint=exc.hint
            ) from exc
        return Schedule("cron", cron=expression)
    raise ConfigError(f"unknown schedule '{text}'", hint=f"use {FORMS}")


def parse_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"unknown time zone '{name}'", hint="use an IANA name such as Europe/Madrid or UTC"
        ) from exc


def parse_quiet_hours(text: str) -> QuietHours:
    """Read ``HH:MM-HH:MM`` (it may span midnight, e.g. ``22:00-07:00``)."""
    m = _QUIET.match(text.strip())
    if not m or m.group(1, 2) == m.group(3, 4):
        raise ConfigError(
            f"quiet hours '{text}' are not a time range",
            hint="use HH:MM-HH:MM in the subscription's time zone, e.g. 22:00-07:00",
        )
    return QuietHours(
        time(int(m.group(1)), int(m.group(2))), time(int(m.group(3)), int(m.group(4)))
    )


def wall_clock(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a day in ``zone`` (first one if it is doubled)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def next_run(schedule: Schedule, zone: ZoneInfo, after: datetime) -> datetime:
    """The first time strictly after ``after`` when a digest period ends (UTC)."""
    if schedule.kind == "instant":
        return after
    if schedule.kind == "every" and schedule.every is not None:
        return after + schedule.every
    if schedule.kind == "cron" and schedule.cron is not None:
        return next_fire(parse_cron(schedule.cron), zone, after)
    assert schedule.at is not None
    local_day = after.astimezone(zone).date()
    for offset in range(-1, 9):
        day = local_day + timedelta(days=offset)
        if schedule.kind == "weekly" and day.weekday() != schedule.weekday:
            continue
        candidate = wall_clock(day, schedule.at, zone)
        if candidate > after:
            return candidate
    raise AssertionError("a daily or weekly schedule fires within eight days")


def is_due(schedule: Schedule, zone: ZoneInfo, since: datetime, now: datetime) -> bool:
    """Whether a digest period ended in (``since``, ``now``]."""
    return schedule.kind == "instant" or next_run(schedule, zone, since) <= now


def quiet_until(quiet: QuietHours | None, zone: ZoneInfo, now: datetime) -> datetime | None:
    """When the quiet hours around ``now`` end (UTC), or None when ``now`` is not quiet."""
    if quiet is None:
        return None
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    today = local.date()
    if quiet.start < quiet.end:
        inside = quiet.start <= clock < quiet.end
        end_day = today
    else:  # spans midnight
        inside = clock >= quiet.start or clock < quiet.end
        end_day = today + timedelta(days=1) if clock >= quiet.start else today
    return wall_clock(end_day, quiet.end, zone) if inside else None


def describe_next(
    schedule: Schedule,
    zone: ZoneInfo,
    since: datetime,
    now: datetime,
    quiet: QuietHours | None = None,
) -> datetime:
    """When the next digest will be composed at the earliest (UTC), for ``show`` and previews."""
    when = max(next_run(schedule, zone, since), now)
    return quiet_until(quiet, zone, when) or when
