"""The console's subscription forms over real HTTP: add, edit, pause, resume, send now.

A form is refused without a session or its CSRF token and on a read-only
console; a refused value shows the same message and hint as the API, next to
the form, with what was typed kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from markupsafe import escape
from sqlalchemy.engine import Engine

from monitor.clock import utcnow
from monitor.config import Settings
from storage.digests import list_digests
from storage.subscriptions import get_subscription, list_subscriptions
from tests.support.web import RAID, TOKEN, store_stories, web_server

AUTH = {"Authorization": f"Bearer {TOKEN}"}
GOOD = {"email": "desk@example.org", "watchlist": "embassy-raids", "every": "daily@08:00"}


class Console:
    """A logged-in browser: its client, the page's CSRF token and the Origin header."""

    def __init__(self, client: httpx.Client, origin: dict[str, str]) -> None:
        self.client = client
        self.origin = origin
        page = client.get("/subscriptions").text
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        assert found is not None, "a logged-in page carries the CSRF token"
        self.csrf = found.group(1)

    def post(self, path: str, data: dict[str, Any]) -> httpx.Response:
        return self.client.post(path, data={**data, "csrf": self.csrf}, headers=self.origin)


@pytest.fixture
def console(settings: Settings, sqlite_engine: Engine) -> Iterator[Console]:
    store_stories(sqlite_engine, [RAID], utcnow())
    with web_server(settings, sqlite_engine, token=TOKEN) as url:
        origin = {"Origin": url.rstrip("/")}
        with httpx.Client(base_url=url, timeout=20) as client:
            client.post("/login", data={"token": TOKEN}, headers=origin)
            yield Console(client, origin)


def _shows(page: str, error: dict[str, str]) -> bool:
    """The page shows the API's message and hint (HTML-escaped as the page writes them)."""
    return str(escape(error["message"])) in page and str(escape(error["hint"])) in page


def test_forms_are_refused_without_session_token_or_admin_token(
    settings: Settings, sqlite_engine: Engine
) -> None:
    store_stories(sqlite_engine, [RAID], utcnow())
    with web_server(settings, sqlite_engine) as url:  # no admin token: read-only
        with httpx.Client(base_url=url) as client:
            page = client.get("/subscriptions").text
            assert 'action="/subscriptions"' not in page and "Log in to add" in page
            refused = client.post("/subscriptions", data=GOOD, headers={"Origin": url.rstrip("/")})
            assert refused.status_code == 403 and "read-only" in refused.text
    with web_server(settings, sqlite_engine, token=TOKEN) as url:
        origin = {"Origin": url.rstrip("/")}
        with httpx.Client(base_url=url) as client:
            assert client.post("/subscriptions", data=GOOD, headers=origin).status_code == 401
            client.post("/login", data={"token": TOKEN}, headers=origin)
            assert client.post("/subscriptions", data=GOOD, headers=origin).status_code == 403
            stale = {**GOOD, "csrf": "0" * 64}
            assert client.post("/subscriptions", data=stale, headers=origin).status_code == 403
    assert list_subscriptions(sqlite_engine) == []


def test_a_bad_value_shows_the_apis_message_and_keeps_what_was_typed(
    console: Console, sqlite_engine: Engine
) -> None:
    api = console.client
    for field, bad in [("email", "desk-at-example.org"), ("every", "daily@25:99")]:
        typed = {**GOOD, field: bad}
        page = console.post("/subscriptions", typed)
        assert page.status_code == 400
        as_json = {"email": [typed["email"]], "watchlists": ["embassy-raids"]}
        as_json["every"] = typed["every"]  # type: ignore[assignment]
        said = api.post("/api/v1/subscriptions", json=as_json, headers=AUTH).json()
        assert said["error"] == "invalid_request" and said["hint"]
        assert _shows(page.text, said), (field, said)
        assert bad in page.text  # what was typed stays in the form
        assert 'value="embassy-raids" checked' in page.text
    unknown = console.post("/subscriptions", {**GOOD, "watchlist": "no-such-list"})
    assert unknown.status_code == 404 and "no watchlist" in unknown.text
    assert list_subscriptions(sqlite_engine) == []
    added = console.post("/subscriptions", {**GOOD, "timezone": "America/Guayaquil"})
    assert added.status_code == 201 and "subscription 1 added" in added.text
    [sub] = list_subscriptions(sqlite_engine)
    assert (sub.target, sub.watchlists, sub.timezone) == (
        "desk@example.org",
        ("embassy-raids",),
        "America/Guayaquil",
    )


