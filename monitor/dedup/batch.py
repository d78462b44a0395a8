"""The batch behind ``newswatch dedup``: one ``Deduplicator`` over a JSON Lines file of items.

Pure: it reads the lines it is given (the CLI opens the file) and yields decisions; ``now`` is
taken from the items, never from the clock. A bad line raises ``DedupInputError`` naming it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from monitor.dedup.deduplicator import Deduplicator
from monitor.dedup.features import EPOCH, DedupItem, event_time
from watchlists.errors import NewswatchError

__all__ = ["DedupInputError", "dedup_jsonl"]


class DedupInputError(NewswatchError, ValueError):
    """A JSONL line given to ``dedup_jsonl`` is not a usable item; names the line."""

    def __init__(self, message: str, *, line: int, hint: str | None = None) -> None:
        super().__init__(f"line {line}: {message}", hint=hint)
        self.line = line


def dedup_jsonl(lines: Iterable[str]) -> Iterator[dict[str, str]]:
    """Run one ``Deduplicator`` over JSON Lines items; yield ``{"id", "cluster"}`` in order.

    Each line is an object with ``id``, ``title``, ``summary`` and optional ``url``,
    ``source``, ``published`` (ISO 8601), ``language``, ``guid``, ``feed``. Without ``feed``
    the ``source`` stands in for it. ``now`` is the latest publication time seen so far, so
    the result does not depend on the wall clock. Blank lines are skipped; a bad line raises
    ``DedupInputError`` naming its number.
    """
    dedup = Deduplicator()
    now: datetime | None = None
    seen_ids: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        item = _parse_line(line, number)
        if item.id in seen_ids:
            raise DedupInputError(f"duplicate id {item.id!r}", line=number, hint="ids are unique")
        seen_ids.add(item.id)
        stamp = event_time(item.published, item.published or now or EPOCH)
        now = stamp if now is None or stamp > now else now
        decision = dedup.decide(item, now)
        yield {"id": item.id, "cluster": decision.cluster}


def _parse_line(line: str, number: int) -> DedupItem:
    def fail(message: str, hint: str = "write one JSON object per line") -> DedupInputError:
        return DedupInputError(message, line=number, hint=hint)

    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise fail(f"not JSON: {exc.msg} (column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise fail("not a JSON object")
    if not isinstance(data.get("id"), str) or not data["id"]:
        raise fail("missing or empty string field 'id'", 'e.g. {"id": "a1", "title": "…"}')
    fields: dict[str, str | None] = {}
    for name in ("title", "summary", "url", "source", "guid", "feed", "published"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise fail(f"field {name!r} must be a string", f"quote the {name}")
        fields[name] = value
    published: datetime | None = None
    if fields["published"]:
        try:
            published = datetime.fromisoformat(fields["published"].replace("Z", "+00:00"))
        except ValueError as exc:
            raise fail(
                f"published is not ISO 8601: {fields['published']!r}", "e.g. 2024-04-06T04:12:00Z"
            ) from exc
    return DedupItem(
        id=data["id"],
        feed=fields["feed"] or fields["source"] or "",
        guid=fields["guid"],
        url=fields["url"],
        title=fields["title"] or "",
        summary=fields["summary"] or "",
        published=published
        if published is None or published.tzinfo
        else published.replace(tzinfo=UTC),
        source=fields["source"],
    )
