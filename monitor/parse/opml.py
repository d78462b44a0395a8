"""OPML feed lists: reading them (the bundled defaults, ``feed import``) and writing them.

Pure: bytes in, outlines out; entity declarations are refused before parsing.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import resources
from xml.sax.saxutils import quoteattr

from monitor.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Outline:
    url: str
    title: str


def read_opml(data: bytes, where: str = "OPML file") -> list[Outline]:
    """Every outline with an ``xmlUrl``, in document order, without repeats."""
    if b"<!ENTITY" in data[:65536].upper():
        raise ConfigError(f"{where}: refused, it declares XML entities")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = exc.position
        raise ConfigError(
            f"{where}:{line}: not valid OPML/XML (column {column}: {exc})",
            hint="fix the XML at that line, or export the list again from your reader",
        ) from exc
    seen: dict[str, Outline] = {}
    for node in root.iter("outline"):
        url = (node.get("xmlUrl") or node.get("xmlurl") or "").strip()
        if url and url not in seen:
            seen[url] = Outline(url, (node.get("title") or node.get("text") or "").strip())
    return list(seen.values())


def write_opml(outlines: list[Outline], title: str = "newswatch feeds") -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_escape(title)}</title></head>",
        "  <body>",
    ]
    for o in outlines:
        text, url = quoteattr(o.title or o.url), quoteattr(o.url)
        lines.append(f'    <outline type="rss" text={text} xmlUrl={url}/>')
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def default_feeds() -> list[Outline]:
    """The bundled list of world-news feeds used when no feed was added."""
    data = resources.files("monitor").joinpath("data/default-feeds.opml").read_bytes()
    return read_opml(data, "default-feeds.opml")