def test_edit_pause_send_now_and_resume(console: Console, sqlite_engine: Engine) -> None:
    console.post("/subscriptions", GOOD)
    [sub] = list_subscriptions(sqlite_engine)
    form = {"email": "desk@example.org", "watchlist": "embassy-raids", "every": "hourly"}
    saved = console.post(f"/subscriptions/{sub.id}/edit", {**form, "timezone": "UTC"})
    assert saved.status_code == 200 and "saved: schedule" in saved.text
    bad = console.post(f"/subscriptions/{sub.id}/edit", {**form, "timezone": "Mars/Olympus"})
    assert bad.status_code == 400 and "Mars/Olympus" in bad.text and "Not saved" in bad.text
    same = console.post(f"/subscriptions/{sub.id}/edit", {**form, "timezone": "UTC"})
    assert "nothing to change" in same.text
    emptied = {k: v for k, v in form.items() if k != "watchlist"}
    refused = console.post(f"/subscriptions/{sub.id}/edit", {**emptied, "timezone": "UTC"})
    assert refused.status_code == 400 and "every watchlist is unticked" in refused.text
    stored = get_subscription(sqlite_engine, sub.id)
    assert stored is not None and (stored.schedule, stored.timezone) == ("hourly", "UTC")

    paused = console.post(f"/subscriptions/{sub.id}/pause", {})
    assert paused.status_code == 303 and paused.headers["location"] == f"/subscriptions/{sub.id}"
    assert ">Resume</button>" in console.client.get(paused.headers["location"]).text
    stored = get_subscription(sqlite_engine, sub.id)
    assert stored is not None and stored.paused
    refused = console.post(f"/subscriptions/{sub.id}/send", {})
    assert refused.status_code == 400 and "Not sent" in refused.text
    assert "is paused" in refused.text and "Resume" in refused.text
    assert list_digests(sqlite_engine, subscription_id=sub.id) == []
    console.post(f"/subscriptions/{sub.id}/resume", {})
    sent = console.post(f"/subscriptions/{sub.id}/send", {})
    assert sent.status_code == 200 and "1 sent" in sent.text
    [digest] = list_digests(sqlite_engine, subscription_id=sub.id)
    assert digest.state == "sent" and digest.id in sent.text  # in the history table


def test_a_webhook_secret_is_shown_once(console: Console, sqlite_engine: Engine) -> None:
    hook = {"webhook": "https://hooks.example/x", "watchlist": "embassy-raids", "format": "slack"}
    added = console.post("/subscriptions", hook)
    assert added.status_code == 201
    secret = re.search(r'<code class="secret">(whsec_[^<]+)</code>', added.text)
    assert secret is not None
    [sub] = list_subscriptions(sqlite_engine)
    assert sub.secret == secret.group(1) and sub.format == "slack"
    assert secret.group(1) not in console.client.get(f"/subscriptions/{sub.id}").text
    fresh = console.post(
        f"/subscriptions/{sub.id}/edit",
        {
            "webhook": "https://hooks.example/x",
            "format": "slack",
            "watchlist": "embassy-raids",
            "every": sub.schedule,
            "timezone": "UTC",
            "new_secret": "on",
        },
    )
    assert "saved: secret" in fresh.text
    again = get_subscription(sqlite_engine, sub.id)
    assert again is not None and again.secret != sub.secret and again.secret in fresh.text
