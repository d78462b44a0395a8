"""mypy's strict checks hold in every package: storage, watchlists and all of monitor.

Runs mypy (a subprocess, no network) with the project's ``pyproject.toml`` on a throwaway
module placed in each package, and checks that the strict-only errors are reported.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STRICT_PACKAGES = (
    "storage",
    "watchlists",
    *(
        f"monitor.{p.name}"
        for p in sorted((ROOT / "monitor").iterdir())
        if (p / "__init__.py").exists()
    ),
)

# Accepted by mypy's defaults; each function is an error under --strict only.
LOOSE = """\
import json


def untyped(value):
    return value


def bare(values: list) -> int:
    return len(values)


def loads(text: str) -> int:
    return json.loads(text)
"""
STRICT_ERRORS = {"no-untyped-def", "type-arg", "no-any-return"}


def test_strict_checks_hold_in_every_strict_package(tmp_path: Path) -> None:
    files = []
    for package in STRICT_PACKAGES:
        folder = tmp_path.joinpath(*package.split("."))
        folder.mkdir(parents=True, exist_ok=True)
        for level in range(1, len(package.split(".")) + 1):
            tmp_path.joinpath(*package.split(".")[:level], "__init__.py").touch()
        (folder / "loose_probe.py").write_text(LOOSE, encoding="utf-8")
        files.append(str(folder.relative_to(tmp_path) / "loose_probe.py"))
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            *files,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found: dict[str, set[str]] = {}
    for path, code in re.findall(r"^(\S+?\.py):\d+: error: .*\[([\w-]+)\]$", out.stdout, re.M):
        module = path.removesuffix("/loose_probe.py").replace("/", ".")
        found.setdefault(module, set()).add(code)
    missing = {p: sorted(STRICT_ERRORS - found.get(p, set())) for p in STRICT_PACKAGES}
    assert all(not codes for codes in missing.values()), (
        f"strict mypy errors not reported (is strict = true still in [tool.mypy] of "
        f"pyproject.toml?): {missing}\n{out.stdout}{out.stderr}"
    )
