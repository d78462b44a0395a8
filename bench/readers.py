"""The readers ``bench/process.py`` runs as processes: newswatch and three baselines.

Does I/O: writes each reader's configuration and state under a work folder,
installs rss2email into its own venv (``.bench-venv``, never the project's) and
newsboat from Debian's packages when they are missing.

- ``newswatch run --once`` with the settings of ``bench/polling.py`` (32 fetches at a
  time, 4 per host, 1 ms spacing), a SQLite database prepared with the feeds;
- rss2email (``r2e run --no-send``: fetches with feedparser, conditional GET, builds
  every new entry's email, marks it seen; sends nothing);
- newsboat (``newsboat -x reload``, its default configuration; conditional GET);
- a sequential loop of ``feedparser.parse(url, etag=...)`` (conditional GET too).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RSS2EMAIL = "rss2email>=3.13,<3.15"
BASELINE_VENV = ROOT / ".bench-venv"
NEWSWATCH_ENV = {
    "NEWSWATCH_ALLOW_PRIVATE_NETWORKS": "true",
    "NEWSWATCH_FETCH_CONCURRENCY": "32",
    "NEWSWATCH_PER_HOST_CONCURRENCY": "4",
    "NEWSWATCH_HOST_SPACING": "0.001",
}


@dataclass
class Reader:
    key: str
    name: str
    max_feeds: int = 0  # 0: every feed

    def folder(self, workdir: Path) -> Path:
        path = workdir / self.key
        path.mkdir(parents=True, exist_ok=True)
        return path

    def env(self, workdir: Path) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
        return {**keep, "HOME": str(self.folder(workdir))}

    def setup(self, workdir: Path, urls: list[str]) -> None:
        (self.folder(workdir) / "urls.txt").write_text("\n".join(urls) + "\n")

    def command(self, workdir: Path, urls: list[str]) -> tuple[list[str], dict[str, str]]:
        raise NotImplementedError

    def check(self, workdir: Path, name: str) -> str:
        return ""

    def before_304(self, workdir: Path, history: int, share: float) -> None:
        return None


class Loop(Reader):
    def command(self, workdir: Path, urls: list[str]) -> tuple[list[str], dict[str, str]]:
        here = self.folder(workdir)
        script = str(ROOT / "bench" / "process.py")
        return [
            sys.executable,
            script,
            "--loop",
            str(here / "urls.txt"),
            str(here / "state.json"),
        ], self.env(workdir)


def feedparser_loop(urls_file: Path, state_file: Path) -> int:
    """``feedparser.parse(url, etag=...)`` on each URL in turn; the ETags kept in a file."""
    import feedparser

    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    entries = 0
    for url in urls_file.read_text().split():
        parsed = feedparser.parse(url, etag=state.get(url))
        entries += len(parsed.entries)
        state[url] = parsed.get("etag")
    state_file.write_text(json.dumps(state))
    print(f"{entries} entries parsed")
    return 0


class Rss2email(Reader):
    def setup(self, workdir: Path, urls: list[str]) -> None:
        here = self.folder(workdir)
        names = [f"f{n}" for n in range(len(urls))]
        sections = "".join(f"\n[feed.{n}]\nurl = {u}\n" for n, u in zip(names, urls, strict=True))
        (here / "rss2email.cfg").write_text(
            "[DEFAULT]\nto = bench@localhost\nsame-server-fetch-interval = 0\n" + sections
        )
        feeds = [{"name": n, "etag": None, "modified": None, "seen": {}} for n in names]
        (here / "rss2email.json").write_text(json.dumps({"version": 2, "feeds": feeds}))

    def command(self, workdir: Path, urls: list[str]) -> tuple[list[str], dict[str, str]]:
        here = self.folder(workdir)
        r2e = str(BASELINE_VENV / "bin" / "r2e")
        config, data = str(here / "rss2email.cfg"), str(here / "rss2email.json")
        return [r2e, "-c", config, "-d", data, "run", "--no-send"], self.env(workdir)


class Newsboat(Reader):
    def setup(self, workdir: Path, urls: list[str]) -> None:
        super().setup(workdir, urls)
        (self.folder(workdir) / "config").write_text("")

    def command(self, workdir: Path, urls: list[str]) -> tuple[list[str], dict[str, str]]:
        here = self.folder(workdir)
        files = [
            "-u",
            str(here / "urls.txt"),
            "-c",
            str(here / "cache.db"),
            "-C",
            str(here / "config"),
        ]
        return ["newsboat", "-x", "reload", *files], self.env(workdir)


class Newswatch(Reader):
    def env(self, workdir: Path) -> dict[str, str]:
        data = {"NEWSWATCH_DATA_DIR": str(self.folder(workdir) / "data"), **NEWSWATCH_ENV}
        return {**super().env(workdir), **data}

    def setup(self, workdir: Path, urls: list[str]) -> None:
        from monitor.config import Settings
        from monitor.service.cycle import open_database
        from storage.database import transaction
        from storage.tables import Feed

        engine = open_database(Settings.from_env(self.env(workdir)))
        now = datetime.now(UTC)
        with transaction(engine) as session:
            session.add_all(Feed(url=u, created_at=now, next_check_at=now) for u in urls)
        engine.dispose()

    def command(self, workdir: Path, urls: list[str]) -> tuple[list[str], dict[str, str]]:
        return [str(Path(sys.executable).parent / "newswatch"), "run", "--once"], self.env(workdir)

    def check(self, workdir: Path, name: str) -> str:
        database = self.folder(workdir) / "data" / "newswatch.db"
        with sqlite3.connect(database) as db:
            stories = db.execute("select count(*) from stories").fetchone()[0]
            failing = db.execute("select count(*) from feeds where error_count > 0").fetchone()[0]
        return f"{stories:,} stories stored" + (f", {failing} feeds failing" if failing else "")

    def before_304(self, workdir: Path, history: int, share: float) -> None:
        if history:
            add_history(self.env(workdir), history, share)


def add_history(env: dict[str, str], count: int, share: float) -> None:
    """``count`` stories stored over the last days, as a week of polling leaves them."""
    from bench.feedserver import ITEMS, text_source
    from monitor.config import Settings
    from monitor.dedup.fingerprint import fingerprint_of
    from monitor.parse.feed import clean_text
    from monitor.service.cycle import open_database
    from storage.records import PollWrite, StoryWrite
    from storage.stories import save_polls

    engine = open_database(Settings.from_env(env))
    with engine.connect() as connection:
        ids = [row[0] for row in connection.exec_driver_sql("select id from feeds order by id")]
    per_feed = -(-count // len(ids))
    text = text_source("news", share, len(ids) * (ITEMS + per_feed) // ITEMS)
    now = datetime.now(UTC)
    polls = []
    made = 0
    for n, feed_id in enumerate(ids):
        stories = []
        for k in range(min(per_feed, count - made)):
            item = text.item(n, -1 - k)
            summary = clean_text(item.description)
            url = f"https://wire{n}.example/old/{k}"
            stories.append(
                StoryWrite(
                    key=f"history-{n}-{k}",
                    cluster_key=f"history-{n}-{k}",
                    kind="new",
                    guid=f"old-{n}-{k}",
                    url=url,
                    canonical_url=url,
                    title=item.title,
                    summary=summary,
                    source=f"Bench Wire {n}",
                    language="en",
                    fingerprint=fingerprint_of(item.title, summary),
                    published_at=now - timedelta(hours=k % 150),
                )
            )
        made += len(stories)
        checked = now - timedelta(days=1)
        polls.append(
            PollWrite(
                feed_id=feed_id,
                checked_at=checked,
                next_check_at=now,
                etag=None,
                last_modified=None,
                title=None,
                stories=tuple(stories),
                not_modified=True,
            )
        )
        if len(polls) >= 50:
            save_polls(engine, polls)
            polls = []
    save_polls(engine, polls)
    engine.dispose()
    print(f"  {made:,} stories added to newswatch's database", file=sys.stderr)


READERS: list[Reader] = [
    Loop("loop", "feedparser.parse loop"),
    Rss2email("rss2email", "rss2email 3.14 (--no-send)"),
    Newsboat("newsboat", "newsboat 2.21 (-x reload)"),
    Newswatch("newswatch", "newswatch run --once"),
]


def install_baselines(readers: list[Reader]) -> None:
    """rss2email into ``.bench-venv``, newsboat from Debian's packages, if they are missing."""
    keys = {r.key for r in readers}
    if "rss2email" in keys and not (BASELINE_VENV / "bin" / "r2e").exists():
        print(f"installing {RSS2EMAIL} into {BASELINE_VENV}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(BASELINE_VENV)], check=True)
        pip = [str(BASELINE_VENV / "bin" / "pip"), "install", "-q", RSS2EMAIL]
        subprocess.run(pip, check=True)
    if "newsboat" in keys and shutil.which("newsboat") is None:
        if os.geteuid() != 0:
            raise SystemExit("newsboat is missing: install it (apt-get install newsboat)")
        print("installing newsboat from Debian's packages", file=sys.stderr)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "newsboat"], check=True, env=env)
