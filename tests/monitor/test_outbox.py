"""The outbox survives a killed sender: at least once, the same id on a repeat, never two digests
with one story.

The sending process is the real ``newswatch digest send`` command, killed with
SIGKILL at a named step (``NEWSWATCH_FAULT_INJECT``): after the digest was
recorded but before sending, and after the receiver accepted it but before it
was marked sent. The restart is a fresh engine whose clock is past the dead
process's lease.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import os
import signal
import subprocess
import sys
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from monitor.config import FAULT_ENV, Settings
from monitor.delivery.dispatch import LEASE, compose_due, deliver_due
from storage.database import open_engine
from storage.digests import digest_clusters, list_digests
from storage.subscriptions import add_subscription
from tests.monitor.outbox_support import SECRET, VerifyingReceiver, receiving, seed
from tests.support.servers import MailSink, smtp_server

STEPS = ["before-send", "after-send"]


def send(env: dict[str, str], subscription_id: int, fault: str | None) -> int:
    """Run ``newswatch digest send`` as its own process; returns its exit status."""
    run_env = {**env, FAULT_ENV: fault} if fault else dict(env)
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "digest", "send", str(subscription_id)],
        env=run_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if fault is None:
        assert result.returncode == 0, result.stdout + result.stderr
    return result.returncode


def restart(database_url: str, settings: Settings) -> None:
    """A new process's view: fresh connections, a clock past any lease the dead one held."""
    later = datetime.now(UTC) + LEASE * 2
    engine = open_engine(database_url)
    try:
        compose_due(engine, later)
        asyncio.run(deliver_due(engine, settings, later))
    finally:
        engine.dispose()


def mail_ids(sink: MailSink) -> list[tuple[str, str]]:
    """(digest id, text) of every accepted email."""
    found = []
    for _, _, raw in sink.messages:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        found.append((str(message["X-Newswatch-Digest"]), str(part.get_content())))
    return found


@pytest.mark.parametrize("step", STEPS)
def test_killed_sender_is_recovered_by_a_restart_with_the_same_digest_id(
    engine: Engine, database_url: str, tmp_path: Path, settings: Settings, step: str
) -> None:
    with receiving(VerifyingReceiver()) as hook, smtp_server() as (sink, port):
        env = _env(database_url, tmp_path, port)
        settings = replace(settings, smtp_url=env["NEWSWATCH_SMTP_URL"])
        hook_sub, mail_sub = _subscribe(engine, hook.url())
        titles = [f"Round one story {i} about the embassy" for i in range(3)]
        seed(engine, datetime.now(UTC), *titles)

        for sub in (hook_sub, mail_sub):
            assert send(env, sub, step) == -signal.SIGKILL
        recorded = {d.subscription_id: d for d in list_digests(engine)}
        assert {d.state for d in recorded.values()} == {"pending"}  # recorded before sending
        if step == "before-send":
            assert hook.attempts == [] and sink.messages == []
        else:  # the receivers have it, the outbox does not know yet
            assert list(hook.deliveries()) == [recorded[hook_sub].id]
            assert [i for i, _ in mail_ids(sink)] == [recorded[mail_sub].id]

        restart(database_url, settings)
        assert {d.state for d in list_digests(engine)} == {"sent"}
        assert set(hook.deliveries()) == {recorded[hook_sub].id}
        assert {i for i, _ in mail_ids(sink)} == {recorded[mail_sub].id}
        repeats = 2 if step == "after-send" else 1  # at least once; a repeat keeps its id
        assert hook.deliveries()[recorded[hook_sub].id] == repeats
        assert len(sink.messages) == repeats
        assert len({a.body for a in hook.accepted}) == 1


def test_many_crashes_never_lose_a_digest_nor_put_a_story_in_two(
    engine: Engine, database_url: str, tmp_path: Path, settings: Settings
) -> None:
    with receiving(VerifyingReceiver()) as hook, smtp_server() as (sink, port):
        env = _env(database_url, tmp_path, port)
        settings = replace(settings, smtp_url=env["NEWSWATCH_SMTP_URL"])
        hook_sub, mail_sub = _subscribe(engine, hook.url())
        all_titles: list[str] = []
        for round_no, fault in enumerate(["after-send", "before-send", None, "after-send"]):
            titles = [f"Round {round_no} story {i} about the embassy" for i in range(2)]
            all_titles += titles
            seed(engine, datetime.now(UTC), *titles)
            for sub in (hook_sub, mail_sub):
                send(env, sub, fault)
            if round_no % 2:  # sometimes the next crash comes before any restart
                restart(database_url, settings)
        restart(database_url, settings)

        digests = list_digests(engine)
        assert {d.state for d in digests} == {"sent"}
        by_sub: dict[int, set[str]] = defaultdict(set)
        for d in digests:
            by_sub[d.subscription_id].add(d.id)
        assert set(hook.deliveries()) == by_sub[hook_sub]  # every digest arrived
        assert {i for i, _ in mail_ids(sink)} == by_sub[mail_sub]

        # A story is in exactly one digest per subscription, on the wire and in the outbox.
        carried: dict[str, set[str]] = defaultdict(set)
        for attempt in hook.accepted:
            for item in json.loads(attempt.body)["items"]:
                carried[item["title"]].add(attempt.webhook_id)
        assert sorted(carried) == sorted(all_titles)
        assert all(len(ids) == 1 for ids in carried.values()), carried
        for title in all_titles:
            assert len({i for i, text in mail_ids(sink) if title in text}) == 1, title
        for sub_ids in by_sub.values():
            clusters = [c for d in sub_ids for c in digest_clusters(engine, d)]
            assert len(clusters) == len(set(clusters)) == len(all_titles)


def _env(database_url: str, tmp_path: Path, smtp_port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "NEWSWATCH_DATABASE_URL": database_url,
        "NEWSWATCH_DATA_DIR": str(tmp_path / "data"),
        "NEWSWATCH_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "NEWSWATCH_ALLOW_PRIVATE_NETWORKS": "true",
    }
    env.pop(FAULT_ENV, None)
    return env


def _subscribe(engine: Engine, hook_url: str) -> tuple[int, int]:
    common = {
        "watchlists": ["embassy-raids"],
        "schedule": "instant",
        "timezone": "UTC",
        "now": datetime.now(UTC),
    }
    hook = add_subscription(
        engine,
        channel="webhook",
        target=hook_url,
        secret=SECRET,
        **common,  # type: ignore[arg-type]
    )
    mail = add_subscription(engine, channel="email", target="desk@example.org", **common)  # type: ignore[arg-type]
    return hook.id, mail.id
