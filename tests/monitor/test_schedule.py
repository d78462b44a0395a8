"""Schedules fire when the subscriber expects, by their wall clock, across DST changes."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.errors import ConfigError
from monitor.schedule.digests import (
    is_due,
    next_run,
    parse_quiet_hours,
    parse_schedule,
    parse_timezone,
    quiet_until,
)

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")


def fires(text: str, zone: ZoneInfo, start: datetime, days: int, tick_minutes: int = 5) -> list:
    """Drive a schedule with a ticking clock, as the daemon does; return local fire times."""
    schedule = parse_schedule(text)
    since, now, out = start, start, []
    while now < start + timedelta(days=days):
        now += timedelta(minutes=tick_minutes)
        if is_due(schedule, zone, since, now):
            out.append(now.astimezone(zone))
            since = now
    return out


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("instant", "instant"),
        ("hourly", "hourly"),
        ("every@30m", "every@30m"),
        ("every 2h", "every@2h"),
        ("90 minutes", "every@90m"),
        ("daily@08:00", "daily@08:00"),
        ("daily@7:05", "daily@07:05"),
        ("weekly@mon@08:00", "weekly@mon@08:00"),
        ("weekly@Friday@17:30", "weekly@fri@17:30"),
        ("cron:0 8 * * 1-5", "cron:0 8 * * 1-5"),
        ("*/15 9-17 * * mon-fri", "cron:*/15 9-17 * * mon-fri"),
    ],
    ids=lambda v: v,
)
def test_every_schedule_form_reads_and_prints_back(text: str, canonical: str) -> None:
    assert str(parse_schedule(text)) == canonical
    assert str(parse_schedule(canonical)) == canonical


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("daily@25:00", "unknown schedule"),
        ("weekly@someday@08:00", "unknown day"),
        ("every@0m", "too frequent"),
        ("cron:61 * * * *", "not a valid cron"),
        ("sometimes", "unknown schedule"),
    ],
    ids=["hour-25", "bad-day", "zero-interval", "bad-cron", "nonsense"],
)
def test_a_wrong_schedule_is_refused_with_the_forms_that_exist(text: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_schedule(text)
    assert says in str(caught.value)
    assert caught.value.hint


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ConfigError, match="Europe/Madird"):
        parse_timezone("Europe/Madird")


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        (MADRID, datetime(2026, 3, 27, 12, tzinfo=UTC)),  # spring forward on 29 March
        (MADRID, datetime(2026, 10, 23, 12, tzinfo=UTC)),  # fall back on 25 October
        (NEW_YORK, datetime(2026, 3, 6, 14, tzinfo=UTC)),  # spring forward on 8 March
        (NEW_YORK, datetime(2026, 10, 30, 14, tzinfo=UTC)),  # fall back on 1 November
    ],
    ids=["madrid-spring", "madrid-autumn", "new-york-spring", "new-york-autumn"],
)
@pytest.mark.parametrize("text", ["daily@08:00", "cron:0 8 * * *"], ids=["daily", "cron"])
def test_daily_digest_stays_at_eight_local_across_dst(
    zone: ZoneInfo, start: datetime, text: str
) -> None:
    times = fires(text, zone, start, days=4)
    assert len(times) == 4
    assert {(t.hour, t.minute) for t in times} == {(8, 0)}
    assert len({t.date() for t in times}) == 4


@pytest.mark.parametrize("text", ["daily@02:30", "cron:30 2 * * *"], ids=["daily", "cron"])
def test_a_time_in_the_doubled_hour_fires_once_on_fall_back_day(text: str) -> None:
    times = fires(text, MADRID, datetime(2026, 10, 24, 12, tzinfo=UTC), days=3)
    per_day = Counter(t.date().isoformat() for t in times)
    assert per_day == {"2026-10-25": 1, "2026-10-26": 1, "2026-10-27": 1}
    assert times[0].utcoffset() == timedelta(hours=2)  # the first 02:30, still summer time


def test_a_time_in_the_skipped_hour_fires_once_an_hour_later_by_the_clock() -> None:
    times = fires("daily@02:30", MADRID, datetime(2026, 3, 28, 12, tzinfo=UTC), days=2)
    assert [t.strftime("%m-%d %H:%M") for t in times] == ["03-29 03:30", "03-30 02:30"]


def test_weekly_digest_keeps_its_day_and_hour_across_dst() -> None:
    times = fires("weekly@sun@08:00", NEW_YORK, datetime(2026, 10, 20, tzinfo=UTC), days=21)
    assert [t.strftime("%a %d %H:%M") for t in times] == [
        "Sun 25 08:00",
        "Sun 01 08:00",  # the fall-back day itself
        "Sun 08 08:00",
    ]


def test_every_hour_counts_real_hours_through_the_doubled_hour() -> None:
    start = datetime(2026, 11, 1, 4, tzinfo=UTC)  # 00:00 EDT
    times = fires("hourly", NEW_YORK, start, days=1, tick_minutes=1)
    assert len(times) == 24
    gaps = {b.astimezone(UTC) - a.astimezone(UTC) for a, b in zip(times, times[1:], strict=False)}
    assert gaps == {timedelta(hours=1)}


def test_instant_is_always_due_and_a_period_ending_later_is_not() -> None:
    now = datetime(2026, 5, 1, 7, 59, tzinfo=UTC)
    assert is_due(parse_schedule("instant"), MADRID, now, now)
    assert not is_due(parse_schedule("daily@10:00"), MADRID, now - timedelta(hours=1), now)
    assert next_run(parse_schedule("daily@10:00"), MADRID, now) == datetime(
        2026, 5, 1, 8, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("local", "quiet", "ends"),
    [
        ("23:30", "22:00-07:00", "07:00 next day"),
        ("03:00", "22:00-07:00", "07:00 same day"),
        ("12:00", "22:00-07:00", None),
        ("13:00", "12:00-14:00", "14:00 same day"),
        ("14:00", "12:00-14:00", None),
    ],
    ids=["late-evening", "small-hours", "midday", "lunch", "lunch-over"],
)
def test_quiet_hours_hold_digests_until_they_end(local: str, quiet: str, ends: str | None) -> None:
    hour, minute = map(int, local.split(":"))
    now = datetime(2026, 3, 28, hour, minute, tzinfo=MADRID).astimezone(UTC)
    until = quiet_until(parse_quiet_hours(quiet), MADRID, now)
    if ends is None:
        assert until is None
        return
    assert until is not None
    shown = until.astimezone(MADRID)
    day = "next day" if shown.date() > now.astimezone(MADRID).date() else "same day"
    assert f"{shown:%H:%M} {day}" == ends


def test_quiet_hours_end_by_the_new_clock_after_spring_forward() -> None:
    now = datetime(2026, 3, 28, 23, 0, tzinfo=MADRID).astimezone(UTC)
    until = quiet_until(parse_quiet_hours("22:00-07:00"), MADRID, now)
    assert until is not None
    assert until.astimezone(MADRID).strftime("%d %H:%M %Z") == "29 07:00 CEST"


@pytest.mark.parametrize("text", ["22:00", "07:00-07:00", "25:00-01:00"], ids=str)
def test_wrong_quiet_hours_are_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="quiet hours"):
        parse_quiet_hours(text)
