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
