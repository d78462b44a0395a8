"""mypy's strict checks hold for storage, watchlists and the pure packages of monitor.

Runs mypy (a subprocess, no network) with the project's ``pyproject.toml`` on a throwaway
module placed in each strict package, and checks that the strict-only errors are reported;
and checks that each package is named in a ``strict = true`` block of ``[[tool.mypy.overrides]]``.

mypy up to at least 2.4 applies ``strict = true`` of an override to every module, not only to
the ones it names (python/mypy#11401), so today the whole project is checked strictly and the
first test fails only when no strict override is left; the second one fails when a package is
dropped from the blocks, which is what decides once mypy applies the blocks per module.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STRICT_PACKAGES = (
    "storage",
    "watchlists",
    "monitor.parse",
    "monitor.dedup",
    "monitor.matching",
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
        f"strict mypy errors not reported (is the package in a strict override of "
        f"pyproject.toml?): {missing}\n{out.stdout}{out.stderr}"
    )


def test_every_strict_package_is_named_in_a_strict_override() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    named: set[str] = set()
    for block in config["tool"]["mypy"].get("overrides", []):
        if block.get("strict") is True:
            modules = block["module"]
            named.update([modules] if isinstance(modules, str) else modules)
    missing = [p for p in STRICT_PACKAGES if f"{p}.*" not in named]
    assert not missing, f"add {missing} to a strict [[tool.mypy.overrides]] block of pyproject.toml"
