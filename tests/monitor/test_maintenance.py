"""watchlist edit and reset, backtest, stories prune: through the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.feeds import Item, rss
from tests.support.servers import FeedServer, Route, serving

RAID = Item(
    "1",
    "Police raid the Mexican embassy in Quito to arrest Jorge Glas",
    "Officers stormed the embassy late on Friday.",
    "https://wire.example/raid",
)
NEAR = Item(
    "3",
    "Embassy staff watch a football final",
    "Police raided a bar across the city later that night, far from the embassy district.",
    "https://wire.example/final",
)
STORM = Item(
    "2", "Ice storm closes schools", "Freezing rain across the state.", "https://wire.example/storm"
)


def cli(
    tmp_path: Path, *args: str, editor: str | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NEWSWATCH_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "200",
        "NEWSWATCH_ALLOW_PRIVATE_NETWORKS": "true",
    }
    env.pop("NEWSWATCH_DATABASE_URL", None)
    if editor:
        env["EDITOR"] = editor
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        input=stdin,
        cwd=tmp_path,  # where `watchlist edit` keeps a draft it did not save
    )


def _editor(tmp_path: Path, script: str) -> str:
    path = tmp_path / "editor.sh"
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(0o755)
    return str(path)


def test_edit_saves_a_valid_change_as_a_new_version(tmp_path: Path) -> None:
    editor = _editor(tmp_path, 'printf "\\n# reviewed\\n" >> "$1"')
    result = cli(tmp_path, "watchlist", "edit", "embassy-raids", editor=editor)
    assert result.returncode == 0, result.stderr
    assert "version 2" in result.stdout
    assert "# reviewed" in cli(tmp_path, "watchlist", "show", "embassy-raids").stdout


def test_edit_that_breaks_the_file_changes_nothing(tmp_path: Path) -> None:
    before = cli(tmp_path, "watchlist", "show", "embassy-raids").stdout
    editor = _editor(tmp_path, 'printf "colour: [unclosed\\n" >> "$1"')
    result = cli(tmp_path, "watchlist", "edit", "embassy-raids", editor=editor, stdin="n\n")
    assert result.returncode == 1
    assert "not saved" in result.stdout
    assert cli(tmp_path, "watchlist", "show", "embassy-raids").stdout == before


def test_reset_restores_the_shipped_builtin(tmp_path: Path) -> None:
    shipped = cli(tmp_path, "watchlist", "show", "ice-consulates").stdout
    cli(
        tmp_path,
        "watchlist",
        "edit",
        "ice-consulates",
        editor=_editor(tmp_path, 'printf "\\n# local change\\n" >> "$1"'),
    )
    assert cli(tmp_path, "watchlist", "show", "ice-consulates").stdout != shipped
    assert "version 3" in cli(tmp_path, "watchlist", "reset", "ice-consulates").stdout
    assert cli(tmp_path, "watchlist", "show", "ice-consulates").stdout == shipped


def test_backtest_and_prune_over_stored_stories(tmp_path: Path) -> None:
    server = FeedServer()
    server.routes["/feed.xml"] = Route(rss("Wire", [RAID, STORM]))
    with serving(server):
        assert cli(tmp_path, "feed", "add", server.url("/feed.xml")).returncode == 0
        assert cli(tmp_path, "run", "--once").returncode == 0
    backtest = cli(tmp_path, "backtest", "embassy-raids", "--since", "1d")
    assert "1 of 2 stored stories" in backtest.stdout
    assert RAID.title in backtest.stdout and STORM.title not in backtest.stdout

    assert "0 stories pruned" in cli(tmp_path, "stories", "prune", "--older-than", "1d").stdout
    bad = cli(tmp_path, "stories", "prune", "--older-than", "soon")
    assert bad.returncode == 1 and "90d" in bad.stderr


def test_backtest_near_misses_list_what_nearly_matched_and_why(tmp_path: Path) -> None:
    server = FeedServer()
    server.routes["/feed.xml"] = Route(rss("Wire", [RAID, NEAR, STORM]))
    with serving(server):
        assert cli(tmp_path, "feed", "add", server.url("/feed.xml")).returncode == 0
        assert cli(tmp_path, "run", "--once").returncode == 0
    shown = cli(tmp_path, "backtest", "embassy-raids", "--near-misses", "--since", "1d")
    assert shown.returncode == 0, shown.stderr
    assert "1 of 3 stored stories" in shown.stdout
    assert NEAR.title in shown.stdout
    assert RAID.title not in shown.stdout and STORM.title not in shown.stdout  # matched; nothing
    assert "no mission NEAR/8 intrusion in summary" in shown.stdout  # why it fell short
    assert "intrusion: raided" in shown.stdout  # the words it did find

    data = json.loads(cli(tmp_path, "backtest", "embassy-raids", "--near-misses", "--json").stdout)
    assert (data["stories"], data["near_misses"]) == (3, 1)
    (row,) = data["shown"]
    assert row["title"] == NEAR.title and 0 < row["closeness"] < 1
    assert row["reason"] == "no mission NEAR/8 intrusion in summary"
    assert {"mission", "intrusion"} <= set(row["groups"])
    assert "raided" in [hit["text"] for hit in row["hits"]]

    none = cli(tmp_path, "backtest", "embassy-raids", "--near-misses", "--json", "--limit", "0")
    assert json.loads(none.stdout)["shown"] == []
    matched = json.loads(cli(tmp_path, "backtest", "embassy-raids", "--json").stdout)
    assert [m["title"] for m in matched["matches"]] == [RAID.title]


def test_watchlist_test_says_why_and_why_not(tmp_path: Path) -> None:
    hit = cli(
        tmp_path,
        "watchlist",
        "test",
        "ice-consulates",
        "--text",
        "ICE agents tried to enter the Ecuadorian consulate in Minneapolis.",
    )
    assert hit.returncode == 0 and "match: ice-consulates" in hit.stdout
    assert "us-agency" in hit.stdout

    miss = cli(
        tmp_path,
        "watchlist",
        "test",
        "ice-consulates",
        "--text",
        "An ice storm hit Minneapolis and the consulate closed early.",
    )
    assert miss.returncode == 1
    assert "no match for ice-consulates" in miss.stdout
    assert "group 'us-agency' not found" in miss.stdout


def test_watchlist_test_reads_a_web_page(tmp_path: Path) -> None:
    page = (
        b"<html><body><article><h1>Raid</h1><p>Police stormed the Mexican embassy in "
        b"Quito and arrested Jorge Glas.</p></article></body></html>"
    )
    server = FeedServer()
    server.routes["/story.html"] = Route(page, headers={"Content-Type": "text/html"})
    with serving(server):
        result = cli(
            tmp_path, "watchlist", "test", "embassy-raids", "--url", server.url("/story.html")
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "match: embassy-raids" in result.stdout
