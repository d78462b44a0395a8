"""Charts drawn on the server as SVG: alerts per watchlist per day, time to alert, feed health.

Pure: counts in, SVG text out (no script, no style sheet, no outside font), so
a chart reads the same without JavaScript and in any browser. Every label
is escaped; every bar has a ``<title>`` with its exact number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Protocol

from markupsafe import Markup, escape

PALETTE = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#0a7d8c", "#57606a")
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 44


def _scale_top(largest: int) -> int:
    """A round number (1, 2, 5, 10, 20, 50 …) at or above ``largest``, for the axis."""
    for magnitude in (int(10**k) for k in range(0, 12)):
        for step in (1, 2, 5):
            if step * magnitude >= largest:
                return max(step * magnitude, 1)
    return int(largest)


def _axis(top: int, plot_h: float) -> list[str]:
    parts = []
    for fraction in (0, 0.5, 1):
        value = f"{top * fraction:g}"
        y = TOP + plot_h - plot_h * fraction
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#d0d7de" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#57606a">{value}</text>'
        )
    return parts


def alerts_per_day(counts: dict[tuple[str, date], int], days: Sequence[date], title: str) -> Markup:
    """Stacked bars: one bar a day, one colour a watchlist, a legend below."""
    return stacked_per_day(counts, days, title, "no alerts in this period")


def stacked_per_day(
    counts: Mapping[tuple[str, date], int],
    days: Sequence[date],
    title: str,
    empty: str,
    colours: Mapping[str, str] | None = None,
) -> Markup:
    """Stacked bars, one a day, one colour a name (``colours``' order and colours if given)."""
    found = {name for name, _ in counts}
    names = [n for n in colours if n in found] if colours else sorted(found)

    def colour(j: int, name: str) -> str:
        return colours[name] if colours else PALETTE[j % len(PALETTE)]

    totals = [sum(counts.get((n, d), 0) for n in names) for d in days]
    top = _scale_top(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(days), 1)
    bar = max(slot * 0.7, 1.0)
    legend_rows = (len(names) + 3) // 4
    full_height = HEIGHT + 18 * legend_rows
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {full_height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        *_axis(top, plot_h),
    ]
    for i, day in enumerate(days):
        x = LEFT + i * slot + (slot - bar) / 2
        base: float = TOP + plot_h
        for j, name in enumerate(names):
            value = counts.get((name, day), 0)
            if not value:
                continue
            h = plot_h * value / top
            base -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour(j, name)}"><title>{escape(name)}, {day.isoformat()}: '
                f"{value}</title></rect>"
            )
        if len(days) <= 16 or i % 2 == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" '
                f'font-size="11" fill="#57606a">{day.strftime("%m-%d")}</text>'
            )
    for j, name in enumerate(names):
        row, column = divmod(j, 4)
        x, y = LEFT + column * (plot_w / 4), HEIGHT + row * 18 - 6
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 10}" width="12" height="12" fill="{colour(j, name)}"/>'
            f'<text x="{x + 18:.1f}" y="{y}" font-size="12" fill="#1f2328">{escape(name)}</text>'
        )
    if not names:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{TOP + plot_h / 2}" text-anchor="middle" font-size="14" '
            f'fill="#57606a">{escape(empty)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


DELAY_BUCKETS: tuple[tuple[str, float], ...] = (
    ("< 5 min", 300),
    ("5–15 min", 900),
    ("15–60 min", 3600),
    ("1–3 h", 3 * 3600),
    ("3–12 h", 12 * 3600),
    ("12–24 h", 86400),
    ("> 1 day", float("inf")),
)


def delay_buckets(delays: Sequence[float]) -> list[tuple[str, int]]:
    counts = [0] * len(DELAY_BUCKETS)
    for seconds in delays:
        for index, (_, limit) in enumerate(DELAY_BUCKETS):
            if seconds < limit:
                counts[index] += 1
                break
    return [(label, counts[i]) for i, (label, _) in enumerate(DELAY_BUCKETS)]


def histogram(buckets: Sequence[tuple[str, int]], title: str) -> Markup:
    """One bar per bucket, its count above it."""
    top = _scale_top(max((c for _, c in buckets), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(buckets), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        *_axis(top, plot_h),
    ]
    for i, (label, count) in enumerate(buckets):
        x = LEFT + i * slot + slot * 0.15
        h = plot_h * count / top
        y = TOP + plot_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'fill="{PALETTE[0]}"><title>{escape(label)}: {count}</title></rect>'
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
            f'font-size="11" fill="#1f2328">{count}</text>'
            f'<text x="{x + slot * 0.35:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" '
            f'font-size="11" fill="#57606a">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


# Feed states, healthiest first, in the colours of the feed health table.
STATE_COLOURS = {
    "healthy": "#1a7f37",
    "new": "#57606a",
    "degraded": "#d4a72c",
    "stale": "#9a6700",
    "failing": "#d1242f",
    "dead": "#6e1a1f",
}


class FeedDayCount(Protocol):
    """One feed's day, as ``storage.feed_days`` reads it."""

    @property
    def feed_url(self) -> str: ...
    @property
    def day(self) -> date: ...
    @property
    def polls(self) -> int: ...
    @property
    def failures(self) -> int: ...
    @property
    def state(self) -> str: ...


def feed_states(rows: Iterable[FeedDayCount], days: Sequence[date], title: str) -> Markup:
    """Stacked bars: the feeds polled each day, by their health at the day's last poll."""
    counts: dict[tuple[str, date], int] = {}
    for row in rows:
        key = (row.state if row.state in STATE_COLOURS else "new", row.day)
        counts[key] = counts.get(key, 0) + 1
    return stacked_per_day(counts, days, title, "no feed was polled in this period", STATE_COLOURS)


def worst_feeds(rows: Iterable[FeedDayCount], limit: int = 10) -> list[tuple[str, int, int, int]]:
    """(feed URL, polls, failed polls, days with a failure), most failed polls first."""
    totals: dict[str, list[int]] = {}
    for row in rows:
        total = totals.setdefault(row.feed_url, [0, 0, 0])
        total[0] += row.polls
        total[1] += row.failures
        total[2] += 1 if row.failures else 0
    failing = [(url, t[0], t[1], t[2]) for url, t in totals.items() if t[1]]
    failing.sort(key=lambda r: (-r[2], r[0]))
    return failing[:limit]
