"""Console forms over real HTTP: a change needs the session, its CSRF token and the same origin."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.engine import Engine

from monitor.config import Settings
from storage.feeds import list_feeds
from tests.support.web import TOKEN, web_server


def test_a_form_change_needs_session_csrf_and_same_origin(
    settings: Settings, sqlite_engine: Engine
) -> None:
    with web_server(settings, sqlite_engine, token=TOKEN) as url:
        origin = {"Origin": url.rstrip("/")}
        form = {"url": "https://news.example/rss.xml"}
        with httpx.Client(base_url=url) as anonymous:
            assert anonymous.post("/feeds", data=form, headers=origin).status_code == 401
        with httpx.Client(base_url=url) as browser:
            logged = browser.post("/login", data={"token": TOKEN, "next": "/feeds"}, headers=origin)
            assert logged.status_code == 303 and logged.headers["location"] == "/feeds"
            cookie = logged.headers["set-cookie"].lower()
            assert "httponly" in cookie and "samesite=strict" in cookie
            page = browser.get("/feeds").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', page)
            assert csrf is not None
            assert browser.post("/feeds", data=form, headers=origin).status_code == 403
            wrong = {**form, "csrf": "0" * 64}
            assert browser.post("/feeds", data=wrong, headers=origin).status_code == 403
            elsewhere = {"Origin": "https://evil.example"}
            good = {**form, "csrf": csrf.group(1)}
            assert browser.post("/feeds", data=good, headers=elsewhere).status_code == 403
            assert list_feeds(sqlite_engine) == []
            assert browser.post("/feeds", data=good, headers=origin).status_code == 200
            assert [f.url for f in list_feeds(sqlite_engine)] == ["https://news.example/rss.xml"]
            away = browser.post("/login", data={"token": TOKEN, "next": "//evil.example/"})
            assert away.headers["location"] == "/alerts"


def test_remove_a_feed_and_disable_a_watchlist_from_the_console(
    settings: Settings, sqlite_engine: Engine
) -> None:
    from monitor.clock import utcnow
    from storage.feeds import add_feed
    from storage.watchlist_store import get_watchlist
    from tests.support.web import install_builtins

    install_builtins(sqlite_engine, utcnow())
    feed, _ = add_feed(sqlite_engine, "https://news.example/rss.xml", utcnow())
    with web_server(settings, sqlite_engine, token=TOKEN) as url:
        origin = {"Origin": url.rstrip("/")}
        with httpx.Client(base_url=url) as browser:
            browser.post("/login", data={"token": TOKEN}, headers=origin)
            page = browser.get("/watchlists").text
            assert 'action="/watchlists/embassy-raids/disable"' in page
            csrf = re.search(r'name="csrf" value="([^"]+)"', page)
            assert csrf is not None
            token = {"csrf": csrf.group(1)}
            done = browser.post("/watchlists/embassy-raids/disable", data=token, headers=origin)
            assert done.status_code == 303
            record = get_watchlist(sqlite_engine, "embassy-raids")
            assert record is not None and record.enabled is False
            assert browser.post(f"/feeds/{feed.id}/remove", headers=origin).status_code == 403
            removed = browser.post(f"/feeds/{feed.id}/remove", data=token, headers=origin)
            assert "removed: https://news.example/rss.xml" in removed.text
            assert list_feeds(sqlite_engine) == []
