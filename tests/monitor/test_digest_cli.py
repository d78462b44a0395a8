"""``newswatch digest preview | send | list | show``: what a user sees before and after sending."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.database import migrate, open_engine
from storage.subscriptions import add_subscription
from tests.monitor.outbox_support import run_cli, seed
from tests.support.servers import smtp_server

RAID = "Police raid the Mexican embassy in Quito"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'data' / 'nw.db'}"
    engine = open_engine(url)
    migrate(engine)
    now = datetime.now(UTC)
    add_subscription(
        engine,
        channel="email",
        target="desk@example.org",
        watchlists=["embassy-raids"],
        schedule="daily@08:00",
        timezone="America/New_York",
        now=now - timedelta(hours=1),
    )
    seed(engine, now, RAID, "Mexico breaks off relations with Ecuador")
    engine.dispose()
    return {"NEWSWATCH_DATA_DIR": str(tmp_path / "data"), "NEWSWATCH_DATABASE_URL": url}


def cli_ok(env: dict[str, str], *args: str) -> str:
    code, output = run_cli(env, *args)
    assert code == 0, output
    return output


def test_preview_renders_the_next_digest_and_records_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    page = tmp_path / "preview.html"
    text = cli_ok(env, "digest", "preview", "1", "--html", str(page))
    assert "newswatch digest: 2 new stories" in text and RAID in text
    assert " ES" in text or " ED" in text  # times in New York, the subscriber's zone
    assert page.read_text().startswith("<!DOCTYPE html>") and RAID in page.read_text()
    assert "nwd_" not in cli_ok(env, "digest", "list")  # nothing recorded
    assert RAID in cli_ok(env, "digest", "preview", "1")  # so the preview can repeat


def test_send_delivers_now_then_list_shows_it_and_nothing_is_sent_twice(
    env: dict[str, str],
) -> None:
    with smtp_server() as (sink, port):
        env = {**env, "NEWSWATCH_SMTP_URL": f"smtp://127.0.0.1:{port}"}
        sent = cli_ok(env, "digest", "send", "1")
        assert "sent" in sent and len(sink.messages) == 1
        again = cli_ok(env, "digest", "send", "1")
        assert "nothing new" in again and len(sink.messages) == 1
    digest_id = re.findall(r"digest (nwd_[0-9a-f]+) sent", sent)[0]
    listing = cli_ok(env, "digest", "list")
    assert digest_id in listing and "sent" in listing and "│ 2 " in listing
    assert RAID in cli_ok(env, "digest", "show", digest_id)
    assert "nothing new" in cli_ok(env, "digest", "preview", "1")


def test_send_without_smtp_writes_eml_and_json_to_the_outbox_folder(
    env: dict[str, str], tmp_path: Path
) -> None:
    output = cli_ok(env, "digest", "send", "1")
    assert "written to" in output
    outbox = tmp_path / "data" / "outbox"
    assert len(list(outbox.glob("*.eml"))) == 1 and len(list(outbox.glob("*.json"))) == 1


def test_unknown_ids_are_refused_with_a_pointer_to_the_list(env: dict[str, str]) -> None:
    code, output = run_cli(env, "digest", "retry", "nwd_nope")
    assert code == 1 and "no digest 'nwd_nope'" in output and "digest list" in output
    code, output = run_cli(env, "digest", "preview", "9")
    assert code == 1 and "no subscription 9" in output


def test_stories_over_the_cap_are_counted_and_can_still_be_listed(
    env: dict[str, str], tmp_path: Path
) -> None:
    engine = open_engine(env["NEWSWATCH_DATABASE_URL"])
    seed(engine, datetime.now(UTC), *[f"Embassy story number {i}" for i in range(30)])
    engine.dispose()
    sent = cli_ok(env, "digest", "send", "1")
    digest_id = re.findall(r"digest (nwd_[0-9a-f]+) written to", sent)[0]  # no SMTP: outbox
    shown = cli_ok(env, "digest", "show", digest_id)
    assert "== embassy-raids (32) ==" in shown
    assert "+7 more in embassy-raids" in shown and f"digest show {digest_id} --all" in shown
    everything = cli_ok(env, "digest", "show", digest_id, "--all")
    for title in [RAID, "Mexico breaks off relations with Ecuador", "Embassy story number 29"]:
        assert title in everything
    assert "nothing new" in cli_ok(env, "digest", "preview", "1")  # the capped ones included
