"""The whole path through the real command: local feeds → matches → one email, one webhook."""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.feeds import Item, rss
from tests.support.servers import FeedServer, MailSink, Route, WebhookReceiver, serving, smtp_server

RAID = Item(
    "a-1",
    "Ecuador police raid Mexican embassy in Quito and arrest Jorge Glas",
    "Police broke into the Mexican embassy late on Friday and detained former vice president "
    "Jorge Glas, hours after Mexico granted him asylum.",
    "https://andes.example/2024/quito-embassy-raid",
)
ICE_CONSULATE = Item(
    "a-2",
    "Ecuador protests after ICE agent tries to enter its consulate in Minneapolis",
    "Consular staff stopped a US Immigration and Customs Enforcement agent at the door of "
    "Ecuador's consulate in Minneapolis.",
    "https://andes.example/2026/ice-consulate-minneapolis",
)
ICE_STORM = Item(
    "a-3",
    "Ice storm knocks out power across Minnesota",
    "Freezing rain coated power lines, leaving thousands of homes in the dark.",
    "https://andes.example/2026/ice-storm",
)
RAID_AGAIN = Item(  # the same story in the other feed, under its URL plus utm_ parameters
    "b-1",
    RAID.title,
    RAID.summary,
    RAID.link + "?utm_source=rss&utm_medium=feed",
)
ICJ = Item(
    "b-2",
    "Mexico takes Ecuador to the International Court of Justice over the embassy raid",
    "Mexico asked the ICJ to suspend Ecuador from the UN, saying the storming of its embassy "
    "in Quito violated the Vienna Convention on Diplomatic Relations.",
    "https://wire.example/icj-mexico-ecuador",
)
PHILHARMONIC = Item(
    "b-3",
    "Vienna Philharmonic announces its summer season",
    "The orchestra opens with Mahler and closes with a night of waltzes.",
    "https://wire.example/philharmonic",
)
LATER = Item(
    "a-4",
    "Mexican diplomats leave Ecuador after the embassy raid",
    "Mexico's embassy staff flew home from Quito after Mexico broke off diplomatic relations "
    "with Ecuador over the arrest of Jorge Glas inside its embassy.",
    "https://andes.example/2024/diplomats-leave",
)
RELEVANT = [RAID, ICE_CONSULATE, ICJ]
IRRELEVANT = [ICE_STORM, PHILHARMONIC]
WATCHLISTS = ["embassy-raids", "vienna-conventions", "ice-consulates", "ecuador-mexico"]


