"""Turning Markdown, HTML and wikitext into plain prose for the watchlist builder.

Pure: text in, text out; wikitext link labels are kept apart as hints.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Literal

from watchlists.wikitext import wikitext_to_text

Format = Literal["text", "markdown", "html", "wikitext"]
FORMATS: tuple[str, ...] = ("text", "markdown", "html", "wikitext")
_SUFFIXES: dict[str, Format] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".wiki": "wikitext",
    ".wikitext": "wikitext",
    ".mediawiki": "wikitext",
    ".txt": "text",
    ".text": "text",
}


@dataclass(frozen=True, slots=True)
class PlainText:
    """A document as prose: paragraphs separated by blank lines, and the names it links."""

    text: str
    format: Format
    links: tuple[str, ...] = ()
    places: tuple[str, ...] = ()  # named by wikitext flag templates


def guess_format(text: str, name: str = "", content_type: str = "") -> Format:
    """The format of ``text``: from the content type, the file name, then the text itself."""
    content_type = content_type.lower()
    if "html" in content_type:
        return "html"
    if "markdown" in content_type:
        return "markdown"
    lowered = name.lower().split("?", 1)[0]
    for suffix, fmt in _SUFFIXES.items():
        if lowered.endswith(suffix) and fmt != "text":
            return fmt
    head = text[:5000]
    if re.search(r"<(?:!doctype|html|body|head)\b", head, re.IGNORECASE) or (
        head.lstrip().startswith("<") and re.search(r"<(?:p|div|article|h[1-6])\b", head, re.I)
    ):
        return "html"
    wiki = len(re.findall(r"\[\[[^\]\n]+\]\]|\{\{[^{}\n]+|^=={1,4}[^=\n]+=={1,4}\s*$", head, re.M))
    if wiki >= 2:
        return "wikitext"
    markdown = len(
        re.findall(r"^#{1,6} \S|\[[^\]\n]+\]\([^)\s]+\)|^```|^\s*[-*] \S|\*\*\S", head, re.M)
    )
    if markdown >= 2:
        return "markdown"
    return "text"


def to_plain(text: str, fmt: Format | None = None, name: str = "") -> PlainText:
    """Strip ``text`` of its markup (``fmt`` guessed when not given)."""
    fmt = fmt or guess_format(text, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if fmt == "html":
        return PlainText(_tidy(html_to_text(text)), fmt)
    if fmt == "markdown":
        return PlainText(_tidy(markdown_to_text(unwrap_lines(text, markdown=True))), fmt)
    if fmt == "wikitext":
        prose, links, places = wikitext_to_text(text)
        return PlainText(_tidy(prose), fmt, links, places)
    text = re.sub(rf"</?(?:{_BLOCK_PATTERN})\b[^<>\n]*>", "\n", text, flags=re.I)
    text = html.unescape(re.sub(r"</?[A-Za-z][^<>\n]*>", "", text))  # stray tags in text
    return PlainText(_tidy(unwrap_lines(text)), "text")


# --- HTML -------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr td th table section article blockquote "
    "header footer figcaption dd dt pre title hr main".split()
)
_BLOCK_PATTERN = "|".join(sorted(_BLOCK_TAGS))
_VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
_SKIP_TAGS = frozenset(
    "script style noscript template svg nav head form button select footer aside iframe".split()
)
_BOILERPLATE = re.compile(
    r"cookie|consent|banner|newsletter|subscri|share|social|related|promo|advert|\bads?\b"
    r"|footer|menu|breadcrumb|comment|sidebar|popup|modal|navigation",
    re.I,
)
_TITLE_SUFFIX = re.compile(r"\s+[|–—-]\s+.*$")
_MIN_ARTICLE_CHARS = 200


class _TextCollector(HTMLParser):
    """Collects visible text, skipping scripts, navigation and boilerplate blocks.

    Text inside ``<article>`` or ``<main>`` is also kept apart: when there is enough
    of it, it is the page's text.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.article: list[str] = []
        self.title: list[str] = []
        self.stack: list[tuple[str, bool, bool]] = []  # tag, skipped, article
        self.skipping = 0
        self.in_article = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_TAGS:
            if tag in ("br", "hr"):
                self._emit("\n")
            return
        marks = " ".join(value or "" for key, value in attrs if key in ("class", "id", "role"))
        skipped = (
            tag in _SKIP_TAGS
            or (tag == "header" and not self.in_article)
            or bool(marks and _BOILERPLATE.search(marks))
        )
        article = tag in ("article", "main")
        self.stack.append((tag, skipped, article))
        self.skipping += skipped
        self.in_article += article
        if tag in _BLOCK_TAGS:
            self._emit("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID_TAGS or all(open_tag != tag for open_tag, _, _ in self.stack):
            return  # a void element or a stray end tag
        while self.stack:
            open_tag, skipped, article = self.stack.pop()
            self.skipping -= skipped
            self.in_article -= article
            if open_tag == tag:
                break
        if tag in _BLOCK_TAGS:
            self._emit("\n\n")

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] == "title":
            self.title.append(data)
        elif any(open_tag == "pre" for open_tag, _, _ in self.stack):
            self._emit(data)
        else:
            self._emit(re.sub(r"\s+", " ", data))

    def _emit(self, text: str) -> None:
        if self.skipping:
            return
        self.parts.append(text)
        if self.in_article:
            self.article.append(text)


