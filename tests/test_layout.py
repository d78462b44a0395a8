"""The architecture holds: import arrows, pure packages, module sizes, the map in docs/.

Each rule is also shown to fail: a copy of the source with one forbidden import (or call)
added is caught, and the message names the module, the line and the rule.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.layout import IO, LEAVES, PURE, ROOT, import_violations, pure_modules

SHARED = ROOT.resolve().parent / "shared"
if not SHARED.is_dir():
    SHARED = Path("/work/shared")
FEEDS = sorted((SHARED / "fixtures" / "feeds").glob("*.xml"))[:8]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
MAX_LINES = 400


def _probe(root: Path) -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "tests/support/purity_probe.py", *map(str, FEEDS)],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found: dict[str, list[str]] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def _copy(tmp_path: Path) -> Path:
    """The source packages and the probe's support files, copied to be broken on purpose."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for top in ("monitor", "storage", "watchlists", "tests/support"):
        shutil.copytree(ROOT / top, tmp_path / top, ignore=skip)
    for name in ("tests/__init__.py", "tests/monitor/__init__.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    shutil.copy(ROOT / "tests/monitor/digest_samples.py", tmp_path / "tests/monitor")
    return tmp_path


def _append(path: Path, code: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + code + "\n", encoding="utf-8")


def test_every_import_follows_the_arrows() -> None:
    assert [str(v) for v in import_violations()] == []


def test_a_forbidden_import_is_caught_with_its_rule(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    before = set(import_violations(root))
    _append(root / "monitor/parse/story.py", "from monitor.fetch.http import fetch_feed")
    _append(root / "monitor/web/app.py", "from monitor.cli.console import out")
    _append(root / "storage/records.py", "import monitor.errors")
    _append(root / "watchlists/model.py", "from storage.records import FeedRecord")
    _append(root / "monitor/digests/compose.py", "from storage.stories import save_polls")
    found = {(v.module, v.imported): v.rule for v in set(import_violations(root)) - before}
    assert found == {
        ("monitor.parse.story", "monitor.fetch.http.fetch_feed"): (
            "monitor.parse is pure: it imports only monitor.config, monitor.errors, "
            "monitor.metrics, watchlists, storage.records, storage.errors"
        ),
        ("monitor.web.app", "monitor.cli.console.out"): "nothing imports monitor.cli",
        ("storage.records", "monitor.errors"): "storage never imports monitor",
        ("watchlists.model", "storage.records.FeedRecord"): (
            "watchlists imports neither monitor nor storage"
        ),
        ("monitor.digests.compose", "storage.stories.save_polls"): (
            "pure code takes only watchlists and storage's records"
        ),
    }


def test_the_pure_packages_load_and_call_no_network_database_or_clock() -> None:
    assert len(FEEDS) == 8
    assert _probe(ROOT) == {"modules": [], "calls": []}


def test_an_impure_import_or_call_in_a_pure_package_is_caught(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _append(root / "monitor/dedup/fingerprint.py", "import sqlalchemy  # noqa")
    _append(
        root / "monitor/parse/canonical.py", "import socket\nsocket.getaddrinfo('127.0.0.1', 80)"
    )
    _append(
        root / "monitor/schedule/digests.py",
        "_is_due = is_due\n\n"
        "def is_due(schedule, zone, since, now):\n"
        "    datetime.now(UTC)\n"
        "    return _is_due(schedule, zone, since, now)",
    )
    found = _probe(root)
    assert "sqlalchemy" in found["modules"]
    assert found["calls"] == [
        "datetime.now from monitor.schedule.digests",
        "socket.getaddrinfo from monitor.parse.canonical",
    ]


def test_every_module_of_monitor_is_a_leaf_or_in_a_sub_package() -> None:
    top = {p.stem for p in (ROOT / "monitor").glob("*.py")} - {"__init__", "__main__"}
    assert top == LEAVES
    folders = {p.name for p in (ROOT / "monitor").iterdir() if (p / "__init__.py").exists()}
    assert folders == set(PURE) | set(IO)
    assert len(pure_modules()) > 20


@pytest.mark.parametrize("top", ["monitor", "storage", "watchlists"])
def test_no_module_is_over_400_lines(top: str) -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / top).rglob("*.py")
        if "migrations" not in p.parts
        and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_docs_architecture_names_every_module() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    missing = [
        str(p.relative_to(ROOT))
        for top in ("monitor", "storage", "watchlists")
        for p in sorted((ROOT / top).rglob("*.py"))
        if p.name != "__init__.py"
        and "migrations" not in p.parts
        and f"`{p.relative_to(ROOT)}`" not in text
    ]
    assert missing == []
