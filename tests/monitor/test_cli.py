"""The command line: readable errors without tracebacks, exit codes, tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSWATCH_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    env.pop("NEWSWATCH_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        cwd=tmp_path,
    )


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (["feed", "add", "not a url"], "is not a feed address", "https://"),
        (["feed", "remove", "99"], "no feed '99'", "feed list"),
        (
            ["subscription", "add", "--email", "a@b.example", "--watchlist", "nope"],
            "no watchlist 'nope'",
            "embassy-raids",
        ),
        (
            [
                "subscription",
                "add",
                "--email",
                "a@b.example",
                "--watchlist",
                "embassy-raids",
                "--every",
                "fortnightly",
            ],
            "unknown schedule 'fortnightly'",
            "daily@HH:MM",
        ),
        (
            [
                "subscription",
                "add",
                "--email",
                "a@b.example",
                "--watchlist",
                "embassy-raids",
                "--timezone",
                "Mars/Olympus",
            ],
            "unknown time zone",
            "IANA",
        ),
        (["watchlist", "show", "nope"], "no watchlist 'nope'", "known watchlists"),
        (["match", "missing.jsonl"], "cannot read missing.jsonl", None),
    ],
    ids=[
        "bad-feed-url",
        "unknown-feed",
        "unknown-watchlist",
        "bad-schedule",
        "bad-zone",
        "unknown-watchlist-show",
        "missing-file",
    ],
)
def test_errors_are_one_readable_message(
    tmp_path: Path, args: list[str], message: str, hint: str | None
) -> None:
    result = run(tmp_path, *args)
    assert result.returncode == 1
    assert message in result.stderr
    if hint:
        assert "hint:" in result.stderr and hint in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_fresh_data_directory_gets_the_builtin_watchlists(tmp_path: Path) -> None:
    result = run(tmp_path, "watchlist", "list")
    assert result.returncode == 0
    for name in ("embassy-raids", "vienna-conventions", "ice-consulates", "ecuador-mexico"):
        assert name in result.stdout


def test_feed_add_list_remove(tmp_path: Path) -> None:
    assert (
        run(tmp_path, "feed", "add", "--force", "https://news.example.org/rss.xml").returncode == 0
    )
    assert (
        "already present"
        in run(tmp_path, "feed", "add", "--force", "https://news.example.org/rss.xml").stdout
    )
    listing = run(tmp_path, "feed", "list").stdout
    assert "https://news.example.org/rss.xml" in listing and "new" in listing
    assert run(tmp_path, "feed", "remove", "https://news.example.org/rss.xml").returncode == 0
    assert "feeds: none" in run(tmp_path, "feed", "list").stdout


def test_match_reads_json_lines_and_reports_bad_lines(tmp_path: Path) -> None:
    lines = "\n".join(
        [
            json.dumps(
                {
                    "id": "1",
                    "title": "Police raid the Mexican embassy in Quito",
                    "summary": "Officers stormed the embassy to arrest Jorge Glas.",
                }
            ),
            "{not json",
            json.dumps({"id": "3", "title": "Ice storm closes schools", "summary": ""}),
        ]
    )
    result = run(tmp_path, "match", "-", stdin=lines + "\n")
    assert result.returncode == 1  # one bad line
    assert ":2: skipped" in result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["1", "3"]
    assert "embassy-raids" in {m["watchlist"] for m in out[0]["matches"]}
    assert out[1]["matches"] == []
    assert not (tmp_path / "data").exists()  # matching alone creates no database


def test_config_show_redacts(tmp_path: Path) -> None:
    env_url = "smtp://bot:s3cret@mail.example.org:587"
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "config", "show"],
        env={**os.environ, "NEWSWATCH_SMTP_URL": env_url, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0
    assert "<redacted>" in result.stdout and "s3cret" not in result.stdout


def test_demo_prints_a_digest_offline(tmp_path: Path) -> None:
    result = run(tmp_path, "demo")
    assert result.returncode == 0, result.stderr
    assert "newswatch digest:" in result.stdout
    assert "Jorge Glas" in result.stdout
    assert "Vienna Philharmonic" not in result.stdout and "Ice storm" not in result.stdout
    assert "outbox" not in result.stdout  # its temporary folder is gone when it ends
    assert "nothing was sent" in result.stdout
