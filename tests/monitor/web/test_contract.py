"""The API's contract: every CLI management action has a route, and no request breaks the server.

The second test is a property-style run generated from the OpenAPI document
itself: every operation, with odd path values, odd query values and bodies
built from its schema, without the token and with it. No answer may be a
server error, and nothing may change without the token.
"""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest
import typer.main
from sqlalchemy import text
from sqlalchemy.engine import Engine

from monitor.cli.main import app
from monitor.clock import utcnow
from monitor.config import Settings
from monitor.web.app import build_api
from tests.support.web import RAID, TOKEN, store_stories, web_server

# CLI command → the API operation that does the same.
ROUTES = {
    "feed add": ("post", "/feeds"),
    "feed list": ("get", "/feeds"),
    "feed show": ("get", "/feeds/{feed_id}"),
    "feed remove": ("delete", "/feeds/{feed_id}"),
    "feed import": ("post", "/feeds/import"),
    "feed export": ("get", "/feeds/export"),
    "watchlist list": ("get", "/watchlists"),
    "watchlist show": ("get", "/watchlists/{name}"),
    "watchlist add": ("put", "/watchlists/{name}"),
    "watchlist import": ("post", "/watchlists"),
    "watchlist export": ("get", "/watchlists/{name}/export"),
    "watchlist remove": ("delete", "/watchlists/{name}"),
    "watchlist enable": ("post", "/watchlists/{name}/enable"),
    "watchlist disable": ("post", "/watchlists/{name}/disable"),
    "watchlist test": ("post", "/watchlists/{name}/test"),
    "watchlist schema": ("get", "/watchlists/schema"),
    "watchlist edit": ("put", "/watchlists/{name}"),
    "watchlist reset": ("post", "/watchlists/{name}/reset"),
    "backtest": ("get", "/watchlists/{name}/backtest"),
    "subscription add": ("post", "/subscriptions"),
    "subscription list": ("get", "/subscriptions"),
    "subscription show": ("get", "/subscriptions/{subscription_id}"),
    "subscription edit": ("patch", "/subscriptions/{subscription_id}"),
    "subscription remove": ("delete", "/subscriptions/{subscription_id}"),
    "subscription pause": ("post", "/subscriptions/{subscription_id}/pause"),
    "subscription resume": ("post", "/subscriptions/{subscription_id}/resume"),
    "digest preview": ("get", "/subscriptions/{subscription_id}/preview"),
    "digest send": ("post", "/subscriptions/{subscription_id}/send"),
    "digest list": ("get", "/digests"),
    "digest show": ("get", "/digests/{digest_id}"),
    "digest retry": ("post", "/digests/{digest_id}/retry"),
    "stories search": ("get", "/stories"),
    "stories show": ("get", "/stories/{story_id}"),
    "stories prune": ("post", "/stories/prune"),
    "watchlist build": ("post", "/watchlists/build"),
}
# Commands that are not management actions on stored things, and why they have no route.
NOT_ROUTES = {
    "run": "the daemon itself (it serves the API)",
    "web": "serves the API",
    "demo": "an offline first look in a temporary directory",
    "status": "a terminal summary; the same figures come from the list routes",
    "config show": "the server's own settings, secrets included: not given out over HTTP",
    "match": "a batch tool over a local JSON Lines file",
    "dedup": "a batch tool over a local JSON Lines file",
    "subscription unsubscribe": "reads an unsubscribe email piped in by the mail server",
}


def _cli_commands() -> list[str]:
    group = typer.main.get_command(app)
    found = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        found += [f"{name} {sub}" for sub in subcommands] if subcommands else [name]
    return sorted(found)


def test_every_cli_management_action_has_its_api_route() -> None:
    paths = build_api().openapi()["paths"]
    for command in _cli_commands():
        assert command in ROUTES or command in NOT_ROUTES, f"`newswatch {command}` has no route"
        if command in ROUTES:
            method, path = ROUTES[command]
            assert method in paths.get(path, {}), f"{method.upper()} {path} is not in the API"
    assert set(ROUTES) | set(NOT_ROUTES) == set(_cli_commands())


