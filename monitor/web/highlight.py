"""Feed text made safe for a page, with the matched words marked.

Pure. Everything is escaped: a story's title and summary are shown as text,
never as markup; the spans the matcher found are wrapped in ``<mark>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape

from monitor.digests.render import safe_href


def spans_for(hits: Iterable[Mapping[str, Any]], field: str, length: int) -> list[tuple[int, int]]:
    """The (start, end) spans of the hits in one field, merged and within the text."""
    spans = sorted(
        (max(0, int(h["start"])), min(length, int(h["end"])))
        for h in hits
        if h.get("field") == field
        and isinstance(h.get("start"), int)
        and isinstance(h.get("end"), int)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def marked(text: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """``text`` escaped, each span in ``<mark>``."""
    parts: list[str] = []
    cursor = 0
    for start, end in spans:
        if start < cursor:
            continue
        parts.append(str(escape(text[cursor:start])))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    parts.append(str(escape(text[cursor:])))
    return Markup("".join(parts))


def highlight(text: str, hits: Iterable[Mapping[str, Any]], field: str) -> Markup:
    return marked(text, spans_for(list(hits), field, len(text)))


def link(url: str) -> str:
    """An http(s) link, or "" (no ``javascript:``, ``data:`` or relative tricks)."""
    return safe_href(url)
