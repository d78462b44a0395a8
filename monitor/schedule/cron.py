"""Standard five-field crontab expressions: reading them and finding when they next fire.

Pure: no I/O and no clock; ``next_fire`` takes the instant to start from.

The fields are ``minute hour day-of-month month day-of-week`` as in crontab(5):
each is ``*``, a number, a range ``a-b``, a step ``*/s``, ``a-b/s`` or ``a/s``
(``a`` to the end of the field), or a comma-separated list of these. Months may
be written ``jan``-``dec`` and weekdays ``sun``-``sat``; weekdays are numbered
as crontab numbers them, 0 (and 7) = Sunday, 1 = Monday ... 6 = Saturday, and a
range of names may end on Sunday (``sat-sun``, ``mon-sun``).
When both day fields are restricted (neither starts with ``*``), a day that
matches EITHER of them fires; otherwise a day must match both, so
``0 8 1 * mon`` fires on the 1st and on every Monday.

Times are wall-clock times in the given zone. A time that does not exist on a
spring-forward day fires once, later by the size of the jump: an hour almost
everywhere (02:30 becomes 03:30 in Madrid), half an hour on Lord Howe Island.
A time that occurs twice on a fall-back day fires once, at its first
occurrence, so ``*/15 * * * *`` is silent for the second pass of that hour.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from monitor.errors import ConfigError

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
HINT = (
    "give five fields: minute hour day-of-month month day-of-week, e.g. 'cron:0 8 * * 1-5' "
    "(08:00 Monday to Friday; weekdays are 0-7 or sun-sat, 0 and 7 are Sunday)"
)
# A date that exists at all (29 February included) recurs on every weekday within
# 28 years, or 40 across a century year that is not a leap year.
_HORIZON_YEARS = 41


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    name_base: int = 0  # the number of the first name

    def number(self, text: str, where: str) -> int:
        if text in self.names:
            return self.names.index(text) + self.name_base
        if not (text.isascii() and text.isdigit()):
            spelled = f" or {self.names[0]}-{self.names[-1]}" if self.names else ""
            inside = f" in '{where}'" if where != text else ""
            raise ConfigError(f"{self.name} '{text}'{inside} is not a number{spelled}", hint=HINT)
        value = int(text)
        if not self.low <= value <= self.high:
            raise ConfigError(
                f"{self.name} {value} in '{where}' is out of range {self.low}-{self.high}",
                hint=HINT,
            )
        return value

    def values(self, text: str) -> frozenset[int]:
        """Every value a field's text selects; ``ConfigError`` names the wrong part."""
        out: set[int] = set()
        for item in text.split(","):
            base, slash, step_text = item.partition("/")
            if not base:
                raise ConfigError(f"{self.name} '{text}' has an empty list item", hint=HINT)
            step = 1
            if slash:
                if not (step_text.isascii() and step_text.isdigit()) or int(step_text) == 0:
                    raise ConfigError(
                        f"{self.name} '{item}' needs a whole step of at least 1 after '/'",
                        hint=HINT,
                    )
                step = int(step_text)
            if base == "*":
                first, last = self.low, self.high
            elif "-" in base:
                start, _, end = base.partition("-")
                first, last = self.number(start, item), self.number(end, item)
                if self.names and end == self.names[0] and self.high == 7:
                    last = 7  # 'sat-sun' ends on Sunday as the 7th day, not the 0th
                if first > last:
                    raise ConfigError(
                        f"{self.name} range '{item}' runs backwards",
                        hint="ranges run from low to high; to wrap round, write two: "
                        f"'{start}-{self.high},{self.low}-{end}'",
                    )
            else:
                first = self.number(base, item)
                last = self.high if slash else first
            out.update(range(first, last + 1, step))
        return frozenset(out)


_MINUTE = _Field("minute", 0, 59)
_HOUR = _Field("hour", 0, 23)
_DAY = _Field("day-of-month", 1, 31)
_MONTH = _Field("month", 1, 12, MONTHS, 1)
_WEEKDAY = _Field("day-of-week", 0, 7, WEEKDAYS, 0)


