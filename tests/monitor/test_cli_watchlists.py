"""``newswatch watchlist …`` as a user runs it: names reusable after removal, ``test`` on story
files, ``edit`` that keeps unsaved edits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import newswatch

RAIDS = """\
name: quito-raids
description: Police raids on embassies in Quito.
groups:
  mission:
    terms: [embassy]
  raid:
    terms: [raid, stormed]
  drill:
    terms: [drill]
rules:
  - name: headline
    near: mission NEAR/4 raid in title
    none_of: [drill]
"""


@pytest.fixture
def watchlist_file(tmp_path: Path) -> Path:
    path = tmp_path / "quito-raids.yaml"
    path.write_text(RAIDS, encoding="utf-8")
    return path


def _versions(data: Path, name: str) -> int:
    listed = json.loads(newswatch(data, "watchlist", "list", "--json").stdout)
    return next(int(w["version"]) for w in listed if w["name"] == name)


def test_a_removed_name_can_be_added_again_and_keeps_counting(
    tmp_path: Path, watchlist_file: Path
) -> None:
    data = tmp_path / "data"
    assert newswatch(data, "watchlist", "add", str(watchlist_file)).code == 0
    assert newswatch(data, "watchlist", "remove", "quito-raids").code == 0
    again = newswatch(data, "watchlist", "add", str(watchlist_file))
    assert again.code == 0, again.text
    assert "version 2" in again.stdout  # version 1 stays in the history
    assert _versions(data, "quito-raids") == 2


def test_a_removed_builtin_can_be_reset(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert newswatch(data, "watchlist", "remove", "embassy-raids").code == 0
    reset = newswatch(data, "watchlist", "reset", "embassy-raids")
    assert reset.code == 0, reset.text
    assert "IntegrityError" not in reset.text
    assert _versions(data, "embassy-raids") == 2


def test_removing_a_subscribed_watchlist_warns_and_the_subscription_shows_it(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    add = ["subscription", "add", "--email", "desk@example.org", "-w", "embassy-raids"]
    assert newswatch(data, *add).code == 0
    removed = newswatch(data, "watchlist", "remove", "embassy-raids")
    assert removed.code == 0
    assert "subscription 1 still name embassy-raids" in removed.stderr
    assert "(removed) embassy-ra" in newswatch(data, "subscription", "list").stdout
    assert "(removed) embassy-raids" in newswatch(data, "subscription", "show", "1").stdout
    listed = json.loads(newswatch(data, "subscription", "list", "--json").stdout)
    assert listed[0]["missing_watchlists"] == ["embassy-raids"]


def test_json_lines_are_tested_one_story_at_a_time(tmp_path: Path, watchlist_file: Path) -> None:
    data = tmp_path / "data"
    assert newswatch(data, "watchlist", "add", str(watchlist_file)).code == 0
    stories = tmp_path / "stories.jsonl"
    stories.write_text(
        json.dumps({"id": "s1", "title": "Police raid the embassy", "summary": "In Quito."})
        + "\n"
        + json.dumps({"id": "s2", "title": "Embassy fire drill", "summary": "A drill."})
        + "\n",
        encoding="utf-8",
    )
    ran = newswatch(data, "watchlist", "test", "quito-raids", "--file", str(stories), width=120)
    assert ran.code == 0, ran.text
    assert "1 of 2 stories match" in ran.stdout
    rows = {line.split("│")[1].strip(): line for line in ran.stdout.splitlines() if "│" in line}
    assert "no match" not in rows["s1"] and "no match" in rows["s2"]


def test_a_text_file_and_text_use_their_first_line_as_the_title(
    tmp_path: Path, watchlist_file: Path
) -> None:
    data = tmp_path / "data"
    assert newswatch(data, "watchlist", "add", str(watchlist_file)).code == 0
    story = tmp_path / "story.txt"
    story.write_text("Police raid the embassy\n\nOfficers entered at night.\n", encoding="utf-8")
    from_file = newswatch(data, "watchlist", "test", "quito-raids", "--file", str(story))
    assert from_file.code == 0, from_file.text
    assert "match: quito-raids" in from_file.stdout
    from_text = newswatch(
        data, "watchlist", "test", "quito-raids", "--text", "Police raid the embassy\nAt night."
    )
    assert from_text.code == 0 and "title" in from_text.stdout
    # The same words in the summary only do not satisfy an ``in title`` rule.
    summary_only = newswatch(
        data,
        "watchlist",
        "test",
        "quito-raids",
        "--text",
        "Night in Quito\nPolice raid the embassy",
    )
    assert summary_only.code == 1 and "no match" in summary_only.stdout


def _editor(tmp_path: Path, script: str) -> str:
    path = tmp_path / "editor.sh"
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def test_edits_refused_and_not_retried_are_kept_in_a_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    editor = _editor(tmp_path, 'printf "colour: [unclosed\\n" >> "$1"')
    ran = newswatch(data, "watchlist", "edit", "embassy-raids", env={"EDITOR": editor}, input="n\n")
    assert ran.code == 1
    draft = tmp_path / "embassy-raids.draft.yaml"
    assert f"your edits are in {draft}" in ran.stderr
    assert "colour: [unclosed" in draft.read_text(encoding="utf-8")
    assert _versions(data, "embassy-raids") == 1


def test_an_editor_that_fails_is_an_error_not_no_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    editor = _editor(tmp_path, 'printf "\\n# half done\\n" >> "$1"; exit 3')
    ran = newswatch(tmp_path / "data", "watchlist", "edit", "embassy-raids", env={"EDITOR": editor})
    assert ran.code == 1
    assert "exited with status 3: nothing saved" in ran.stderr
    assert "no change" not in ran.stdout
    assert "# half done" in (tmp_path / "embassy-raids.draft.yaml").read_text(encoding="utf-8")
