"""Cursor pages over real HTTP: subscriptions, digests and a subscription's delivery history.

Every list is walked page by page with ``next_cursor``; each row must come
exactly once, in order, also when several digests were made at the same moment.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from monitor.clock import utcnow
from monitor.config import Settings
from storage.digests import create_digest
from storage.subscriptions import add_subscription
from tests.support.web import web_server


@pytest.fixture
def api(settings: Settings, engine: Engine) -> Iterator[httpx.Client]:
    with web_server(settings, engine) as url:
        with httpx.Client(base_url=url + "api/v1", timeout=20) as client:
            yield client


def _walk(api: httpx.Client, path: str, limit: int, **params: Any) -> tuple[list[Any], int]:
    """Every item of a list, following next_cursor; and how many pages it took."""
    seen: list[Any] = []
    cursor: str | None = None
    pages = 0
    while True:
        asked = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = api.get(path, params=asked)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        seen += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return seen, pages
        assert pages < 50, "the cursor never ran out"


def _subscribe(engine: Engine, n: int, now: datetime) -> int:
    record = add_subscription(
        engine,
        channel="email",
        target=f"desk{n}@example.org",
        watchlists=["embassy-raids"],
        schedule="daily@08:00",
        timezone="UTC",
        now=now,
    )
    return record.id


def _digest(engine: Engine, digest_id: str, sub: int, when: datetime) -> None:
    made = create_digest(
        engine, digest_id=digest_id, subscription_id=sub, payload="", items=[], now=when
    )
    assert made


def test_subscriptions_come_in_pages_each_once(api: httpx.Client, engine: Engine) -> None:
    now = utcnow()
    made = [_subscribe(engine, n, now) for n in range(7)]  # one moment: only ids order them
    seen, pages = _walk(api, "/subscriptions", 3)
    assert [s["id"] for s in seen] == made
    assert pages == 3
    assert [s["target"] for s in seen][-1] == "desk6@example.org"
    exact, pages = _walk(api, "/subscriptions", 7)
    assert [s["id"] for s in exact] == made and pages == 2  # a full page, then an empty one


def test_digests_and_history_come_in_pages_each_once(api: httpx.Client, engine: Engine) -> None:
    now = utcnow()
    desk, other = _subscribe(engine, 1, now), _subscribe(engine, 2, now)
    expected: list[str] = []
    for minute in range(4):  # newest first; three digests share each moment
        when = now - timedelta(minutes=minute)
        for n in range(3):
            digest_id = f"nwd_{minute}_{n}"
            _digest(engine, digest_id, desk if n < 2 else other, when)
            expected.append(digest_id)
    everything, pages = _walk(api, "/digests", 2)
    assert [d["id"] for d in everything] == expected
    assert pages == 7  # 12 digests, 2 a page, and the empty page after a full one
    history, _ = _walk(api, f"/subscriptions/{desk}/digests", 3)
    assert [d["id"] for d in history] == [d for d in expected if not d.endswith("_2")]
    assert {d["subscription_id"] for d in history} == {desk}
    filtered, _ = _walk(api, "/digests", 5, subscription=other)
    assert [d["id"] for d in filtered] == [d for d in expected if d.endswith("_2")]


def test_a_cursor_from_elsewhere_is_refused_in_the_one_shape(
    api: httpx.Client, engine: Engine
) -> None:
    now = utcnow()
    sub = _subscribe(engine, 1, now)
    _digest(engine, "nwd_only", sub, now)
    number_cursor = api.get("/subscriptions", params={"limit": 1}).json()["next_cursor"]
    assert number_cursor is not None
    for path, cursor in [
        ("/digests", "not-a-cursor"),
        ("/digests", number_cursor),  # a subscription's cursor names a number, not a digest
        (f"/subscriptions/{sub}/digests", "bm90LWpzb24"),
        ("/subscriptions", "bm90LWpzb24"),
    ]:
        refused = api.get(path, params={"cursor": cursor})
        assert refused.status_code == 400, (path, refused.text)
        assert refused.json()["error"] == "invalid_cursor"
        assert "next_cursor" in refused.json()["hint"]
