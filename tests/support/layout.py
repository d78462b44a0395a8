"""The architecture as data: which package of newswatch may import which, and which are pure.

``docs/architecture.md`` draws the same arrows. ``import_violations`` reads the source with
``ast`` (imports inside functions and under ``TYPE_CHECKING`` count too);
``purity_probe.py`` checks the pure packages at run time.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[2]

LEAVES = frozenset({"errors", "config", "clock", "metrics"})

# Pure sub-packages of monitor/ and the other pure sub-packages each may import.
PURE: dict[str, frozenset[str]] = {
    "parse": frozenset(),
    "dedup": frozenset({"parse"}),
    "matching": frozenset({"parse"}),
    "prepare": frozenset({"parse", "dedup", "matching"}),
    "schedule": frozenset({"parse"}),
    "digests": frozenset({"parse", "schedule"}),
}

# I/O sub-packages and the I/O sub-packages each may import (every one may import the
# leaves, the pure packages, storage and watchlists). Nothing but cli imports cli.
IO: dict[str, frozenset[str]] = {
    "fetch": frozenset(),
    "poll": frozenset({"fetch"}),
    "delivery": frozenset({"fetch"}),
    "service": frozenset({"fetch", "poll", "delivery"}),
    "web": frozenset({"fetch", "poll", "delivery", "service"}),
    "cli": frozenset({"fetch", "poll", "delivery", "service", "web", "cli"}),
}

# What pure code may take from the other top-level packages.
PURE_FROM_OUTSIDE = ("watchlists", "storage.records", "storage.errors")
LEAF_FROM_OUTSIDE = ("watchlists.errors", "storage.errors")


@dataclass(frozen=True, slots=True)
class Violation:
    module: str
    line: int
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported}: {self.rule}"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, root: Path) -> list[tuple[int, str]]:
    """``(line, module)`` for every import in a file, relative ones resolved."""
    here = module_name(path, root)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from monitor import metrics`` imports the module monitor.metrics
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _monitor_part(name: str) -> str | None:
    """The sub-package or leaf of ``monitor`` a module name is in (None: not in monitor)."""
    parts = name.split(".")
    if parts[0] != "monitor":
        return None
    return parts[1] if len(parts) > 1 else ""


def rule_broken(source: str, target: str) -> str | None:
    """Why ``source`` may not import ``target``, or None when it may."""
    top = target.split(".")[0]
    if top not in ("monitor", "storage", "watchlists"):
        return None
    src_top = source.split(".")[0]
    if src_top == "watchlists":
        return None if top == "watchlists" else "watchlists imports neither monitor nor storage"
    if src_top == "storage":
        return "storage never imports monitor" if top == "monitor" else None
    if src_top == "tests" or src_top == "bench":
        return None
    part, wanted = _monitor_part(source), _monitor_part(target)
    if wanted == "cli" and part not in ("cli", "__main__"):
        return "nothing imports monitor.cli"
    if part in LEAVES:
        if wanted is None:
            ok = _within(target, LEAF_FROM_OUTSIDE)
            return None if ok else "a leaf imports only other leaves and the error types"
        return None if wanted in LEAVES or wanted == "" else "a leaf imports only other leaves"
    if part in PURE:
        if wanted is None:
            ok = _within(target, PURE_FROM_OUTSIDE)
            return None if ok else "pure code takes only watchlists and storage's records"
        if wanted in LEAVES and wanted != "clock":
            return None
        if wanted == part or wanted in PURE[part]:
            return None
        return f"monitor.{part} is pure: it imports only {_allowed(part)}"
    if part in IO:
        if wanted in IO and wanted != part and wanted not in IO[part]:
            return (
                f"monitor.{part} may not import monitor.{wanted} (the arrows point the other way)"
            )
        return None
    if part == "__main__":
        return None
    return f"monitor.{part} is in no sub-package: add it to the layout"


def _allowed(part: str) -> str:
    names = sorted({*PURE[part], *(LEAVES - {"clock"})})
    return ", ".join(f"monitor.{n}" for n in names) + ", " + ", ".join(PURE_FROM_OUTSIDE)


def import_violations(root: Path = ROOT) -> list[Violation]:
    """Every import in monitor/, storage/ and watchlists/ that the layout forbids."""
    found = []
    for top in ("monitor", "storage", "watchlists"):
        for path in sorted((root / top).rglob("*.py")):
            source = module_name(path, root)
            for line, target in imports(path, root):
                rule = rule_broken(source, target)
                if rule is not None:
                    found.append(Violation(source, line, target, rule))
    return found


PURE_PACKAGES = (*(f"monitor.{part}" for part in PURE), "watchlists")


def pure_modules(root: Path = ROOT) -> list[str]:
    """Every module of the pure packages (monitor's pure sub-packages, watchlists), by name."""
    return sorted(
        module_name(path, root)
        for package in PURE_PACKAGES
        for path in (root / package.replace(".", "/")).rglob("*.py")
    )