ODD_STRINGS = ["", "0", "-1", "embassy-raids", "x" * 300, "%00", "../../etc/passwd", "é🙂\u2028"]
ODD_PATHS = ["1", "0", "-1", "99999999999999999999", "nwd_x", "embassy-raids", "%2e%2e", "é"]


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    if "anyOf" in schema:
        schema = next((s for s in schema["anyOf"] if s.get("type") != "null"), schema["anyOf"][0])
    return schema


def _sample(schema: dict[str, Any], document: dict[str, Any], odd: str) -> Any:
    schema = _resolve(schema, document)
    kind = schema.get("type")
    if kind == "object":
        return {k: _sample(v, document, odd) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [_sample(schema.get("items", {}), document, odd)]
    if kind == "integer":
        return -1 if odd else 1
    if kind == "number":
        return 2.5 if odd else 0.5
    if kind == "boolean":
        return bool(odd)
    return odd


def _requests(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], Any]]:
    made = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            params = operation.get("parameters", [])
            body = operation.get("requestBody", {}).get("content", {})
            for value, odd in itertools.product(ODD_PATHS[:3], ODD_STRINGS[::3]):
                url = path
                query: dict[str, Any] = {}
                for param in params:
                    if param["in"] == "path":
                        url = url.replace("{" + param["name"] + "}", value)
                    else:
                        query[param["name"]] = odd
                payload = None
                if "application/json" in body:
                    payload = _sample(body["application/json"]["schema"], document, odd)
                elif body:
                    payload = "<opml><body><outline xmlUrl='" + odd + "'/></body></opml>"
                made.append((method, url, query, payload))
    return made


def _fingerprint(engine: Engine) -> list[Any]:
    tables = ["feeds", "stories", "watchlists", "watchlist_versions", "subscriptions", "digests"]
    with engine.connect() as connection:
        counts = [connection.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables]
        rows = connection.execute(
            text("SELECT name, version, enabled FROM watchlists ORDER BY name")
        ).all()
        subs = connection.execute(text("SELECT id, paused FROM subscriptions ORDER BY id")).all()
    return [counts, [tuple(r) for r in rows], [tuple(s) for s in subs]]


def _send(client: httpx.Client, request: tuple[str, str, dict[str, Any], Any], auth: bool) -> int:
    method, url, query, payload = request
    headers = {"Authorization": f"Bearer {TOKEN}"} if auth else {}
    kwargs: dict[str, Any] = {"params": query, "headers": headers}
    if isinstance(payload, str):
        kwargs["content"] = payload
        headers["Content-Type"] = "text/x-opml"
    elif payload is not None:
        kwargs["json"] = payload
    response = client.request(method.upper(), url, **kwargs)
    if response.status_code >= 500:
        pytest.fail(f"{method.upper()} {url} {query} {payload!r} → {response.status_code}")
    body = response.json() if "json" in response.headers.get("content-type", "") else {}
    if response.status_code >= 400:
        assert set(body) == {"error", "message", "hint"}, (url, body)
        assert TOKEN not in response.text
    return response.status_code


def test_generated_requests_find_no_server_error_and_no_unguarded_change(
    settings: Settings, sqlite_engine: Engine
) -> None:
    store_stories(sqlite_engine, [RAID], utcnow())
    with web_server(settings, sqlite_engine, token=TOKEN) as url:
        with httpx.Client(base_url=url + "api/v1", timeout=30) as client:
            document = client.get("/openapi.json").json()
            requests = _requests(document)
            assert len(requests) > 250
            before = _fingerprint(sqlite_engine)
            for request in requests:
                status = _send(client, request, auth=False)
                if request[0] != "get" and status < 400:
                    assert request[1].endswith(("/validate", "/try", "/test", "/build")), request
            assert _fingerprint(sqlite_engine) == before, "a request without the token changed data"
            for request in requests:
                _send(client, request, auth=True)
