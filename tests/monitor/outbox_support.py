"""Helpers for delivery tests: stored stories with matches, a signature-checking webhook
receiver that can fail on purpose, and the CLI run in-process."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from storage.feeds import add_feed
from storage.records import MatchWrite, PollWrite, StoryWrite
from storage.stories import save_poll

SECRET = "whsec_" + base64.b64encode(b"a test key of 24 bytes!!").decode()


def seed(
    engine: Engine, now: datetime, *titles: str, watchlist: str = "embassy-raids"
) -> list[str]:
    """Store one story per title, each matching ``watchlist``; returns their cluster keys."""
    feed, _ = add_feed(engine, "https://andes.example/rss", now)
    stories = []
    for title in titles:
        key = hashlib.sha1(title.encode()).hexdigest()[:12]
        explanation = json.dumps({"hits": [{"term": "embassy", "field": "title", "start": 0}]})
        stories.append(
            StoryWrite(
                key=key,
                cluster_key=key,
                kind="new",
                guid=f"guid-{key}",
                url=f"https://andes.example/{key}",
                canonical_url=f"https://andes.example/{key}",
                title=title,
                summary=f"{title}. Police entered the embassy.",
                source="Andes Wire",
                language="en",
                fingerprint=f"fp-{key}",
                published_at=now,
                matches=(MatchWrite(watchlist, 1, 0.9, "digest", explanation),),
            )
        )
    save_poll(
        engine,
        PollWrite(
            feed_id=feed.id,
            checked_at=now,
            next_check_at=now + timedelta(minutes=15),
            etag=None,
            last_modified=None,
            title="Andes Wire",
            stories=tuple(stories),
        ),
    )
    return [s.cluster_key for s in stories]


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Standard Webhooks verification, written independently of newswatch's signer."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [s.split(",", 1)[1] for s in headers.get("webhook-signature", "").split() if "," in s]
    return any(hmac.compare_digest(expected, s) for s in offered)


@dataclass
class Attempt:
    webhook_id: str
    timestamp: str
    body: bytes
    status: int
    signed: bool


@dataclass
class VerifyingReceiver:
    """Answers POSTs: 401 on a bad signature, else the next scripted status (then 200)."""

    secret: str = SECRET
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    port: int = 0
    delay: float = 0.0  # seconds before answering, to make deliveries overlap
    hosts: list[str] = field(default_factory=list)  # the Host header of every request

    @property
    def accepted(self) -> list[Attempt]:
        return [a for a in self.attempts if 200 <= a.status < 300]

    def deliveries(self) -> dict[str, int]:
        """How many times each digest id was accepted."""
        counts: dict[str, int] = {}
        for attempt in self.accepted:
            counts[attempt.webhook_id] = counts.get(attempt.webhook_id, 0) + 1
        return counts

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def receiving(receiver: VerifyingReceiver) -> Iterator[VerifyingReceiver]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            signed = verify(receiver.secret, headers, body)
            receiver.hosts.append(headers.get("host", ""))
            if receiver.delay:
                time.sleep(receiver.delay)
            status, extra = (
                (401, {})
                if not signed
                else (receiver.script.pop(0) if receiver.script else (200, {}))
            )
            receiver.attempts.append(
                Attempt(
                    headers.get("webhook-id", ""),
                    headers.get("webhook-timestamp", ""),
                    body,
                    status,
                    signed,
                )
            )
            self.send_response(status)
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    receiver.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        httpd.shutdown()
        httpd.server_close()


def run_cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run ``newswatch ARGS`` in this process; returns the exit code and all output."""
    from monitor.cli import main as cli
    from monitor.cli.console import err, out
    from monitor.cli.context import state

    runner = CliRunner()
    widths = out.width, err.width
    out.width = err.width = 250
    try:
        result = runner.invoke(cli.app, list(args), env=env, catch_exceptions=True)
    finally:
        out.width, err.width = widths
        if state._engine is not None:
            state._engine.dispose()
        state._engine = None
        state._settings = None
    text = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        text += f"\n{result.exception.__class__.__name__}: {result.exception}"
        hint = getattr(result.exception, "hint", None)
        if hint:
            text += f"\nhint: {hint}"
        return 1, text
    return result.exit_code, text
