"""The command line's contract: --version, exit codes, configuration errors, the data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import newswatch


def test_version_is_printed_without_touching_anything(tmp_path: Path) -> None:
    ran = newswatch(tmp_path / "data", "--version")
    assert ran.code == 0
    assert ran.stdout.startswith("newswatch 0.")
    assert not (tmp_path / "data").exists()


def test_a_bad_option_value_is_a_usage_error(tmp_path: Path) -> None:
    ran = newswatch(tmp_path / "data", "--log-format", "xml", "feed", "list")
    assert ran.code == 2
    assert "xml" in ran.stderr


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    ran = newswatch(tmp_path / "data", "--config", str(tmp_path / "missing.toml"), "status")
    assert ran.code == 1
    assert "--config names" in ran.stderr and "missing.toml" in ran.stderr
    assert "does not exist" in ran.stderr and "Traceback" not in ran.text
    assert "FileNotFoundError" not in ran.text


def test_bad_value_in_the_config_file_names_the_file_and_key(tmp_path: Path) -> None:
    config = tmp_path / "newswatch.toml"
    config.write_text("[newswatch]\npoll_interval = 'often'\n", encoding="utf-8")
    ran = newswatch(tmp_path / "data", "--config", str(config), "status")
    assert ran.code == 1
    assert f"{config}: poll_interval" in ran.stderr
    assert "NEWSWATCH_POLL_INTERVAL" not in ran.stderr


def test_bad_value_in_the_environment_names_the_variable(tmp_path: Path) -> None:
    ran = newswatch(tmp_path / "data", "status", env={"NEWSWATCH_POLL_INTERVAL": "often"})
    assert ran.code == 1
    assert "NEWSWATCH_POLL_INTERVAL = 'often' is not a number" in ran.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["feed", "list"],
        ["feed", "export"],
        ["watchlist", "list"],
        ["watchlist", "show", "embassy-raids"],
        ["subscription", "list"],
        ["digest", "list"],
        ["status"],
    ],
    ids=["feed-list", "feed-export", "watchlist-list", "watchlist-show", "subs", "digests", "st"],
)
def test_reading_commands_create_no_data_folder(tmp_path: Path, args: list[str]) -> None:
    ran = newswatch(tmp_path / "data", *args)
    assert ran.code == 0, ran.text
    assert not (tmp_path / "data").exists()


def test_the_first_write_creates_the_database_and_says_where(tmp_path: Path) -> None:
    ran = newswatch(tmp_path / "data", "watchlist", "disable", "embassy-raids")
    assert ran.code == 0, ran.text
    assert (tmp_path / "data" / "newswatch.db").is_file()
    assert f"created the database {tmp_path / 'data' / 'newswatch.db'}" in ran.stderr
    listing = newswatch(tmp_path / "data", "watchlist", "list", "--json").stdout
    assert '"enabled": false' in listing


def _unwritable(tmp_path: Path) -> Path:
    if os.geteuid() == 0:  # root writes through permission bits; /proc refuses everyone
        return Path("/proc/newswatch-test")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    return folder / "data"


def test_a_read_only_data_folder_is_named(tmp_path: Path) -> None:
    data = _unwritable(tmp_path)
    ran = newswatch(data, "watchlist", "disable", "embassy-raids")
    assert ran.code == 1
    assert "cannot be written" in ran.stderr
    assert str(data.parent) in ran.stderr
    assert "NEWSWATCH_DATA_DIR" in ran.stderr
    assert "readonly database" not in ran.text


def test_an_unexpected_error_exits_1_in_one_line(tmp_path: Path) -> None:
    # A database URL SQLAlchemy cannot open is not a newswatch error: one line, exit 1.
    env = {**os.environ, "NEWSWATCH_DATABASE_URL": "postgresql+nodriver://x/y"}
    ran = subprocess.run(
        [sys.executable, "-m", "monitor", "feed", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert ran.returncode == 1
    assert "unexpected error" in ran.stderr and "Traceback" not in ran.stderr