@dataclass
class Rig:
    feeds: FeedServer
    mail: MailSink
    hooks: WebhookReceiver
    env: dict[str, str]

    def cli(self, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "monitor", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == code, result.stdout + result.stderr
        return result


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    feeds = FeedServer()
    feeds.routes["/a.xml"] = Route(rss("Andes Wire", [RAID, ICE_CONSULATE, ICE_STORM]))
    feeds.routes["/b.xml"] = Route(rss("World Wire", [RAID_AGAIN, ICJ, PHILHARMONIC]))
    with serving(feeds), serving(WebhookReceiver()) as hooks, smtp_server() as (mail, port):
        env = {
            **os.environ,
            "NEWSWATCH_DATA_DIR": str(tmp_path / "data"),
            "NEWSWATCH_SMTP_URL": f"smtp://127.0.0.1:{port}",
            "NEWSWATCH_ALLOW_PRIVATE_NETWORKS": "true",
            # The stories are dated April 2024: without this, a first poll stores them
            # as backlog and alerts none (tests/monitor/test_backlog.py tests that).
            "NEWSWATCH_BACKLOG_MAX_AGE": str(20 * 365 * 86_400),
            "NO_COLOR": "1",
            "COLUMNS": "250",
        }
        env.pop("NEWSWATCH_DATABASE_URL", None)
        yield Rig(feeds, mail, hooks, env)


def _mail_text(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def _setup(rig: Rig) -> None:
    rig.cli("feed", "add", rig.feeds.url("/a.xml"))
    rig.cli("feed", "add", rig.feeds.url("/b.xml"))
    watch = [arg for name in WATCHLISTS for arg in ("--watchlist", name)]
    rig.cli("subscription", "add", "--email", "analyst@example.org", *watch, "--every", "instant")
    rig.cli("subscription", "add", "--webhook", rig.hooks.url(), *watch, "--every", "instant")


def test_relevant_stories_arrive_once_by_email_and_webhook(rig: Rig) -> None:
    _setup(rig)
    rig.cli("run", "--once")

    assert len(rig.mail.messages) == 1
    text = _mail_text(rig.mail.messages[0][2])
    for item in RELEVANT:
        assert text.count(item.title) == 1, item.title
    for item in IRRELEVANT:
        assert item.title not in text
    assert len(rig.hooks.calls) == 1
    titles = [i["title"] for i in rig.hooks.calls[0].json()["items"]]
    assert sorted(titles) == sorted(i.title for i in RELEVANT)

    # Nothing new: no mail, no webhook, and both feeds answered 304 to a conditional GET.
    rig.cli("run", "--once")
    assert len(rig.mail.messages) == 1 and len(rig.hooks.calls) == 1
    assert rig.feeds.statuses("/a.xml")[-1] == 304 and rig.feeds.statuses("/b.xml")[-1] == 304

    # One story added to a feed arrives alone in the next cycle.
    rig.feeds.routes["/a.xml"] = Route(rss("Andes Wire", [LATER, RAID, ICE_CONSULATE, ICE_STORM]))
    rig.cli("run", "--once")
    assert len(rig.mail.messages) == 2 and len(rig.hooks.calls) == 2
    second = _mail_text(rig.mail.messages[1][2])
    assert LATER.title in second
    assert all(item.title not in second for item in RELEVANT + IRRELEVANT)
    assert [i["title"] for i in rig.hooks.calls[1].json()["items"]] == [LATER.title]


def test_duplicate_story_lists_its_other_source(rig: Rig) -> None:
    _setup(rig)
    rig.cli("run", "--once")
    item = next(i for i in rig.hooks.calls[0].json()["items"] if i["title"] == RAID.title)
    # Both feeds are polled at once, so either may be the first to carry it.
    assert sorted([item["source"], *item["also_reported_by"]]) == ["Andes Wire", "World Wire"]
    assert len(item["also_reported_by"]) == 1


def test_a_broken_feed_does_not_stop_the_others(rig: Rig) -> None:
    rig.feeds.routes["/broken.xml"] = Route(
        b"<html><body>Moved</body></html>", headers={"Content-Type": "text/html"}
    )
    # Added unchecked: `feed add` would refuse both (tests/monitor/test_cli_feed_add.py).
    rig.cli("feed", "add", "--force", rig.feeds.url("/broken.xml"))
    rig.cli("feed", "add", "--force", rig.feeds.url("/missing.xml"))
    _setup(rig)
    run = rig.cli("run", "--once")
    assert "HTML page, not a feed" in run.stdout
    assert "HTTP 404" in run.stdout
    assert len(rig.mail.messages) == 1
    listing = rig.cli("feed", "list").stdout
    assert "degraded" in listing and "healthy" in listing
    assert "HTML page" in rig.cli("feed", "show", rig.feeds.url("/broken.xml")).stdout


def test_loopback_feed_is_refused_unless_allowed(rig: Rig) -> None:
    rig.env["NEWSWATCH_ALLOW_PRIVATE_NETWORKS"] = "false"
    rig.cli("feed", "add", "--force", rig.feeds.url("/a.xml"))  # unchecked: polled, refused
    run = rig.cli("run", "--once", code=1)  # its only feed failed
    assert "loopback" in run.stdout
    assert rig.feeds.requests == []  # refused before connecting


def test_one_story_from_three_feeds_is_one_item_with_three_sources(rig: Rig) -> None:
    copies = {
        "/ap.xml": ("AP Wire", RAID),
        "/abc.xml": (
            "ABC Wire",
            Item(
                "c-1",
                RAID.title,
                RAID.summary.replace("late on Friday", "late Friday"),
                "https://abc.example/international/wireStory/quito-embassy-raid-1088",
            ),
        ),
        "/local.xml": (
            "Local Wire",
            Item(
                "d-1",
                RAID.title + " - Local Wire",
                RAID.summary,
                "https://local.example/world/2024/04/06/quito-raid?utm_source=rss",
            ),
        ),
    }
    for path, (title, item) in copies.items():
        rig.feeds.routes[path] = Route(rss(title, [item]))
        rig.cli("feed", "add", "--no-discover", rig.feeds.url(path))
    rig.cli(
        "subscription",
        "add",
        "--webhook",
        rig.hooks.url(),
        "--watchlist",
        "embassy-raids",
        "--every",
        "instant",
    )
    rig.cli("run", "--once")
    (call,) = rig.hooks.calls
    items = call.json()["items"]
    assert len(items) == 1
    sources = [items[0]["source"], *items[0]["also_reported_by"]]
    assert sorted(sources) == ["ABC Wire", "AP Wire", "Local Wire"]
