"""Wikitext as a reader sees it: links as their labels, templates expanded or dropped.

Pure: text in, prose and the labels of internal links out (names editors linked).
"""

from __future__ import annotations

import html
import re

_NAMESPACES = re.compile(
    r"^\s*:?\s*(?:file|image|category|media|wikt|wiktionary|[a-z]{2,3}):", re.I
)
_KEEP_TEMPLATES = {
    "lang": -1,
    "nowrap": 0,
    "nobr": 0,
    "flag": 0,
    "flagcountry": 0,
    "flagu": 0,
    "ill": 0,
    "interlanguage link": 0,
    "small": 0,
    "nowrap begin": -2,
    "transl": -1,
    "w": 0,
}
_INFOBOX_SKIP_KEYS = re.compile(
    r"image|caption|alt|map|coord|date|width|size|signature|website|url|logo|native|module"
    r"|label|header|embed|footnote|ref",
    re.I,
)
_WIKI_LINK = re.compile(r"\[\[([^\[\]]*)\]\]")


def wikitext_to_text(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Wikitext as prose, the labels of its internal links, and the places flags stand for.

    Links name what the editors linked; ``{{flag|Chile}}`` and its kin name countries.
    """
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"<ref[^>/]*/>", "", text, flags=re.I)
    text = re.sub(r"<ref[^>]*>.*?</ref>", "", text, flags=re.S | re.I)
    text = re.sub(
        r"<(gallery|math|syntaxhighlight|source|pre|code|timeline|score|graph)\b.*?</\1>",
        "",
        text,
        flags=re.S | re.I,
    )
    text = re.sub(r"^\{\|.*?^\|\}", "", text, flags=re.S | re.M)  # tables
    places: list[str] = []
    text = _expand_templates(text, places)
    links: list[str] = []

    def link(match: re.Match[str]) -> str:
        inner = match.group(1)
        if _NAMESPACES.match(inner):
            return ""
        target, _, label = inner.partition("|")
        shown = (label or target.split("#", 1)[0]).strip()
        if shown:
            links.append(shown)
        return shown

    for _ in range(3):  # file captions can hold links: innermost first
        text = _WIKI_LINK.sub(link, text)
    text = re.sub(r"\[https?://[^\s\]]+\s*([^\]]*)\]", r"\1", text)
    text = re.sub(r"'{2,5}", "", text)
    text = re.sub(r"^(=+)\s*(.*?)\s*\1\s*$", r"\n\2\n", text, flags=re.M)
    text = re.sub(r"^[*#:;]+\s*", "", text, flags=re.M)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = re.sub(r"</?[A-Za-z][^>]*>", "", text)
    text = re.sub(r"__[A-Z]+__", "", text)
    return html.unescape(text), tuple(links), tuple(dict.fromkeys(places))


def _expand_templates(text: str, places: list[str]) -> str:
    """Replace every ``{{…}}`` by what a reader would see of it (innermost first)."""
    pattern = re.compile(r"\{\{([^{}]*)\}\}")
    for _ in range(20):
        replaced = pattern.sub(lambda match: _template(match, places), text)
        if replaced == text:
            break
        text = replaced
    return text.replace("{{", "").replace("}}", "")


def _template(match: re.Match[str], places: list[str]) -> str:
    parts = _split_params(match.group(1))
    name = parts[0].strip().lower().replace("_", " ")
    params = [p for p in parts[1:] if "=" not in p.split("[[", 1)[0]]
    if name.startswith("flag") and params and params[0].strip():
        places.append(params[0].strip())
    if name in _KEEP_TEMPLATES:
        index = _KEEP_TEMPLATES[name]
        if name == "nowrap begin" or not params:
            return ""
        return params[index if index >= 0 else len(params) + index].strip()
    if name.startswith("infobox"):
        return _infobox(parts[1:])
    return ""


def _infobox(params: list[str]) -> str:
    lines = []
    for param in params:
        key, sep, value = param.partition("=")
        if not sep or _INFOBOX_SKIP_KEYS.search(key):
            continue
        value = value.strip()
        if value:
            lines.append(value)
    return "\n\n" + "\n\n".join(lines) + "\n\n" if lines else ""


def _split_params(inner: str) -> list[str]:
    """Split a template's inside at ``|`` that are not inside a ``[[link|label]]``."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    i = 0
    while i < len(inner):
        pair = inner[i : i + 2]
        if pair == "[[":
            depth += 1
            current.append(pair)
            i += 2
            continue
        if pair == "]]" and depth:
            depth -= 1
            current.append(pair)
            i += 2
            continue
        if inner[i] == "|" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(inner[i])
        i += 1
    parts.append("".join(current))
    return parts
