"""One-click unsubscribe over real HTTP: the link in every email pauses its subscription."""

from __future__ import annotations

import httpx
from sqlalchemy.engine import Engine

from monitor.clock import utcnow
from monitor.config import Settings
from monitor.delivery.unsubscribe import load_key
from monitor.digests.unsubscribe import links
from storage.subscriptions import add_subscription, get_subscription
from tests.support.web import web_server


def subscribe(engine: Engine) -> int:
    sub = add_subscription(
        engine,
        channel="email",
        target="desk@example.org",
        watchlists=["embassy-raids"],
        schedule="daily@08:00",
        timezone="UTC",
        now=utcnow(),
    )
    return int(sub.id)


def test_the_emailed_link_pauses_the_subscription_on_post_only(
    settings: Settings, sqlite_engine: Engine
) -> None:
    sub_id = subscribe(sqlite_engine)
    with web_server(settings, sqlite_engine) as url:  # no admin token: recipients have none
        link = links(load_key(settings.data_dir), sub_id, "newswatch@localhost", url).https
        assert link is not None
        with httpx.Client(timeout=20) as client:
            shown = client.get(link)
            assert shown.status_code == 200 and "<form" in shown.text
            assert not get_subscription(sqlite_engine, sub_id).paused  # a scanner's GET
            done = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Unsubscribed" in done.text
    assert get_subscription(sqlite_engine, sub_id).paused


def test_a_wrong_token_changes_nothing(settings: Settings, sqlite_engine: Engine) -> None:
    sub_id = subscribe(sqlite_engine)
    with web_server(settings, sqlite_engine) as url:
        with httpx.Client(timeout=20) as client:
            answer = client.post(f"{url}unsubscribe/{sub_id}/{'a' * 26}")
    assert answer.status_code == 404
    assert not get_subscription(sqlite_engine, sub_id).paused
