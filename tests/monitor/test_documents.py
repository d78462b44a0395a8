"""Reading builder documents and the `watchlist build` command, end to end.

I/O tests: real files, a real HTTP server on 127.0.0.1, the command run as a subprocess.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from monitor.clock import utcnow
from monitor.config import Settings
from monitor.errors import AddressRefusedError, ConfigError
from monitor.fetch.documents import (
    decode_text,
    fetch_document,
    is_url,
    load_documents,
    read_document,
)
from monitor.fetch.http import fetch_policy
from tests.support.servers import FeedServer, Route, serving
from watchlists.loader import parse_watchlist

SEEDS = Path(__file__).parents[2].parent / "shared/seeds"
if not SEEDS.is_dir():  # a worktree beside the main clone: shared/ is one level up
    SEEDS = Path("/work/shared/seeds")
PAGE = (
    "<html><head><meta charset='windows-1252'><title>Raid in Quito</title></head><body>"
    "<p>Ecuadorian police raided the Mexican embassy in Quito to arrest Jorge Glas.</p>"
    "<p>Mexico took the case to the International Court of Justice. Jorge Glas had been "
    "given asylum. Foreign minister Alicia B\xe1rcena said the embassy raid broke the "
    "Vienna Convention on Diplomatic Relations.</p></body></html>"
).encode("cp1252")


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "NEWSWATCH_DATA_DIR": str(tmp_path / "data"), **env}
    environ.pop("NEWSWATCH_DATABASE_URL", None)
    if "NEWSWATCH_ALLOW_PRIVATE_NETWORKS" not in env:
        environ.pop("NEWSWATCH_ALLOW_PRIVATE_NETWORKS", None)
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=90,
        cwd=tmp_path,
    )


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def seed_files() -> list[str]:
    files = sorted(str(p) for p in SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not files:
        pytest.skip(f"no seed documents in {SEEDS}")
    return files


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        ("Bárcena".encode(), "", "Bárcena"),
        ("Bárcena".encode("cp1252"), "text/html; charset=windows-1252", "Bárcena"),
        (b"<meta charset='iso-8859-1'>B\xe1rcena", "", "Bárcena"),
        (b"\xef\xbb\xbfB\xc3\xa1rcena", "", "Bárcena"),
        ("Bárcena".encode("utf-16"), "", "Bárcena"),
        ("Bárcena".encode("cp1252"), "", "Bárcena"),
        ("Bárcena".encode(), "text/plain; charset=no-such-charset", "Bárcena"),
    ],
    ids=["utf8", "declared", "meta", "bom-utf8", "bom-utf16", "cp1252-fallback", "bad-charset"],
)
def test_decode_text(data: bytes, content_type: str, expected: str) -> None:
    assert expected in decode_text(data, content_type)


@pytest.mark.parametrize(
    ("reference", "expected"),
    [("https://x.example/a", True), ("HTTP://x.example", True), ("notes.md", False),
     ("/tmp/a.html", False), ("file:///etc/passwd", False)],
    ids=["https", "upper-http", "relative", "absolute", "file-url"],
)  # fmt: skip
def test_is_url(reference: str, expected: bool) -> None:
    assert is_url(reference) is expected


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.txt", "no document"),
        (lambda tmp: tmp, "is a folder"),
        (lambda tmp: _write(tmp / "a.pdf", b"%PDF-1.7\n..."), "not a text document"),
        (lambda tmp: _write(tmp / "a.bin", b"PK\x03\x04\x00\x00"), "not a text document"),
    ],
    ids=["missing", "folder", "pdf", "binary"],
)
def test_read_document_errors(tmp_path: Path, make: Callable[[Path], Path], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        read_document(make(tmp_path))


def test_read_and_load_keep_order(tmp_path: Path) -> None:
    first = tmp_path / "a.md"
    first.write_text("# Raid\n\nJorge Glas", encoding="utf-8")
    second = tmp_path / "b.txt"
    second.write_bytes("Bárcena".encode("cp1252"))
    docs = load_documents([str(first), str(second)], Settings())
    assert [d.name for d in docs] == [str(first), str(second)]
    assert docs[1].text == "Bárcena"
    with pytest.raises(ConfigError, match="no documents"):
        load_documents([], Settings())


def test_fetch_refuses_loopback_unless_allowed() -> None:
    server = FeedServer()
    server.routes["/page"] = Route(PAGE, {"Content-Type": "text/html"})
    with serving(server):
        url = server.url("/page")
        with pytest.raises(AddressRefusedError, match="loopback"):
            asyncio.run(fetch_document(url, fetch_policy(Settings()), utcnow()))
        assert server.requests == []
        policy = fetch_policy(Settings(allow_private_networks=True))
        doc = asyncio.run(fetch_document(url, policy, utcnow()))
    assert doc.name == url
    assert doc.content_type == "text/html"
    assert "Alicia Bárcena" in doc.text


def test_build_command_on_seeds(tmp_path: Path) -> None:
    files = seed_files()
    result = run(tmp_path, "watchlist", "build", *files, "--name", "quito-raid")
    assert result.returncode == 0, result.stderr
    watchlist = parse_watchlist(result.stdout, "stdout")
    texts = {term.text for group in watchlist.groups for term in group.terms}
    assert {"Jorge Glas", "Vienna Convention on Consular Relations", "embassy raid"} <= texts
    assert "Immigration and Customs Enforcement (ICE)" in result.stdout


def test_build_command_writes_file(tmp_path: Path) -> None:
    files = seed_files()
    target = tmp_path / "draft.yaml"
    args = ["--name", "ice", "-o", str(target), "--max-names", "5", "--max-phrases", "3"]
    result = run(tmp_path, "watchlist", "build", files[2], *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "written to" in result.stderr
    watchlist = parse_watchlist(target.read_text(encoding="utf-8"), str(target))
    concepts = ("key-phrases", "incidents", "actions", "subjects", "terms-of-art")
    names = [t.text for g in watchlist.groups if g.name not in concepts for t in g.terms]
    assert "Minneapolis" in names and len(names) == 5
    assert "consulate" in [t.text for t in watchlist.group("subjects").terms]
    assert len(watchlist.group("key-phrases").terms) == 3


def test_build_command_from_url(tmp_path: Path) -> None:
    server = FeedServer()
    server.routes["/raid.html"] = Route(PAGE, {"Content-Type": "text/html"})
    with serving(server):
        url = server.url("/raid.html")
        refused = run(tmp_path, "watchlist", "build", url, "--name", "web")
        allowed = run(
            tmp_path, "watchlist", "build", url, "--name", "web",
            NEWSWATCH_ALLOW_PRIVATE_NETWORKS="true",
        )  # fmt: skip
    assert refused.returncode == 1
    assert "loopback" in refused.stderr and "NEWSWATCH_ALLOW_PRIVATE_NETWORKS" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr
    assert f"#   - {url}" in allowed.stdout
    watchlist = parse_watchlist(allowed.stdout, "stdout")
    texts = {t.text for g in watchlist.groups for t in g.terms}
    assert {"Jorge Glas", "Quito", "International Court of Justice"} <= texts


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (["missing.txt", "--name", "x"], "no document missing.txt", "check the path"),
        (["doc.txt", "--name", "Not Valid"], "not a valid watchlist name", "lower-case"),
    ],
    ids=["missing-file", "bad-name"],
)
def test_build_command_errors(tmp_path: Path, args: list[str], message: str, hint: str) -> None:
    (tmp_path / "doc.txt").write_text("Jorge Glas was arrested in Quito.", encoding="utf-8")
    result = run(tmp_path, "watchlist", "build", *args)
    assert result.returncode == 1
    assert message in result.stderr and hint in result.stderr
    assert "Traceback" not in result.stderr