@dataclass(frozen=True, slots=True)
class CronExpression:
    """A parsed expression: the values each field allows (weekday 0 is Sunday)."""

    text: str
    times: tuple[time, ...]  # every allowed hour:minute, in order
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    either_day: bool  # both day fields restricted: a day matching either one fires

    def fires_on(self, day: date) -> bool:
        """Whether the expression fires at some time on this calendar day."""
        if day.month not in self.months:
            return False
        by_date = day.day in self.days
        by_weekday = day.isoweekday() % 7 in self.weekdays
        return by_date or by_weekday if self.either_day else by_date and by_weekday

    def wall_times(self, start: datetime) -> Iterator[datetime]:
        """Every wall-clock time the expression names at or after ``start`` (naive), in order."""
        later = bisect_left(self.times, start.time())
        for day in self._days(start.date()):
            for at in self.times[later if day == start.date() else 0 :]:
                yield datetime.combine(day, at)

    def _days(self, start: date) -> Iterator[date]:
        for year in range(start.year, start.year + _HORIZON_YEARS):
            for month in sorted(self.months):
                if (year, month) < (start.year, start.month):
                    continue
                length = calendar.monthrange(year, month)[1]
                begin = start.day if (year, month) == (start.year, start.month) else 1
                for number in range(begin, length + 1):
                    day = date(year, month, number)
                    if self.fires_on(day):
                        yield day
        raise AssertionError(f"cron '{self.text}' did not fire in {_HORIZON_YEARS} years")


@lru_cache(maxsize=512)
def parse_cron(text: str) -> CronExpression:
    """Read a five-field expression (lower case); ``ConfigError`` says which field is wrong."""
    fields = text.split()
    if len(fields) != 5:
        raise ConfigError(f"'{text}' has {len(fields)} fields, not 5", hint=HINT)
    minute, hour, day, month, weekday = fields
    minutes = _MINUTE.values(minute)
    hours = _HOUR.values(hour)
    days = _DAY.values(day)
    months = _MONTH.values(month)
    weekdays = frozenset(value % 7 for value in _WEEKDAY.values(weekday))
    either_day = not day.startswith("*") and not weekday.startswith("*")
    longest = max(calendar.monthrange(2024, m)[1] for m in months)  # 2024: a leap year
    if not either_day and min(days) > longest:
        raise ConfigError(
            f"'{text}' never fires: no month among '{month}' has day {min(days)}",
            hint="pick a day that the month has, e.g. '0 8 28 2 *' for 28 February",
        )
    return CronExpression(
        text=text,
        times=tuple(time(h, m) for h in sorted(hours) for m in sorted(minutes)),
        days=days,
        months=months,
        weekdays=weekdays,
        either_day=either_day,
    )


def wall_clock(moment: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a naive wall-clock time in ``zone``.

    A doubled time gives its first occurrence; a skipped time is read with the
    offset from before the change, which puts it later by the size of the jump.
    """
    return moment.replace(tzinfo=zone, fold=0).astimezone(UTC)


def next_fire(expression: CronExpression, zone: ZoneInfo, after: datetime) -> datetime:
    """The first instant strictly after ``after`` when the expression fires (UTC).

    Wall-clock times are visited in order. Times that exist map to instants in
    the same order, so the first one after ``after`` ends the search. A skipped
    time maps later by the jump and may overtake times visited after it,
    so the answer is the earliest instant seen until then. The visit starts at
    ``after`` read on the clock with both the present offset and the offset of a
    day before, whichever is earlier, so that a skipped time that maps past
    ``after`` just after a spring-forward change is not passed over.
    """
    after = after.astimezone(UTC)
    now_reading = after.astimezone(zone).replace(tzinfo=None)
    offset_before = (after - timedelta(days=1)).astimezone(zone).utcoffset()
    assert offset_before is not None
    old_reading = (after + offset_before).replace(tzinfo=None)
    best: datetime | None = None
    for moment in expression.wall_times(min(now_reading, old_reading)):
        instant = wall_clock(moment, zone)
        if instant <= after:
            continue  # already past, or the second occurrence of a doubled time
        if best is None or instant < best:
            best = instant
        if instant.astimezone(zone).replace(tzinfo=None) == moment:  # the time exists
            return best
    raise AssertionError(f"cron '{expression.text}' has no next fire time")