def html_to_text(text: str) -> str:
    """The visible text of an HTML page: the article when marked up as one, with its title."""
    collector = _TextCollector()
    collector.feed(text)
    collector.close()
    article = "".join(collector.article)
    body = article if len(article.strip()) >= _MIN_ARTICLE_CHARS else "".join(collector.parts)
    title = _TITLE_SUFFIX.sub("", " ".join("".join(collector.title).split()))
    if title and title not in body:
        body = title + "\n\n" + body
    return body


# --- Markdown ---------------------------------------------------------------------------

_Replacement = str | Callable[[re.Match[str]], str]
_MD_RULES: tuple[tuple[re.Pattern[str], _Replacement], ...] = (
    (re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.S | re.M), ""),  # fenced code
    (re.compile(r"^(?: {4}|\t).*$", re.M), ""),  # indented code
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M), ""),  # reference definitions
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # inline links
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"<(https?://[^>]+)>"), ""),  # autolinks
    (re.compile(r"`[^`\n]*`"), ""),  # inline code
    (re.compile(r"<[^>\n]+>"), ""),  # inline HTML
    (re.compile(r"^\s{0,3}#{1,6}\s*(.*?)\s*#*\s*$", re.M), r"\n\1\n"),  # headings
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),  # block quotes
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M), ""),  # list markers
    (re.compile(r"^\s*(?:[-*_]\s*){3,}$", re.M), ""),  # horizontal rules
    (re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$", re.M), ""),  # table rules
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])"), r"\2"),  # emphasis
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"^\s*\|(.*)\|\s*$", re.M), lambda m: m.group(1).replace("|", "\n")),
)


def markdown_to_text(text: str) -> str:
    """Markdown without its markup: link texts kept, code and images dropped."""
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    return html.unescape(text)


_STRUCTURE = re.compile(r"^(?:\s{4}|\t|\s{0,3}(?:[#>|<]|[-*+]\s|\d+[.)]\s|```|~~~|\[[^\]]+\]:))")
_OPEN_ENDINGS = frozenset("of on the and a an to for in at by with from de del la".split())
_SENTENCE_END = tuple('.!?:;"”’)]')


def unwrap_lines(text: str, markdown: bool = False) -> str:
    """Join hard-wrapped lines of one paragraph, so a name split over two lines stays whole.

    In Markdown a line joins the one before unless either starts a block (heading, list
    item, quote, table, code); in plain text only when the line before is long and open.
    """
    lines: list[str] = []
    for line in text.split("\n"):
        previous = lines[-1] if lines else ""
        if line.strip() and previous.strip():
            if markdown:
                joins = not (
                    _STRUCTURE.match(line)
                    or _STRUCTURE.match(line.lstrip())
                    or previous.lstrip().startswith(("#", "|", "```", "~~~"))
                )
            else:
                stripped = previous.rstrip()
                last_word = stripped.rsplit(None, 1)[-1].lower()
                joins = not stripped.endswith(_SENTENCE_END) and (
                    len(stripped) >= 50 or line.lstrip()[:1].islower() or last_word in _OPEN_ENDINGS
                )
            if joins:
                lines[-1] = previous.rstrip() + " " + line.strip()
                continue
        lines.append(line)
    return "\n".join(lines)


def _tidy(text: str) -> str:
    """Collapse spaces inside lines and runs of blank lines; strip every line."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    tidy = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", tidy).strip() + "\n"
