"""Full-text search over stored stories' titles and summaries, with filters.

Does I/O (database reads). SQLite searches the FTS5 table ``stories_fts`` that
migration 0007 keeps in step with ``stories`` by triggers; PostgreSQL uses a
``tsvector`` expression with a GIN index. Both use language-neutral word
splitting (no stemming: the stories come in many languages); SQLite also folds
accents. Every word of the query must occur; ``word*`` matches a prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, literal_column, or_, text
from sqlalchemy.engine import Engine
from sqlalchemy.sql import column, table
from sqlmodel import col, select

from storage.database import transaction
from storage.records import StoredStory
from storage.stories import to_stored
from storage.tables import Match, Story, StorySource

FTS_PREFIX = "stories_fts"  # every schema object of the search is named so (tests skip them)
_WORD = re.compile(r"(\w+)(\*?)")
_FTS = table("stories_fts", column("rowid"))


@dataclass(frozen=True)
class StoryQuery:
    """What to search for: words, and the filters a user can add."""

    words: str
    watchlist: str | None = None
    feed_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class SearchResult:
    stories: list[StoredStory]
    total: int  # how many match in all; ``stories`` holds at most the limit


def fts5_query(words: str) -> str:
    """The words as an FTS5 query in which every word must occur: each is quoted, so no
    operator or punctuation a user types is read as query syntax."""
    return " ".join(f'"{word}"{star}' for word, star in _WORD.findall(words))


def _pg_document() -> ColumnElement[str]:
    # Must stay exactly the expression of the index in migration 0007.
    return func.to_tsvector(
        literal_column("'simple'"),
        func.coalesce(Story.title, "") + " " + func.coalesce(Story.summary, ""),
    )


def _pg_query(words: str) -> ColumnElement[str]:
    terms = [word + (":*" if star else "") for word, star in _WORD.findall(words)]
    return func.to_tsquery(literal_column("'simple'"), " & ".join(terms))


def search_stories(engine: Engine, query: StoryQuery, limit: int = 50) -> SearchResult:
    """Stories matching every word of ``query.words`` and its filters, best first (then newest).

    An empty query (no words) matches every story the filters let through, newest first.
    """
    has_words = bool(_WORD.findall(query.words))
    with transaction(engine) as session:
        sqlite = session.get_bind().dialect.name == "sqlite"
        statement = select(Story)
        order: list[Any]
        if has_words and sqlite:
            statement = statement.join(_FTS, _FTS.c.rowid == col(Story.id)).where(
                text("stories_fts MATCH :fts").bindparams(fts=fts5_query(query.words))
            )
            order = [text("bm25(stories_fts)"), col(Story.first_seen_at).desc()]
        elif has_words:
            document, wanted = _pg_document(), _pg_query(query.words)
            statement = statement.where(document.op("@@")(wanted))
            order = [func.ts_rank(document, wanted).desc(), col(Story.first_seen_at).desc()]
        else:
            order = [col(Story.first_seen_at).desc()]
        if query.watchlist is not None:
            statement = statement.where(
                exists().where(
                    col(Match.story_id) == col(Story.id), col(Match.watchlist) == query.watchlist
                )
            )
        if query.feed_id is not None:
            statement = statement.where(
                or_(
                    col(Story.feed_id) == query.feed_id,
                    exists().where(
                        col(StorySource.story_id) == col(Story.id),
                        col(StorySource.feed_id) == query.feed_id,
                    ),
                )
            )
        if query.since is not None:
            statement = statement.where(col(Story.first_seen_at) >= query.since)
        if query.until is not None:
            statement = statement.where(col(Story.first_seen_at) < query.until)
        total = int(session.exec(select(func.count()).select_from(statement.subquery())).one())
        rows = session.exec(statement.order_by(*order).limit(limit))
        return SearchResult([to_stored(r, "") for r in rows], total)
