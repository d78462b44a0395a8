"""Polite polling against a real local server: schedule hints, backoff and recovery,
permanent redirects, per-host limits and spacing, one fetch per URL, the User-Agent."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.fetch.limits import OncePerUrl
from monitor.poll.ingest import CycleReport, Ingestor
from storage.feeds import add_feed, list_feeds
from storage.records import FeedRecord
from tests.support.feeds import Item, rss
from tests.support.hostile import ScriptServer, redirect, running, send, static

FEED = rss("Wire", [Item("w-1", "Embassy raid in Quito", "Police entered.", "https://w.example/1")])


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def server() -> Iterator[ScriptServer]:
    with running(ScriptServer()) as script:
        yield script


@pytest.fixture
def engine(sqlite_engine: Engine) -> Engine:
    """These polling tests run on SQLite only; the storage tests cover PostgreSQL."""
    return sqlite_engine


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return replace(Settings(), data_dir=tmp_path, allow_private_networks=True, host_spacing=0.001)


def cycle(engine: Engine, settings: Settings, clock: Clock) -> CycleReport:
    ingestor = Ingestor(engine, settings, clock=clock)
    try:
        return asyncio.run(ingestor.run_cycle())
    finally:
        ingestor.close()


def feeds(engine: Engine) -> dict[str, FeedRecord]:
    return {f.url: f for f in list_feeds(engine)}


def test_cache_control_and_ttl_push_the_next_check(
    server: ScriptServer, engine: Engine, settings: Settings
) -> None:
    clock = Clock()
    server.handlers["/cached.xml"] = static(FEED, Cache_Control="max-age=7200")
    server.handlers["/plain.xml"] = static(FEED.replace(b"w-1", b"p-1"))
    for path in ("/cached.xml", "/plain.xml"):
        add_feed(engine, server.url(path), clock.now)
    cycle(engine, settings, clock)
    rows = feeds(engine)
    assert rows[server.url("/cached.xml")].next_check_at == clock.now + timedelta(hours=2)
    plain = rows[server.url("/plain.xml")]
    assert plain.next_check_at is not None and plain.next_check_at < clock.now + timedelta(hours=1)


def test_retry_after_holds_back_that_url_only(
    server: ScriptServer, engine: Engine, settings: Settings
) -> None:
    clock = Clock()
    server.handlers["/busy.xml"] = static(b"later", status=429, Retry_After="5400")
    server.handlers["/calm.xml"] = static(FEED)
    add_feed(engine, server.url("/busy.xml"), clock.now)
    add_feed(engine, server.url("/calm.xml"), clock.now)
    report = cycle(engine, settings, clock)
    rows = feeds(engine)
    busy = rows[server.url("/busy.xml")]
    assert busy.next_check_at == clock.now + timedelta(seconds=5400)
    assert "HTTP 429" in (busy.last_error or "")
    assert report.ok == 1 and rows[server.url("/calm.xml")].state == "healthy"
    # An hour later the busy feed is not asked again; the calm one is, when due.
    clock.now += timedelta(hours=1)
    cycle(engine, settings, clock)
    assert server.hits("/busy.xml") == 1


def test_backoff_grows_then_recovers(
    server: ScriptServer, engine: Engine, settings: Settings
) -> None:
    clock = Clock()
    server.handlers["/flaky.xml"] = static(b"down", status=503)
    add_feed(engine, server.url("/flaky.xml"), clock.now)
    waits = []
    for _ in range(4):
        cycle(engine, settings, clock)
        row = feeds(engine)[server.url("/flaky.xml")]
        assert row.next_check_at is not None
        waits.append(row.next_check_at - clock.now)
        clock.now = row.next_check_at
    assert waits == [timedelta(seconds=900 * 2**n) for n in range(4)]
    assert row.state == "failing" and row.error_count == 4
    assert "4 failures in a row" in (row.state_reason or "")
    server.handlers["/flaky.xml"] = static(FEED)
    report = cycle(engine, settings, clock)
    row = feeds(engine)[server.url("/flaky.xml")]
    assert row.state == "healthy" and row.error_count == 0 and row.last_error is None
    assert report.transitions == {server.url("/flaky.xml"): "recovered"}


def test_a_permanent_redirect_updates_the_stored_url(
    server: ScriptServer, engine: Engine, settings: Settings
) -> None:
    clock = Clock()
    server.handlers["/old.xml"] = redirect("/new.xml", status=301)
    server.handlers["/new.xml"] = static(FEED)
    server.handlers["/for-now.xml"] = redirect("/other.xml", status=302)
    server.handlers["/other.xml"] = static(FEED.replace(b"w-1", b"o-1"))
    add_feed(engine, server.url("/old.xml"), clock.now)
    add_feed(engine, server.url("/for-now.xml"), clock.now)
    report = cycle(engine, settings, clock)
    urls = set(feeds(engine))
    assert urls == {server.url("/new.xml"), server.url("/for-now.xml")}
    assert report.moved == {server.url("/old.xml"): server.url("/new.xml")}


def _tracking(delay: float) -> tuple[dict[str, object], object]:
    seen: dict[str, object] = {"now": 0, "max": 0, "starts": []}
    lock = threading.Lock()

    def handler(request: BaseHTTPRequestHandler) -> None:
        with lock:
            seen["now"] = int(seen["now"]) + 1  # type: ignore[call-overload]
            seen["max"] = max(int(seen["max"]), int(seen["now"]))  # type: ignore[call-overload]
            seen["starts"].append(time.monotonic())  # type: ignore[attr-defined]
        time.sleep(delay)
        with lock:
            seen["now"] = int(seen["now"]) - 1  # type: ignore[call-overload]
        send(request, 200, FEED.replace(b"w-1", request.path.encode()))

    return seen, handler


def test_one_host_gets_at_most_its_share_spaced_out(
    server: ScriptServer, engine: Engine, settings: Settings
) -> None:
    clock = Clock()
    seen, handler = _tracking(delay=0.1)
    for n in range(6):
        server.handlers[f"/f{n}.xml"] = handler  # type: ignore[assignment]
        add_feed(engine, server.url(f"/f{n}.xml"), clock.now)
    polite = replace(settings, per_host_concurrency=2, host_spacing=0.1, fetch_concurrency=16)
    report = cycle(engine, polite, clock)
    assert report.ok == 6
    assert seen["max"] == 2
    starts = sorted(seen["starts"])  # type: ignore[call-overload]
    assert starts[-1] - starts[0] >= 5 * 0.1 * 0.8  # six starts, spaced out


def test_the_user_agent_says_who_polls(
    server: ScriptServer, engine: Engine, settings: Settings
) -> None:
    clock = Clock()
    server.handlers["/ua.xml"] = static(FEED)
    add_feed(engine, server.url("/ua.xml"), clock.now)
    cycle(engine, settings, clock)
    agent = server.headers_of("/ua.xml")[0]["user-agent"]
    assert agent == settings.user_agent and agent.startswith("newswatch/")
    assert "gzip" in server.headers_of("/ua.xml")[0]["accept-encoding"]


def test_unchanged_feed_is_asked_conditionally_and_grows_its_interval(
    server: ScriptServer, engine: Engine, settings: Settings
) -> None:
    clock = Clock()
    server.handlers["/same.xml"] = static(FEED, ETag='"v1"')
    url = server.url("/same.xml")
    add_feed(engine, url, clock.now)
    cycle(engine, settings, clock)

    def not_modified(request: BaseHTTPRequestHandler) -> None:
        assert request.headers.get("If-None-Match") == '"v1"'
        request.send_response(304)
        request.send_header("ETag", '"v1"')
        request.end_headers()

    server.handlers["/same.xml"] = not_modified
    first = feeds(engine)[url].poll_interval
    clock.now = feeds(engine)[url].next_check_at or clock.now
    cycle(engine, settings, clock)
    row = feeds(engine)[url]
    assert row.state == "healthy" and row.poll_interval is not None and first is not None
    assert row.poll_interval > first


def test_one_fetch_per_url_however_many_ask() -> None:
    calls = []

    async def fetch() -> str:
        calls.append(1)
        await asyncio.sleep(0.01)
        return "body"

    async def go() -> list[str]:
        once = OncePerUrl()
        return list(await asyncio.gather(*(once.run("https://a/rss", fetch) for _ in range(5))))

    assert asyncio.run(go()) == ["body"] * 5 and len(calls) == 1


def test_a_server_without_validators_sending_the_same_body_is_not_parsed_again(
    server: ScriptServer, engine: Engine, settings: Settings
) -> None:
    clock = Clock()
    server.handlers["/bare.xml"] = static(FEED)  # no ETag, no Last-Modified
    add_feed(engine, server.url("/bare.xml"), clock.now)
    ingestor = Ingestor(engine, settings, clock=clock)
    try:
        first = asyncio.run(ingestor.run_cycle())
        clock.now = feeds(engine)[server.url("/bare.xml")].next_check_at or clock.now
        second = asyncio.run(ingestor.run_cycle())
        server.handlers["/bare.xml"] = static(FEED.replace(b"</channel>", NEW_ITEM + b"</channel>"))
        clock.now = feeds(engine)[server.url("/bare.xml")].next_check_at or clock.now
        third = asyncio.run(ingestor.run_cycle())
    finally:
        ingestor.close()
    assert (first.new_stories, first.not_modified) == (1, 0)
    assert (second.new_stories, second.not_modified, second.ok) == (0, 1, 1)
    assert (third.new_stories, third.not_modified) == (1, 0)
    assert server.hits("/bare.xml") == 3


NEW_ITEM = (
    b"<item><title>Mexico takes Ecuador to the ICJ</title><link>https://w.example/2</link>"
    b'<guid isPermaLink="false">w-2</guid></item>'
)


@pytest.mark.parametrize("in_pool", [False, True], ids=["inline", "parser-processes"])
def test_a_restarted_service_remembers_what_it_stored(
    server: ScriptServer,
    engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    in_pool: bool,
) -> None:
    """After a restart the same items are known, however old their publication dates."""
    from monitor.poll import memory

    caplog.set_level("INFO", logger="monitor.poll.memory")
    if in_pool:  # a handful of stories stands in for the many that use the parser processes
        monkeypatch.setattr(memory, "SEED_CHUNK", 4)
        monkeypatch.setattr(memory, "SEED_AHEAD", 1)
    items = [
        Item(
            f"r-{n}",
            f"Storm number {n} reaches the coast",
            f"Winds of {n}0 km/h were seen.",
            f"https://w.example/storm/{n}",
        )
        for n in range(12)
    ]  # published in 2024: long before the memory window
    server.handlers["/storms.xml"] = static(rss("Weather wire", items))  # no validators
    clock = Clock()
    add_feed(engine, server.url("/storms.xml"), clock.now)
    first = cycle(engine, settings, clock)
    clock.now += timedelta(hours=2)
    second = cycle(engine, settings, clock)  # a new process: the memory is loaded from storage
    assert (first.new_stories, second.new_stories) == (12, 0)
    assert second.not_modified == 0  # the body was parsed again, and every item recognised
    # Loading many stories takes seconds: the user is told (here "many" is 4).
    assert ("12 stories loaded in" in caplog.text) is in_pool
