"""``newswatch web`` and the console of ``newswatch run``: the address, the token, the refusals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.web.access import check_bind, is_loopback
from monitor.web.server import parse_web_address


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    env.update({"NEWSWATCH_DATA_DIR": str(tmp_path / "data"), **extra})
    return env


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("localhost", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("example.org", False),
    ],
    ids=str,
)
def test_which_addresses_are_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_public_address_needs_a_token() -> None:
    with pytest.raises(ConfigError, match="not a loopback address") as caught:
        check_bind("0.0.0.0", "")
    assert "NEWSWATCH_ADMIN_TOKEN" in (caught.value.hint or "")
    check_bind("0.0.0.0", "a-token")
    check_bind("127.0.0.1", "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:8080", ("127.0.0.1", 8080)),
        ("9000", ("127.0.0.1", 9000)),
        ("[::1]:8081", ("::1", 8081)),
        ("off", None),
    ],
    ids=str,
)
def test_web_address_forms(text: str, expected: tuple[str, int] | None) -> None:
    parsed = parse_web_address(text)
    assert (None if parsed is None else (parsed.host, parsed.port)) == expected


def test_a_bad_web_address_says_how_to_write_it() -> None:
    with pytest.raises(ConfigError, match="is not host:port"):
        parse_web_address("127.0.0.1:http")


def test_config_show_never_prints_the_admin_token() -> None:
    shown = Settings(admin_token="s3cret-token").redacted()
    assert shown["admin_token"] == "<redacted>"
    assert "s3cret-token" not in str(shown)


def test_run_refuses_a_public_address_without_a_token(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "run"],
        env=_env(tmp_path, NEWSWATCH_WEB_ADDRESS="0.0.0.0:0"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "not a loopback address" in done.stderr
    assert "NEWSWATCH_ADMIN_TOKEN" in done.stderr


def test_web_serves_the_console_and_prints_its_address(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("file-token-123\n", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-m", "monitor", "web"],
        env=_env(
            tmp_path,
            NEWSWATCH_WEB_ADDRESS="127.0.0.1:0",
            NEWSWATCH_ADMIN_TOKEN_FILE=str(token_file),
        ),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        line = ""
        for line in server.stderr:  # log lines may come first
            if line.startswith("web console on "):
                break
        assert line.startswith("web console on http://127.0.0.1:"), line
        assert "read-only" not in line
        url = line.split()[3].rstrip(";")
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = httpx.get(url + "api/v1/watchlists", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert "embassy-raids" in {w["name"] for w in answer.json()["items"]}
        assert httpx.get(url + "alerts").status_code == 200
        change = httpx.post(
            url + "api/v1/watchlists/embassy-raids/disable",
            headers={"Authorization": "Bearer file-token-123"},
        )
        assert change.json()["enabled"] is False
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    assert server.returncode == 0
