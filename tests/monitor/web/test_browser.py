"""The console in a real browser: Debian's Chromium, driven headless by Playwright.

Playwright never downloads a browser here: it is given ``/usr/bin/chromium``
(installed by ``.ci/run``). Screenshots of the main pages, at desktop and
phone widths, are saved under ``build/screenshots/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from monitor.clock import utcnow
from monitor.config import Settings
from tests.support.feeds import Item, rss
from tests.support.servers import FeedServer, Route, serving
from tests.support.web import RAID, TOKEN, Told, store_stories, web_server

CHROMIUM = Path(os.environ.get("NEWSWATCH_TEST_CHROMIUM", "/usr/bin/chromium"))
SHOTS = Path(__file__).parents[3] / "build" / "screenshots"

sync_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    pytest.skip(f"no browser at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)

HOSTILE = Told(
    '<script>alert("title")</script>Mexican embassy in Quito raided <img src=x onerror="alert(1)">',
    'Jorge Glas <a href="javascript:alert(2)">detained</a> at the embassy '
    '<svg onload="alert(3)"></svg><img src="https://evil.example/pixel.png">',
    source="Hostile <b>Wire</b>",
    url="javascript:alert(4)",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    from dataclasses import replace

    from storage.database import migrate, open_engine

    folder = tmp_path_factory.mktemp("console")
    engine = open_engine(f"sqlite:///{folder / 'newswatch.db'}")
    migrate(engine)
    store_stories(engine, [RAID, HOSTILE], utcnow())
    settings = replace(Settings(), data_dir=folder, allow_private_networks=True)
    with web_server(settings, engine, token=TOKEN) as url:
        yield url, engine
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object, site: tuple[str, Engine]) -> Iterator[object]:
    url = site[0]
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    opened = context.new_page()
    dialogs: list[str] = []
    outside: list[str] = []
    opened.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    opened.on("request", lambda r: None if r.url.startswith(url) else outside.append(r.url))
    opened.dialogs, opened.outside, opened.base = dialogs, outside, url
    yield opened
    context.close()


def _shoot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]
    page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=True)  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 1280, "height": 900})  # type: ignore[attr-defined]


def _login(page: object) -> None:
    p: object = page
    p.goto(p.base + "login?next=/watchlists/new")  # type: ignore[attr-defined]
    p.fill("input[name=token]", "wrong")  # type: ignore[attr-defined]
    p.click("button[type=submit] >> text=Log in")  # type: ignore[attr-defined]
    assert "That is not the admin token" in p.content()  # type: ignore[attr-defined]
    p.fill("input[name=token]", TOKEN)  # type: ignore[attr-defined]
    p.click("button[type=submit] >> text=Log in")  # type: ignore[attr-defined]
    p.wait_for_url("**/watchlists/new")  # type: ignore[attr-defined]


def test_log_in_and_the_session_cookie(page: object) -> None:
    _login(page)
    cookies = {c["name"]: c for c in page.context.cookies()}  # type: ignore[attr-defined]
    session = cookies["newswatch_session"]
    assert session["httpOnly"] is True and session["sameSite"] == "Strict"
    assert TOKEN not in session["value"]
    assert "Log out" in page.content()  # type: ignore[attr-defined]


def test_create_a_watchlist_in_the_editor(page: object, site: tuple[str, Engine]) -> None:
    from storage.watchlist_store import get_watchlist

    _login(page)
    p: object = page
    broken = (
        "name: raid-watch\n"
        "description: Raids on embassies\n"
        "groups:\n"
        "  places:\n"
        "    - embassy\n"
        "  acts:\n"
        "    - raid\n"
        "rules:\n"
        "  - name: raid-on-embassy\n"
        "    all_of: [places, deeds]\n"
    )
    p.fill("textarea[name=text]", broken)  # type: ignore[attr-defined]
    # As typed: the script checks the text through the API and names the line.
    p.wait_for_selector("#check.error >> text=line 10")  # type: ignore[attr-defined]
    p.click("button[value=check]")  # type: ignore[attr-defined]
    assert "line 10" in p.inner_text("#check")  # type: ignore[attr-defined]
    assert "deeds" in p.inner_text("#check")  # type: ignore[attr-defined]
    _shoot(p, "editor-error")
    p.fill("textarea[name=text]", broken.replace("deeds", "acts"))  # type: ignore[attr-defined]
    p.wait_for_selector("#check.ok")  # type: ignore[attr-defined]
    p.click("button[value=try]")  # type: ignore[attr-defined]
    tried = p.inner_text(".tryout")  # type: ignore[attr-defined]
    assert "Would have caught (2)" in tried
    assert RAID.title in tried
    _shoot(p, "editor-try")
    p.click("button[value=save]")  # type: ignore[attr-defined]
    p.wait_for_url("**/watchlists/raid-watch?saved=1")  # type: ignore[attr-defined]
    assert "Saved as version 1" in p.content()  # type: ignore[attr-defined]
    record = get_watchlist(site[1], "raid-watch")
    assert record is not None and "all_of: [places, acts]" in record.text


def test_add_a_feed_found_from_a_site_page(page: object) -> None:
    feeds = FeedServer()
    page_html = (
        b'<html><head><link rel="alternate" type="application/rss+xml" title="Wire" '
        b'href="/rss.xml"></head><body>news</body></html>'
    )
    feeds.routes["/"] = Route(page_html, headers={"Content-Type": "text/html; charset=utf-8"})
    feeds.routes["/rss.xml"] = Route(
        rss("Loopback Wire", [Item("a", "A story", "text", "https://example.org/a")])
    )
    with serving(feeds):
        _login(page)
        p: object = page
        p.goto(p.base + "feeds")  # type: ignore[attr-defined]
        p.fill("input[name=url]", feeds.url("/"))  # type: ignore[attr-defined]
        p.click("button >> text=Add")  # type: ignore[attr-defined]
        message = p.inner_text("p.ok")  # type: ignore[attr-defined]
        assert "added" in message and feeds.url("/rss.xml") in message
        assert feeds.url("/rss.xml") in p.inner_text("table.health")  # type: ignore[attr-defined]
        _shoot(p, "feeds")


def test_a_matched_story_shows_its_highlights(page: object) -> None:
    p: object = page
    p.goto(p.base + "alerts?watchlist=embassy-raids")  # type: ignore[attr-defined]
    marks = p.locator(".cluster mark").all_inner_texts()  # type: ignore[attr-defined]
    assert {"embassy", "raid"} <= set(marks)
    _shoot(p, "alerts")
    p.click("text=why it matched >> nth=0")  # type: ignore[attr-defined]
    assert "Why it matched" in p.content()  # type: ignore[attr-defined]
    assert p.locator("table mark").count() > 0  # type: ignore[attr-defined]
    _shoot(p, "story")
    p.goto(p.base + "charts")  # type: ignore[attr-defined]
    assert p.locator("svg.chart rect").count() > 0  # type: ignore[attr-defined]
    _shoot(p, "charts")


def test_hostile_feed_text_renders_inert(page: object) -> None:
    p: object = page
    p.goto(p.base + "alerts")  # type: ignore[attr-defined]
    p.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    text = p.inner_text("main")  # type: ignore[attr-defined]
    assert '<script>alert("title")</script>' in text  # shown as text, not run
    assert p.locator("main script").count() == 0  # type: ignore[attr-defined]
    assert p.locator("main img, main svg:not(.chart)").count() == 0  # type: ignore[attr-defined]
    hrefs = p.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")  # type: ignore[attr-defined]
    assert not [h for h in hrefs if h and h.lower().startswith("javascript")]
    (story_link,) = [h for h in hrefs if h and h.startswith("/stories/")][1:2] or [None]
    for path in ["alerts", "alerts?source=Hostile <b>Wire</b>"] + (
        [story_link[1:]] if story_link else []
    ):
        p.goto(p.base + path)  # type: ignore[attr-defined]
        p.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert p.dialogs == []  # type: ignore[attr-defined]
    assert p.outside == []  # type: ignore[attr-defined]


def test_subscription_page_previews_the_digest_as_received(
    page: object, site: tuple[str, Engine]
) -> None:
    from storage.subscriptions import add_subscription

    now = utcnow()
    mail = add_subscription(
        site[1],
        channel="email",
        target="desk@example.org",
        watchlists=["embassy-raids"],
        schedule="daily@08:00",
        timezone="UTC",
        now=now,
    )
    hook = add_subscription(
        site[1],
        channel="webhook",
        target="https://hooks.example/x",
        watchlists=["embassy-raids"],
        schedule="instant",
        timezone="UTC",
        now=now,
        format="slack",
    )
    p: object = page
    p.goto(p.base + f"subscriptions/{mail.id}")  # type: ignore[attr-defined]
    frame = p.frame_locator("iframe.preview")  # type: ignore[attr-defined]
    assert RAID.title in frame.locator("body").inner_text()
    assert frame.locator("mark").count() > 0
    assert "(2 stories)" in p.inner_text("main")  # type: ignore[attr-defined]
    assert "Delivery history" in p.inner_text("main")  # type: ignore[attr-defined]
    _shoot(p, "subscription-email")
    p.goto(p.base + f"subscriptions/{hook.id}")  # type: ignore[attr-defined]
    body = p.inner_text("pre.json")  # type: ignore[attr-defined]
    assert '"blocks"' in body and "Jorge Glas" in body
    p.goto(p.base + "subscriptions")  # type: ignore[attr-defined]
    _shoot(p, "subscriptions")
    assert p.dialogs == [] and p.outside == []  # type: ignore[attr-defined]


def test_add_a_subscription_fix_its_address_and_pause_it(
    page: object, site: tuple[str, Engine]
) -> None:
    from storage.subscriptions import get_subscription

    _login(page)
    p: object = page
    p.goto(p.base + "subscriptions")  # type: ignore[attr-defined]
    if p.get_attribute("details#add", "open") is None:  # type: ignore[attr-defined]
        p.click("details#add > summary")  # type: ignore[attr-defined]
    p.fill("#add textarea[name=email]", "analyst-at-example.org")  # type: ignore[attr-defined]
    p.check("#add input[name=watchlist][value=embassy-raids]")  # type: ignore[attr-defined]
    p.fill("#add input[name=every]", "daily@07:30")  # type: ignore[attr-defined]
    p.fill("#add input[name=timezone]", "America/Guayaquil")  # type: ignore[attr-defined]
    p.click("button >> text=Add subscription")  # type: ignore[attr-defined]
    refusal = p.inner_text("#add p.error")  # type: ignore[attr-defined]
    assert "'analyst-at-example.org' is not an email address" in refusal
    assert "name@example.org" in refusal  # the hint the CLI and the API give
    assert p.input_value("#add textarea[name=email]") == "analyst-at-example.org"  # type: ignore[attr-defined]
    assert p.input_value("#add input[name=timezone]") == "America/Guayaquil"  # type: ignore[attr-defined]
    assert p.is_checked("#add input[name=watchlist][value=embassy-raids]")  # type: ignore[attr-defined]
    _shoot(p, "subscription-refused")
    p.fill("#add textarea[name=email]", "analyst@example.org")  # type: ignore[attr-defined]
    p.click("button >> text=Add subscription")  # type: ignore[attr-defined]
    added = p.inner_text("p.ok")  # type: ignore[attr-defined]
    found = re.search(r"subscription (\d+) added", added)
    assert found is not None, added
    sub_id = int(found.group(1))
    stored = get_subscription(site[1], sub_id)
    assert stored is not None
    assert (stored.target, stored.schedule, stored.timezone) == (
        "analyst@example.org",
        "daily@07:30",
        "America/Guayaquil",
    )
    p.click("button >> text=Pause")  # type: ignore[attr-defined]
    p.wait_for_url(f"**/subscriptions/{sub_id}")  # type: ignore[attr-defined]
    assert "paused" in p.inner_text("main > p")  # type: ignore[attr-defined]
    assert p.locator("button >> text=Resume").count() == 1  # type: ignore[attr-defined]
    paused = get_subscription(site[1], sub_id)
    assert paused is not None and paused.paused
    _shoot(p, "subscription-paused")
    assert p.dialogs == [] and p.outside == []  # type: ignore[attr-defined]
