"""The REST API against a real uvicorn server on 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine

from monitor.clock import utcnow
from monitor.config import Settings
from tests.support.web import RAID, TOKEN, Told, store_stories, web_server

AUTH = {"Authorization": f"Bearer {TOKEN}"}
GOOD = """name: consulate-visits
description: Agents at consulates
groups:
  agents:
    - ICE agent
  places:
    - consulate
rules:
  - name: agent-at-consulate
    all_of: [agents, places]
"""


@pytest.fixture
def api(settings: Settings, engine: Engine) -> Iterator[httpx.Client]:
    store_stories(engine, [RAID], utcnow())
    with web_server(settings, engine, token=TOKEN) as url:
        with httpx.Client(base_url=url + "api/v1", timeout=20) as client:
            yield client


@pytest.fixture
def read_only(settings: Settings, sqlite_engine: Engine) -> Iterator[httpx.Client]:
    store_stories(sqlite_engine, [RAID], utcnow())
    with web_server(settings, sqlite_engine) as url:
        with httpx.Client(base_url=url + "api/v1", timeout=20) as client:
            yield client


def _shape(response: httpx.Response, status: int, error: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "message", "hint"}
    assert body["error"] == error
    return dict(body)


def test_without_a_token_the_api_reads_but_refuses_every_change(read_only: httpx.Client) -> None:
    names = [w["name"] for w in read_only.get("/watchlists").json()["items"]]
    assert "embassy-raids" in names
    refused = read_only.post("/watchlists", json={"text": GOOD}, headers=AUTH)
    assert "NEWSWATCH_ADMIN_TOKEN" in _shape(refused, 403, "read_only")["hint"]
    _shape(read_only.delete("/watchlists/embassy-raids"), 403, "read_only")
    assert read_only.get("/watchlists/embassy-raids").status_code == 200


def test_a_change_needs_the_bearer_token(api: httpx.Client) -> None:
    missing = api.post("/watchlists", json={"text": GOOD})
    assert _shape(missing, 401, "unauthorized")["message"] == "this change needs the admin token"
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = api.post("/watchlists", json={"text": GOOD}, headers={"Authorization": "Bearer x"})
    _shape(wrong, 401, "unauthorized")
    assert TOKEN not in wrong.text and "Bearer x" not in wrong.text
    created = api.post("/watchlists", json={"text": GOOD}, headers=AUTH)
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1
    again = api.post("/watchlists", json={"text": GOOD}, headers=AUTH)
    assert "PUT" in _shape(again, 409, "conflict")["hint"]


def test_watchlist_lifecycle_validate_update_test_export_delete(api: httpx.Client) -> None:
    broken = GOOD.replace("all_of: [agents, places]", "all_of: [agents, nowhere]")
    checked = api.post("/watchlists/validate", json={"text": broken}).json()
    assert checked["valid"] is False
    assert checked["errors"][0]["line"] == 10
    assert "nowhere" in checked["errors"][0]["message"]
    refused = api.post("/watchlists", json={"text": broken}, headers=AUTH)
    assert ":10:" in _shape(refused, 422, "invalid_watchlist")["message"]

    assert (
        api.put("/watchlists/consulate-visits", json={"text": GOOD}, headers=AUTH).json()["version"]
        == 1
    )
    edited = GOOD.replace("    - ICE agent", "    - ICE agent\n    - immigration agent")
    assert (
        api.put("/watchlists/consulate-visits", json={"text": edited}, headers=AUTH).json()[
            "version"
        ]
        == 2
    )
    renamed = api.put("/watchlists/other-name", json={"text": edited}, headers=AUTH)
    assert "not 'other-name'" in _shape(renamed, 400, "invalid_request")["message"]

    hit = api.post(
        "/watchlists/consulate-visits/test",
        json={"title": "An immigration agent tried to enter the consulate of Ecuador"},
    ).json()
    assert hit["matched"] is True
    assert {h["term"] for h in hit["hits"]} == {"immigration agent", "consulate"}
    miss = api.post("/watchlists/consulate-visits/test", json={"text": "a quiet day"}).json()
    assert miss["matched"] is False and "no match" in miss["explanation"]

    exported = api.get("/watchlists/consulate-visits/export")
    assert exported.text == edited
    assert "consulate-visits.yaml" in exported.headers["content-disposition"]

    assert api.post("/watchlists/consulate-visits/disable", headers=AUTH).json()["enabled"] is False
    assert api.delete("/watchlists/consulate-visits", headers=AUTH).json() == {
        "removed": "consulate-visits"
    }
    gone = api.get("/watchlists/consulate-visits")
    assert "known watchlists" in _shape(gone, 404, "not_found")["hint"]


def test_backtest_shows_what_was_caught_and_nearly_caught(
    api: httpx.Client, engine: Engine
) -> None:
    store_stories(
        engine,
        [Told("Mexico's embassy in Quito is quiet today", "Nothing happened at the embassy.")],
        utcnow(),
        feed_url="https://other.example/rss",
    )
    result = api.get("/watchlists/embassy-raids/backtest", params={"since": "7d"}).json()
    assert result["stories"] == 2
    assert [c["story"]["title"] for c in result["caught"]] == [RAID.title]
    assert "embassy" in {h["term"].lower() for c in result["caught"] for h in c["hits"]}
    near = [n["story"]["title"] for n in result["near_misses"]]
    assert near == ["Mexico's embassy in Quito is quiet today"]
    assert result["near_misses"][0]["reasons"]
    _shape(
        api.get("/watchlists/embassy-raids/backtest", params={"since": "forever"}),
        422,
        "invalid_request",
    )


def test_alerts_page_through_with_a_cursor(api: httpx.Client, engine: Engine) -> None:
    now = utcnow() + timedelta(seconds=1)
    more = [
        Told(f"Police raid the Mexican embassy in Quito, report {n}", RAID.summary, f"Outlet {n}")
        for n in range(5)
    ]
    store_stories(engine, more, now, feed_url="https://more.example/rss")
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 2, "watchlist": "embassy-raids"}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/alerts", params=params).json()
        seen += [a["id"] for a in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 6
    assert pages == 3 + 1 or pages == 3  # the last page may be full, then one empty page says so
    newest = api.get("/alerts", params={"limit": 1}).json()["items"][0]
    assert newest["story"]["title"].startswith("Police raid the Mexican embassy")
    assert any(h["field"] == "title" for h in newest["hits"])
    _shape(api.get("/alerts", params={"cursor": "not-a-cursor"}), 400, "invalid_cursor")
    by_source = api.get("/stories", params={"source": "Outlet 3"}).json()["items"]
    assert [s["source"] for s in by_source] == ["Outlet 3"]
    later = api.get("/stories", params={"since": (now + timedelta(hours=1)).isoformat()})
    assert later.json()["items"] == []


def test_one_story_with_its_sources_and_why_it_matched(api: httpx.Client) -> None:
    (story,) = api.get("/stories", params={"q": "Jorge Glas"}).json()["items"]
    shown = api.get(f"/stories/{story['id']}").json()
    assert [s["source"] for s in shown["sources"]] == ["Andes Wire"]
    watchlists = {m["watchlist"] for m in shown["matches"]}
    assert "embassy-raids" in watchlists
    terms = {h["text"] for m in shown["matches"] for h in m["hits"]}
    assert {"Quito", "Mexican"} <= terms
    _shape(api.get("/stories/999999"), 404, "not_found")


def test_feeds_add_list_export_import_remove(api: httpx.Client) -> None:
    added = api.post(
        "/feeds", json={"url": "https://news.example/rss.xml", "discover": False}, headers=AUTH
    )
    assert added.status_code == 201 and added.json()["created"] is True
    feed_id = added.json()["feed"]["id"]
    local = api.post("/feeds", json={"url": "/etc/passwd", "discover": False}, headers=AUTH)
    assert "not a feed address" in _shape(local, 400, "invalid_request")["message"]
    states = {f["url"]: f["state"] for f in api.get("/feeds").json()["items"]}
    assert states["https://news.example/rss.xml"] == "new"
    assert states["https://wire.example/rss"] == "healthy"
    opml = api.get("/feeds/export").text
    assert 'xmlUrl="https://news.example/rss.xml"' in opml
    document = (
        '<?xml version="1.0"?><opml version="2.0"><body>'
        '<outline type="rss" text="A" xmlUrl="https://a.example/feed"/>'
        '<outline type="rss" text="B" xmlUrl="file:///etc/passwd"/>'
        "</body></opml>"
    )
    imported = api.post(
        "/feeds/import", content=document, headers={**AUTH, "Content-Type": "text/x-opml"}
    ).json()
    assert imported["added"] == 1 and imported["skipped"][0]["url"] == "file:///etc/passwd"
    assert api.delete(f"/feeds/{feed_id}", headers=AUTH).json()["removed"] == feed_id
    _shape(api.get(f"/feeds/{feed_id}"), 404, "not_found")


def test_subscriptions_create_pause_preview_history(api: httpx.Client) -> None:
    bad = api.post(
        "/subscriptions",
        json={"email": ["not-an-address"], "watchlists": ["embassy-raids"]},
        headers=AUTH,
    )
    assert "not an email address" in _shape(bad, 400, "invalid_request")["message"]
    unknown = api.post(
        "/subscriptions",
        json={"email": ["desk@example.org"], "watchlists": ["nope"]},
        headers=AUTH,
    )
    _shape(unknown, 404, "not_found")
    made = api.post(
        "/subscriptions",
        json={
            "email": ["desk@example.org"],
            "watchlists": ["embassy-raids"],
            "every": "daily@08:00",
        },
        headers=AUTH,
    ).json()
    sub = made["id"]
    preview = api.get(f"/subscriptions/{sub}/preview").json()
    assert preview["empty"] is False
    assert RAID.title in preview["digest"]["text"]
    assert "<mark" in preview["digest"]["html"]
    paused = api.post(f"/subscriptions/{sub}/pause", headers=AUTH).json()
    assert paused["state"] == "paused"
    refused = api.post(f"/subscriptions/{sub}/send", headers=AUTH)
    assert "resume" in _shape(refused, 400, "invalid_request")["hint"]
    api.post(f"/subscriptions/{sub}/resume", headers=AUTH)
    sent = api.post(f"/subscriptions/{sub}/send", headers=AUTH).json()
    assert len(sent["sent"]) == 1
    history = api.get(f"/subscriptions/{sub}/digests").json()["items"]
    assert [d["state"] for d in history] == ["sent"]
    shown = api.get(f"/digests/{history[0]['id']}").json()
    assert RAID.title in shown["text"]
    changed = api.patch(f"/subscriptions/{sub}", json={"every": "hourly"}, headers=AUTH).json()
    assert changed["schedule"] == "hourly"

    hook = api.post(
        "/subscriptions",
        json={
            "webhook": "https://hooks.example/x",
            "watchlists": ["embassy-raids"],
            "format": "slack",
        },
        headers=AUTH,
    ).json()
    assert hook["secret"].startswith("whsec_")
    listed = api.get(f"/subscriptions/{hook['id']}").json()
    assert "secret" not in listed and listed["signed"] is True
    assert hook["secret"] not in api.get("/subscriptions").text
    body = api.get(f"/subscriptions/{hook['id']}/preview").json()["digest"]["webhook_body"]
    assert "blocks" in body  # Slack's shape


def test_errors_have_one_shape(api: httpx.Client) -> None:
    _shape(api.get("/no-such-route"), 404, "not_found")
    _shape(api.patch("/watchlists", headers=AUTH), 405, "method_not_allowed")
    invalid = api.post("/watchlists/validate", json={"txt": "x"})
    assert "text" in _shape(invalid, 422, "invalid_request")["message"]
    _shape(api.get("/stories", params={"limit": 0}), 422, "invalid_request")
    _shape(api.get("/feeds/99999999999999999999"), 422, "invalid_request")


def test_openapi_document_and_security_headers(api: httpx.Client) -> None:
    response = api.get("/openapi.json")
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/watchlists/{name}/backtest" in document["paths"]
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"


def test_on_a_public_address_reading_needs_the_token_too(
    settings: Settings, sqlite_engine: Engine
) -> None:
    with web_server(settings, sqlite_engine, token=TOKEN, public=True) as url:
        with httpx.Client(base_url=url + "api/v1") as client:
            _shape(client.get("/watchlists"), 401, "unauthorized")
            assert client.get("/watchlists", headers=AUTH).status_code == 200


def test_test_url_and_build_read_only_web_addresses(api: httpx.Client) -> None:
    local = api.post("/watchlists/embassy-raids/test", json={"url": "/etc/hostname"})
    assert "not an http(s) address" in _shape(local, 400, "invalid_request")["message"]
    local = api.post("/watchlists/build", json={"name": "x", "urls": ["file:///etc/hostname"]})
    _shape(local, 400, "invalid_request")
    drafted = api.post(
        "/watchlists/build",
        json={"name": "quito-draft", "texts": [RAID.title + ". " + RAID.summary] * 3},
    )
    assert drafted.status_code == 200, drafted.text
    assert drafted.text.startswith("# ") or "name: quito-draft" in drafted.text
    assert api.post("/watchlists/validate", json={"text": drafted.text}).json()["valid"]


def test_prune_needs_the_token_and_keeps_recent_stories(api: httpx.Client) -> None:
    _shape(api.post("/stories/prune", params={"older_than": "1d"}), 401, "unauthorized")
    kept = api.post("/stories/prune", params={"older_than": "1d"}, headers=AUTH).json()
    assert kept == {"stories": 0, "tombstones": 0}
    assert len(api.get("/stories").json()["items"]) == 1
