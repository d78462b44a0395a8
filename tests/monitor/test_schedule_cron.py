"""Cron schedules fire when a crontab reader expects: weekdays, ranges, steps, DST, errors."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.errors import ConfigError
from monitor.schedule.cron import parse_cron
from monitor.schedule.digests import is_due, next_run, parse_schedule

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # its clocks change by half an hour
MONDAY = datetime(2026, 6, 1, tzinfo=UTC)  # 02:00 on Monday 1 June in Madrid


def fire_times(text: str, zone: ZoneInfo, start: datetime, until: datetime) -> list[datetime]:
    """Each fire time from ``start`` to ``until``, chaining next_run; local times."""
    schedule = parse_schedule(text)
    out: list[datetime] = []
    when = next_run(schedule, zone, start)
    while when < until:
        out.append(when.astimezone(zone))
        when = next_run(schedule, zone, when)
    return out


def ticked(text: str, zone: ZoneInfo, start: datetime, hours: int) -> list[datetime]:
    """Drive a schedule with a one-minute clock, as the daemon does; local fire times."""
    schedule = parse_schedule(text)
    since, now, out = start, start, []
    while now < start + timedelta(hours=hours):
        now += timedelta(minutes=1)
        if is_due(schedule, zone, since, now):
            out.append(now.astimezone(zone))
            since = now
    return out


def weekdays(text: str) -> list[str]:
    times = fire_times(text, MADRID, MONDAY, MONDAY + timedelta(days=7))
    return [f"{t:%a %H:%M}" for t in times]


@pytest.mark.parametrize(
    ("expression", "days"),
    [
        ("0 8 * * 1-5", "Mon Tue Wed Thu Fri"),
        ("0 8 * * mon-fri", "Mon Tue Wed Thu Fri"),
        ("0 8 * * MON-FRI", "Mon Tue Wed Thu Fri"),
        ("0 8 * * 0", "Sun"),
        ("0 8 * * 7", "Sun"),
        ("0 8 * * sun", "Sun"),
        ("0 8 * * 1", "Mon"),
        ("0 8 * * 6", "Sat"),
        ("0 8 * * 5-7", "Fri Sat Sun"),
        ("0 8 * * sat,0", "Sat Sun"),
        ("0 8 * * 0,7", "Sun"),
        ("0 8 * * */2", "Tue Thu Sat Sun"),
        ("0 8 * * 0-7", "Mon Tue Wed Thu Fri Sat Sun"),
        ("0 8 * * sat-sun", "Sat Sun"),
        ("0 8 * * mon-sun", "Mon Tue Wed Thu Fri Sat Sun"),
        ("0 8 * * sun-tue", "Mon Tue Sun"),
        ("0 8 * * mon-sun/2", "Mon Wed Fri Sun"),
    ],
    ids=lambda v: v,
)
def test_weekdays_are_numbered_as_crontab_numbers_them(expression: str, days: str) -> None:
    assert weekdays(f"cron:{expression}") == [f"{day} 08:00" for day in days.split()]


def test_the_hint_example_fires_monday_to_friday_at_eight_for_a_fortnight() -> None:
    times = fire_times("cron:0 8 * * 1-5", NEW_YORK, MONDAY, MONDAY + timedelta(days=14))
    assert [f"{t:%a %d %H:%M}" for t in times] == [
        f"{day} {date:02d} 08:00"
        for day, date in zip(
            ["Mon", "Tue", "Wed", "Thu", "Fri"] * 2, [1, 2, 3, 4, 5, 8, 9, 10, 11, 12], strict=True
        )
    ]


@pytest.mark.parametrize(
    ("expression", "day_of_fires"),
    [
        ("*/15 9-17 * * *", [f"{h:02d}:{m:02d}" for h in range(9, 18) for m in (0, 15, 30, 45)]),
        ("5/20 10 * * *", ["10:05", "10:25", "10:45"]),
        ("0 9-17/4 * * *", ["09:00", "13:00", "17:00"]),
        ("0,30 6,18 * * *", ["06:00", "06:30", "18:00", "18:30"]),
        ("59 23 * * *", ["23:59"]),
        ("10-12 7 * * *", ["07:10", "07:11", "07:12"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_steps_ranges_and_lists_pick_those_times_of_day(
    expression: str, day_of_fires: list[str]
) -> None:
    start = datetime(2026, 6, 2, tzinfo=MADRID)
    times = fire_times(f"cron:{expression}", MADRID, start, start + timedelta(days=1))
    assert [f"{t:%H:%M}" for t in times] == day_of_fires


@pytest.mark.parametrize(
    ("expression", "dates"),
    [
        (
            "0 8 1,15 * *",
            [
                "01-15",
                "02-01",
                "02-15",
                "03-01",
                "03-15",
                "04-01",
                "04-15",
                "05-01",
                "05-15",
                "06-01",
                "06-15",
                "07-01",
            ],
        ),
        ("0 8 1 jan,jul *", ["07-01"]),
        ("0 8 1 */6 *", ["07-01"]),
        ("0 8 1 feb-apr *", ["02-01", "03-01", "04-01"]),
        ("0 8 31 * *", ["01-31", "03-31", "05-31"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_days_and_months_are_picked_by_number_and_name(expression: str, dates: list[str]) -> None:
    start = datetime(2026, 1, 10, tzinfo=UTC)
    times = fire_times(f"cron:{expression}", MADRID, start, datetime(2026, 7, 10, tzinfo=UTC))
    assert [f"{t:%m-%d}" for t in times] == dates


def test_29_february_waits_for_the_next_leap_year() -> None:
    fire = next_run(parse_schedule("cron:0 8 29 2 *"), MADRID, datetime(2026, 3, 1, tzinfo=UTC))
    assert fire.astimezone(MADRID) == datetime(2028, 2, 29, 8, tzinfo=MADRID)


def test_a_day_of_month_and_a_weekday_fire_on_either_as_in_crontab() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)  # 13 November 2026 is a Friday
    end = datetime(2026, 12, 1, tzinfo=UTC)
    either = fire_times("cron:0 8 13 * fri", MADRID, start, end)
    assert [f"{t:%a %d}" for t in either] == ["Fri 06", "Fri 13", "Fri 20", "Fri 27"]
    either = fire_times("cron:0 8 1,2 * mon", MADRID, start, end)
    assert [f"{t:%a %d}" for t in either] == [
        "Sun 01",
        "Mon 02",
        "Mon 09",
        "Mon 16",
        "Mon 23",
        "Mon 30",
    ]
    either = fire_times("cron:0 8 20 * mon", MADRID, start, end)
    assert [f"{t:%a %d}" for t in either] == [
        "Mon 02",
        "Mon 09",
        "Mon 16",
        "Fri 20",
        "Mon 23",
        "Mon 30",
    ]


def test_a_day_field_starting_with_a_star_narrows_the_weekday_instead() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    times = fire_times("cron:0 8 */2 * mon", MADRID, start, datetime(2027, 1, 1, tzinfo=UTC))
    assert [f"{t:%a %m-%d}" for t in times] == ["Mon 11-09", "Mon 11-23", "Mon 12-07", "Mon 12-21"]


@pytest.mark.parametrize(
    ("zone", "start", "expected"),
    [
        (MADRID, datetime(2026, 3, 28, tzinfo=UTC), ["03-28 02:30", "03-29 03:30", "03-30 02:30"]),
        (
            NEW_YORK,
            datetime(2026, 3, 7, 5, tzinfo=UTC),
            ["03-07 02:30", "03-08 03:30", "03-09 02:30"],
        ),
    ],
    ids=["madrid", "new-york"],
)
def test_a_cron_time_in_the_skipped_hour_fires_once_an_hour_later(
    zone: ZoneInfo, start: datetime, expected: list[str]
) -> None:
    times = ticked("cron:30 2 * * *", zone, start, hours=72)
    assert [f"{t:%m-%d %H:%M}" for t in times] == expected


def test_cron_times_on_both_sides_of_the_skipped_hour_fire_once_each() -> None:
    start = datetime(2026, 3, 8, 5, tzinfo=UTC)  # 00:00 EST, spring forward at 02:00
    times = ticked("cron:0,30 1,2,3 * * *", NEW_YORK, start, hours=6)
    assert [f"{t:%H:%M %Z}" for t in times] == [
        "01:00 EST",
        "01:30 EST",
        "03:00 EDT",  # 02:00 moved an hour later, and 03:00 itself
        "03:30 EDT",  # 02:30 moved an hour later, and 03:30 itself
    ]


def test_a_skipped_time_moved_by_half_an_hour_does_not_hide_an_earlier_real_time() -> None:
    start = datetime(2026, 10, 4, tzinfo=LORD_HOWE).astimezone(UTC)  # 02:00 jumps to 02:30
    times = ticked("cron:10,35 2 * * *", LORD_HOWE, start, hours=24)
    assert [f"{t:%H:%M}" for t in times] == ["02:35", "02:40"]  # 02:10 fires at 02:40


@pytest.mark.parametrize(
    ("zone", "fall_day"),
    [
        (MADRID, datetime(2026, 10, 24, 22, tzinfo=UTC)),
        (NEW_YORK, datetime(2026, 11, 1, 4, tzinfo=UTC)),
    ],
    ids=["madrid", "new-york"],
)
def test_every_quarter_hour_fires_once_per_wall_clock_time_on_fall_back_day(
    zone: ZoneInfo, fall_day: datetime
) -> None:
    times = ticked("cron:*/15 * * * *", zone, fall_day, hours=25)  # the 25-hour local day
    assert len(times) == 96
    assert Counter(f"{t:%H:%M}" for t in times) == {
        f"{h:02d}:{m:02d}": 1 for h in range(24) for m in (0, 15, 30, 45)
    }
    doubled = [t for t in times if t.hour == (2 if zone is MADRID else 1)]
    assert {t.fold for t in doubled} == {0}  # the first occurrence


def test_weekday_cron_keeps_eight_local_across_the_autumn_change() -> None:
    start = datetime(2026, 10, 26, tzinfo=UTC)  # a Monday; New York falls back on Sunday 1 Nov
    times = fire_times("cron:0 8 * * 1-5", NEW_YORK, start, start + timedelta(days=14))
    assert [f"{t:%a %H:%M}" for t in times] == [
        "Mon 08:00",
        "Tue 08:00",
        "Wed 08:00",
        "Thu 08:00",
        "Fri 08:00",
    ] * 2
    assert {t.utcoffset() for t in times[:5]} != {t.utcoffset() for t in times[5:]}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("cron:0 8 * * 8", "day-of-week 8 in '8' is out of range 0-7"),
        ("cron:0 24 * * *", "hour 24 in '24' is out of range 0-23"),
        ("cron:0 8 0 * *", "day-of-month 0 in '0' is out of range 1-31"),
        ("cron:0 8 * 13 *", "month 13 in '13' is out of range 1-12"),
        ("cron:0 8 * * fri-mon", "day-of-week range 'fri-mon' runs backwards"),
        ("cron:0 8 * * funday", "day-of-week 'funday' is not a number or sun-sat"),
        ("cron:0 8 * smarch *", "month 'smarch' is not a number or jan-dec"),
        ("cron:0 8 * * mon-funday", "day-of-week 'funday' in 'mon-funday' is not a number"),
        ("cron:0 ² * * *", "hour '²' is not a number"),
        ("cron:0 8 * * 1/²", "day-of-week '1/²' needs a whole step"),
        ("cron:*/0 * * * *", "minute '*/0' needs a whole step"),
        ("cron:0 8,,9 * * *", "hour '8,,9' has an empty list item"),
        ("cron:0 8 * *", "has 4 fields, not 5"),
        ("cron:0 8 * * * *", "has 6 fields, not 5"),
        ("cron:0 8 30 feb *", "never fires"),
        ("cron:0 8 31 4,6,9,11 *", "never fires"),
    ],
    ids=lambda v: v,
)
def test_a_wrong_cron_expression_names_the_field_and_how_to_fix_it(text: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_schedule(text)
    assert f"schedule '{text}' is not a valid cron expression" in str(caught.value)
    assert says in str(caught.value)
    assert caught.value.hint


def test_a_backwards_range_is_refused_with_a_wrapped_range_that_works() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_schedule("cron:0 8 * * fri-mon")
    assert caught.value.hint is not None
    suggestion = caught.value.hint.split("'")[1]
    assert suggestion == "fri-7,0-mon"
    assert weekdays(f"cron:0 8 * * {suggestion}") == [
        f"{day} 08:00" for day in ["Mon", "Fri", "Sat", "Sun"]
    ]


def test_an_out_of_range_weekday_is_told_that_0_and_7_are_sunday() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_schedule("cron:0 8 * * 8")
    assert caught.value.hint is not None
    assert "0 and 7 are Sunday" in caught.value.hint


def test_a_day_that_exists_in_some_month_of_the_list_is_accepted() -> None:
    times = fire_times(
        "cron:0 8 31 2,3 *",
        MADRID,
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert [f"{t:%m-%d}" for t in times] == ["03-31"]


def test_digest_schedules_do_not_load_apscheduler() -> None:
    code = (
        "import sys, monitor.schedule.digests as d;"
        "d.next_run(d.parse_schedule('cron:0 8 * * 1-5'), d.parse_timezone('UTC'),"
        " __import__('datetime').datetime(2026, 1, 1, tzinfo=__import__('datetime').UTC));"
        "print('apscheduler' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def reference_fires(text: str, zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """Every wall-clock minute of the period tried one by one: the instants it names."""
    expression = parse_cron(text)
    allowed = set(expression.times)
    wall = (start.astimezone(zone) - timedelta(days=1)).replace(tzinfo=None, second=0)
    out: set[datetime] = set()
    while wall < (end.astimezone(zone) + timedelta(days=1)).replace(tzinfo=None):
        if wall.time() in allowed and expression.fires_on(wall.date()):
            instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
            if start < instant < end:
                out.add(instant)
        wall += timedelta(minutes=1)
    return sorted(out)


def random_expression(rng: random.Random) -> str:
    def part(low: int, high: int, star: float) -> str:
        roll = rng.random()
        if roll < star:
            return "*"
        if roll < star + 0.2:
            return f"*/{rng.randint(2, max(2, (high - low) // 2))}"
        if roll < star + 0.4:
            first = rng.randint(low, high)
            return f"{first}-{rng.randint(first, high)}"
        return ",".join(str(v) for v in sorted(rng.sample(range(low, high + 1), rng.randint(1, 3))))

    return " ".join(
        [part(0, 59, 0.05), part(0, 23, 0.3), part(1, 31, 0.6), part(1, 12, 0.8), part(0, 7, 0.6)]
    )


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        (MADRID, datetime(2026, 3, 28, tzinfo=UTC)),
        (MADRID, datetime(2026, 10, 24, tzinfo=UTC)),
        (NEW_YORK, datetime(2026, 3, 7, tzinfo=UTC)),
        (NEW_YORK, datetime(2026, 10, 31, tzinfo=UTC)),
        (LORD_HOWE, datetime(2026, 4, 4, tzinfo=UTC)),
        (LORD_HOWE, datetime(2026, 10, 3, tzinfo=UTC)),
        (ZoneInfo("America/Havana"), datetime(2026, 3, 7, tzinfo=UTC)),  # midnight is skipped
    ],
    ids=[
        "madrid-spring",
        "madrid-autumn",
        "new-york-spring",
        "new-york-autumn",
        "lord-howe-autumn",
        "lord-howe-spring",
        "havana-spring",
    ],
)
def test_next_run_agrees_with_trying_every_minute_across_dst(
    zone: ZoneInfo, start: datetime
) -> None:
    rng = random.Random(f"{zone.key}{start:%m}")
    end = start + timedelta(days=2)
    for _ in range(15):
        text = random_expression(rng)
        if not parse_cron(text).either_day and not any(
            parse_cron(text).fires_on(start.date() + timedelta(days=d)) for d in range(-1, 5)
        ):
            continue  # fires on none of these days
        assert fire_times(f"cron:{text}", zone, start, end) == [
            t.astimezone(zone) for t in reference_fires(text, zone, start, end)
        ], text
