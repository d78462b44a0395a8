"""Every ``list`` and ``show`` command at 80 columns: no line longer than the terminal, no row
wrapped onto a second line (so no cell split mid-word); long text ends in an ellipsis."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.schedule.health import after_error
from storage.database import migrate, open_engine
from storage.digests import list_digests
from storage.feeds import add_feed, record_feed_error
from storage.subscriptions import add_subscription
from tests.monitor.outbox_support import seed
from tests.support.cli import newswatch
from watchlists.builtin import builtin_watchlist_texts

NOW = datetime.now(UTC)
LONG_URL = "https://feeds.news-agency.example.org/world/latin-america/andes/politics/rss.xml"
LONG_ERROR = (
    "cannot resolve host 'feeds.news-agency.example.org' (Name or service not known); "
    "the server may be gone, or DNS on this machine is not working"
)
BOX = "│┃┏┡└┌┗├╇┣┠┨┳┻━─"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database with long addresses, titles, errors, watchlist lists and targets."""
    folder = tmp_path_factory.mktemp("tables") / "data"
    engine = open_engine(f"sqlite:///{folder / 'newswatch.db'}")
    migrate(engine)
    assert newswatch(folder, "watchlist", "list").code == 0  # the built-in watchlists
    feed, _ = add_feed(engine, LONG_URL, NOW, title="Andes News Agency: World, Politics, Economy")
    health = after_error(NOW, 1, LONG_ERROR, None, None)
    record_feed_error(
        engine, feed.id, LONG_ERROR, NOW, NOW + timedelta(hours=1), health.state, health.reason
    )
    for n in range(3):
        add_feed(engine, f"https://wire{n}.example/rss", NOW)
    names = ["embassy-raids", "vienna-conventions", "ice-consulates", "ecuador-mexico"]
    add_subscription(
        engine,
        channel="email",
        target="Alicia Bárcena <alicia.barcena@foreign-ministry.example.org>, desk@example.org",
        watchlists=names,
        schedule="weekly@mon@08:00",
        timezone="America/Argentina/Buenos_Aires",
        now=NOW - timedelta(hours=1),
        feed_alerts=True,
        quiet_hours="22:00-07:00",
    )
    add_subscription(
        engine,
        channel="webhook",
        target="https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        watchlists=names[:1],
        schedule="instant",
        timezone="UTC",
        now=NOW - timedelta(hours=1),
        format="slack",
        secret="whsec_" + "A" * 32,
    )
    seed(
        engine,
        NOW,
        "Police raid the Mexican embassy in Quito and arrest former vice-president Jorge Glas",
        "Mexico breaks off diplomatic relations with Ecuador after the raid on its embassy",
    )
    engine.dispose()
    assert newswatch(folder, "digest", "send", "1").code == 0
    return folder


def _digest_id(data: Path) -> str:
    engine = open_engine(f"sqlite:///{data / 'newswatch.db'}")
    try:
        return list_digests(engine)[0].id
    finally:
        engine.dispose()


COMMANDS = [
    ["feed", "list"],
    ["feed", "show", "1"],
    ["watchlist", "list"],
    ["watchlist", "show", "embassy-raids"],
    ["subscription", "list"],
    ["subscription", "show", "1"],
    ["subscription", "show", "2"],
    ["digest", "list"],
    ["digest", "show", "DIGEST"],
    ["stories", "search", "embassy"],
    ["stories", "show", "1"],
    ["status"],
    ["config", "show"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=["-".join(a[:2]) for a in COMMANDS])
def test_every_list_and_show_fits_80_columns(data: Path, args: list[str]) -> None:
    args = [_digest_id(data) if a == "DIGEST" else a for a in args]
    ran = newswatch(data, *args, width=80)
    assert ran.code == 0, ran.text
    tables = 0
    if args[:2] == ["watchlist", "show"]:  # the YAML as stored, to copy and edit: not reflowed
        assert ran.stdout == builtin_watchlist_texts()["embassy-raids"]
        return
    if args[:2] == ["digest", "show"]:
        args = [*args, "--all"]  # the text as it was sent, then a table of every story
        ran = newswatch(data, *args, width=80)
        text = ran.stdout[ran.stdout.index("every story in") :]
        ran = type(ran)(ran.code, text, ran.stderr)
    for line in ran.stdout.splitlines():
        if "://" not in line:  # an address in plain text cannot be broken, tables cut it
            assert len(line) <= 80, f"{len(line)} columns: {line}"
        if line and line[0] in BOX:
            assert len(line) <= 80, f"{len(line)} columns: {line}"
            tables += 1
        if line and line[0] in "│┃":
            first = line[1:].split(line[0], 1)[0]
            assert first.strip(), f"a row went on over two lines: {line}"
    assert tables, ran.stdout  # it did print a table


def test_long_text_is_cut_with_an_ellipsis_and_shown_whole_by_show(data: Path) -> None:
    listing = newswatch(data, "feed", "list").stdout
    assert "…" in listing and LONG_URL not in listing
    shown = newswatch(data, "feed", "show", "1", width=200).stdout
    assert LONG_URL in shown and LONG_ERROR in shown


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (["feed", "list"], "url"),
        (["watchlist", "list"], "name"),
        (["subscription", "list"], "target"),
        (["digest", "list"], "id"),
    ],
    ids=["feeds", "watchlists", "subscriptions", "digests"],
)
def test_every_list_has_json_with_the_full_values(data: Path, args: list[str], key: str) -> None:
    ran = newswatch(data, *args, "--json", width=80)
    assert ran.code == 0, ran.text
    records = json.loads(ran.stdout)
    assert records and all(key in r for r in records)
    if args[0] == "feed":
        assert LONG_URL in {r["url"] for r in records}
