"""``newswatch demo``: one full offline cycle against bundled sample feeds.

Does I/O: serves the samples on a loopback port, uses a temporary data
directory, and returns the text of the digest the cycle produced.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
from dataclasses import replace
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

from monitor.clock import utcnow
from monitor.config import Settings
from monitor.digests.compose import DigestContent
from monitor.digests.render import render_text
from monitor.service.cycle import Service, open_database
from storage.digests import list_digests
from storage.feeds import add_feed
from storage.subscriptions import add_subscription
from storage.watchlist_store import list_watchlists


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


def run_demo() -> str:
    samples = resources.files("monitor").joinpath("data/samples")
    with (
        tempfile.TemporaryDirectory(prefix="newswatch-demo-") as tmp,
        resources.as_file(samples) as folder,
    ):
        handler = partial(_QuietHandler, directory=str(folder))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            return _cycle(
                Path(tmp), server.server_address[1], sorted(p.name for p in Path(folder).iterdir())
            )
        finally:
            server.shutdown()
            server.server_close()


DEMO_BACKLOG = 100 * 365 * 86_400  # seconds: the bundled samples are old news


def _cycle(data_dir: Path, port: int, names: list[str]) -> str:
    # The samples are served on loopback, so this one run allows private addresses; they are
    # dated 2024 and 2026, so this run also alerts what a first poll would keep as backlog.
    settings = replace(
        Settings(), data_dir=data_dir, allow_private_networks=True, backlog_max_age=DEMO_BACKLOG
    )
    engine = open_database(settings)
    now = utcnow()
    for name in names:
        add_feed(engine, f"http://127.0.0.1:{port}/{name}", now)
    add_subscription(
        engine,
        channel="email",
        target="analyst@localhost",
        watchlists=[w.name for w in list_watchlists(engine)],
        schedule="instant",
        timezone="UTC",
        now=now,
    )
    result = asyncio.run(Service(settings, engine).cycle(every_feed=True))
    digests = list_digests(engine)
    header = (
        f"demo: polled {result.poll.feeds} sample feeds, {result.poll.new_stories} stories, "
        f"{result.poll.new_matches} matches. Below is the digest it would email; nothing "
        "was sent, and the demo's temporary data folder is deleted when it ends.\n\n"
    )
    if not digests:
        return header + "(no digest: nothing matched)"
    text = render_text(DigestContent.from_json(digests[0].payload))
    engine.dispose()
    return header + text
