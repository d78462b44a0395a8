"""Every setting and every command a user can type is documented in the README."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
import typer.main

from monitor.cli.main import app
from monitor.config import PREFIX, Settings

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [f.name for f in fields(Settings)], ids=str)
def test_every_setting_is_in_the_readme(name: str) -> None:
    assert f"`{PREFIX}{name.upper()}`" in README


def _commands() -> list[str]:
    group = typer.main.get_command(app)
    found = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            found += [f"{name} {sub}" for sub in subcommands]
        else:
            found.append(name)
    return found


@pytest.mark.parametrize("command", _commands(), ids=str)
def test_every_command_is_in_the_readme(command: str) -> None:
    group, _, sub = command.partition(" ")
    lines = [line for line in README.splitlines() if line.startswith(f"newswatch {group}")]
    assert lines, f"`newswatch {group}` is not documented"
    if sub:
        assert any(sub in line for line in lines), f"`newswatch {command}` is not documented"
