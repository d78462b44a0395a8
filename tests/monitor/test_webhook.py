"""Webhooks: signed per Standard Webhooks, only 2xx counts, retried with backoff over hours.

Time is driven by an injected clock: each step calls the dispatcher with the
``now`` at which the outbox says the next attempt is due.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.delivery.dispatch import compose_due, deliver_due, retry_delay
from monitor.delivery.send import new_webhook_secret, sign_webhook
from storage.digests import get_digest, list_digests
from storage.subscriptions import add_subscription, get_subscription
from tests.monitor.outbox_support import SECRET, VerifyingReceiver, receiving, run_cli, seed

T0 = datetime(2026, 4, 6, 9, 0, tzinfo=UTC)


def subscribe(engine: Engine, url: str, fmt: str = "json") -> int:
    sub = add_subscription(
        engine,
        channel="webhook",
        target=url,
        watchlists=["embassy-raids"],
        schedule="instant",
        timezone="Europe/Madrid",
        now=T0 - timedelta(hours=1),
        format=fmt,
        secret=SECRET,
    )
    return sub.id


def step(engine: Engine, settings: Settings, now: datetime) -> None:
    compose_due(engine, now)
    asyncio.run(deliver_due(engine, settings, now))


def next_attempt(engine: Engine, digest_id: str) -> datetime:
    record = get_digest(engine, digest_id)
    assert record is not None and record.next_attempt_at is not None, record
    return record.next_attempt_at


def test_standard_webhooks_signature_matches_the_reference_example() -> None:
    # The example from the Standard Webhooks specification's reference libraries.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    signature = sign_webhook(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_generated_secret_is_a_whsec_key_of_24_random_bytes() -> None:
    secret = new_webhook_secret()
    assert secret.startswith("whsec_") and secret != new_webhook_secret()


def test_500s_then_429_with_retry_after_then_accepted_once_with_one_id(
    engine: Engine, settings: Settings
) -> None:
    with receiving(VerifyingReceiver()) as hook:
        hook.script = [(500, {}), (500, {}), (429, {"Retry-After": "3600"})]
        sub = subscribe(engine, hook.url())
        seed(engine, T0, "Police raid the Mexican embassy in Quito", "Mexico cuts ties")
        step(engine, settings, T0)
        [digest] = list_digests(engine)
        first_retry = next_attempt(engine, digest.id)
        assert timedelta(seconds=45) <= first_retry - T0 <= timedelta(seconds=75)

        step(engine, settings, first_retry)
        second_retry = next_attempt(engine, digest.id)
        assert timedelta(seconds=135) <= second_retry - first_retry <= timedelta(seconds=225)

        step(engine, settings, second_retry)  # 429, Retry-After: one hour
        after_429 = next_attempt(engine, digest.id)
        assert after_429 - second_retry >= timedelta(hours=1)
        step(engine, settings, second_retry + timedelta(minutes=30))  # too early: no attempt
        assert len(hook.attempts) == 3

        step(engine, settings, after_429)
        assert [a.status for a in hook.attempts] == [500, 500, 429, 200]
        assert all(a.signed for a in hook.attempts)
        assert {a.webhook_id for a in hook.attempts} == {digest.id}
        assert len({a.body for a in hook.attempts}) == 1  # the very same digest each time
        assert len({a.timestamp for a in hook.attempts}) == 4  # signed afresh each attempt
        assert hook.deliveries() == {digest.id: 1}
        payload = json.loads(hook.accepted[0].body)
        assert payload["type"] == "newswatch.digest" and payload["version"] == "1"
        assert payload["id"] == digest.id and payload["subscription_id"] == sub
        assert sorted(i["title"] for i in payload["items"]) == [
            "Mexico cuts ties",
            "Police raid the Mexican embassy in Quito",
        ]
        sent = get_digest(engine, digest.id)
        assert sent is not None and sent.state == "sent" and sent.attempts == 4

        step(engine, settings, after_429 + timedelta(hours=1))  # nothing new: nothing sent
        assert len(hook.attempts) == 4


def test_retries_span_hours_then_fail_visibly_and_digest_retry_replays_the_same_id(
    engine: Engine, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    with receiving(VerifyingReceiver()) as hook:
        hook.script = [(503, {})] * settings.delivery_attempts
        subscribe(engine, hook.url())
        seed(engine, T0, "Police raid the Mexican embassy in Quito")
        now = T0
        step(engine, settings, now)
        [digest] = list_digests(engine)
        while (record := get_digest(engine, digest.id)) and record.state == "pending":
            now = next_attempt(engine, digest.id)
            step(engine, settings, now)
        assert record is not None and record.state == "failed"
        assert record.attempts == settings.delivery_attempts == len(hook.attempts)
        assert now - T0 >= timedelta(hours=6)  # retried over hours, not seconds
        assert "HTTP 503" in (record.last_error or "") and "gave up" in (record.last_error or "")

        env = {
            "NEWSWATCH_DATABASE_URL": database_url,
            "NEWSWATCH_DATA_DIR": str(tmp_path / "data"),
            "NEWSWATCH_ALLOW_PRIVATE_NETWORKS": "true",
        }
        code, listing = run_cli(env, "digest", "list")
        assert code == 0, listing
        assert digest.id in listing and "failed" in listing and "HTTP 503" in listing

        code, output = run_cli(env, "digest", "retry", digest.id)  # the receiver is fixed now
        assert code == 0, output
        assert f"digest {digest.id} sent" in output
        assert hook.deliveries() == {digest.id: 1}
        assert hook.attempts[-1].body == hook.attempts[0].body
        code, listing = run_cli(env, "digest", "list", "--state", "sent")
        assert digest.id in listing


def test_410_gone_disables_the_subscription_with_a_visible_reason(
    engine: Engine, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    with receiving(VerifyingReceiver()) as hook:
        hook.script = [(410, {})]
        sub = subscribe(engine, hook.url())
        seed(engine, T0, "Police raid the Mexican embassy in Quito")
        step(engine, settings, T0)
        [digest] = list_digests(engine)
        assert digest.state == "failed" and "410" in (digest.last_error or "")
        record = get_subscription(engine, sub)
        assert record is not None and record.paused
        assert "410 Gone" in (record.disabled_reason or "")

        seed(engine, T0 + timedelta(hours=1), "Mexico cuts ties with Ecuador")
        step(engine, settings, T0 + timedelta(hours=2))
        assert len(hook.attempts) == 1  # nothing more goes to a gone receiver
        env = {"NEWSWATCH_DATABASE_URL": database_url, "NEWSWATCH_DATA_DIR": str(tmp_path)}
        code, shown = run_cli(env, "subscription", "show", str(sub))
        assert code == 0 and "410 Gone" in shown and "disabled" in shown


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    engine: Engine, settings: Settings
) -> None:
    with receiving(VerifyingReceiver()) as hook:
        hook.script = [(302, {"Location": hook.url("/elsewhere")})]
        subscribe(engine, hook.url())
        seed(engine, T0, "Police raid the Mexican embassy in Quito")
        step(engine, settings, T0)
        [digest] = list_digests(engine)
        assert digest.state == "pending" and digest.sent_at is None
        assert "HTTP 302" in (digest.last_error or "") and "redirect" in (digest.last_error or "")
        assert len(hook.attempts) == 1  # /elsewhere was never asked


def test_a_bad_signature_is_refused_by_the_receiver_and_retried(
    engine: Engine, settings: Settings
) -> None:
    with receiving(VerifyingReceiver(secret=new_webhook_secret())) as hook:
        subscribe(engine, hook.url())
        seed(engine, T0, "Police raid the Mexican embassy in Quito")
        step(engine, settings, T0)
        assert [a.status for a in hook.attempts] == [401]
        [digest] = list_digests(engine)
        assert digest.state == "pending" and "HTTP 401" in (digest.last_error or "")


def test_a_private_address_is_refused_unless_allowed(engine: Engine, settings: Settings) -> None:
    with receiving(VerifyingReceiver()) as hook:
        subscribe(engine, hook.url())
        seed(engine, T0, "Police raid the Mexican embassy in Quito")
        step(engine, replace(settings, allow_private_networks=False), T0)
        assert hook.attempts == []
        [digest] = list_digests(engine)
        assert digest.state == "failed" and "loopback" in (digest.last_error or "")


@pytest.mark.parametrize("attempt", range(1, 9))
def test_backoff_grows_with_jitter_and_never_undercuts_retry_after(attempt: int) -> None:
    import random

    rng = random.Random(attempt)
    base = min(6 * 3600, 60 * 3 ** (attempt - 1))
    delay = retry_delay(attempt, None, rng)
    assert 0.75 * base <= delay <= 1.25 * base
    assert retry_delay(attempt, 7 * 3600, rng) >= 7 * 3600


def test_a_broken_digest_fails_alone_and_the_ones_behind_it_still_go(
    engine: Engine, settings: Settings
) -> None:
    from storage.digests import create_digest

    with receiving(VerifyingReceiver()) as hook:
        broken_sub = subscribe(engine, hook.url())
        [cluster] = seed(engine, T0, "Police raid the Mexican embassy in Quito")
        create_digest(
            engine,
            digest_id="nwd_broken",
            subscription_id=broken_sub,
            payload="{not json",
            items=[(cluster, None)],
            now=T0 - timedelta(minutes=1),
        )
        subs = [subscribe(engine, hook.url()) for _ in range(24)]  # more than one claim batch
        step(engine, settings, T0)
        broken = get_digest(engine, "nwd_broken")
        assert broken is not None and broken.state == "failed"
        assert "internal error" in (broken.last_error or "")
        assert len(hook.deliveries()) == len(subs)  # every other digest, once each
        assert all(n == 1 for n in hook.deliveries().values())


def test_the_secret_shown_once_at_add_verifies_the_signatures(
    engine: Engine, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    import re

    env = {
        "NEWSWATCH_DATABASE_URL": database_url,
        "NEWSWATCH_DATA_DIR": str(tmp_path / "data"),
        "NEWSWATCH_ALLOW_PRIVATE_NETWORKS": "true",
    }
    with receiving(VerifyingReceiver()) as hook:
        code, added = run_cli(
            env, "subscription", "add", "--webhook", hook.url(), "-w", "embassy-raids",
            "--every", "instant",
        )  # fmt: skip
        assert code == 0, added
        [secret] = re.findall(r"shown once\): (whsec_\S+)", added)
        hook.secret = secret
        seed(engine, datetime.now(UTC), "Police raid the Mexican embassy in Quito")
        now = datetime.now(UTC) + timedelta(minutes=1)
        step(engine, settings, now)
        assert [(a.status, a.signed) for a in hook.attempts] == [(200, True)]


@pytest.mark.parametrize(
    ("url", "address", "pinned"),
    [
        ("https://hooks.example/x?a=1", "203.0.113.5", "https://203.0.113.5/x?a=1"),
        ("http://hooks.example:8080/x", "2001:db8::1", "http://[2001:db8::1]:8080/x"),
        ("https://u:p@hooks.example/x", "203.0.113.5", "https://u:p@203.0.113.5/x"),
    ],
    ids=["https", "ipv6-port", "userinfo"],
)
def test_the_request_goes_to_the_address_that_was_checked(
    url: str, address: str, pinned: str
) -> None:
    from monitor.delivery.send import pinned_url

    assert pinned_url(url, address) == pinned


def test_a_named_host_is_posted_to_its_checked_address_with_its_own_host_header(
    engine: Engine, settings: Settings
) -> None:
    with receiving(VerifyingReceiver()) as hook:
        subscribe(engine, f"http://localhost:{hook.port}/hook")
        seed(engine, T0, "Police raid the Mexican embassy in Quito")
        step(engine, settings, T0)
        assert [a.status for a in hook.attempts] == [200]
        assert hook.hosts == [f"localhost:{hook.port}"]
