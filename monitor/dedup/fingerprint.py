"""Text normalization for deduplication: clean feed text, drop boilerplate, fingerprint, shingle.

Pure functions, no I/O. The fingerprint is stored in the database, so its recipe is stable.

Normalization (``words``): HTML entities unescaped (twice, feeds double-escape), tags removed,
Unicode NFKD with combining marks dropped (``López`` = ``Lopez``), case-folded, every run of
characters that are not letters or digits becomes one separator. Boilerplate tails that feeds
append to summaries ("Continue reading…", "The post X appeared first on Y.", "Read more",
"[…]") and wire datelines ("QUITO, Ecuador (AP) — ") are cut before any of this, so they
change neither the fingerprint nor similarity.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
import unicodedata
from collections.abc import Sequence

__all__ = [
    "clean_text",
    "strip_boilerplate",
    "words",
    "fold_words",
    "fingerprint_of",
    "shingles",
    "number_tokens",
    "content_words",
    "STOPWORDS",
]

_TAG = re.compile(r"<[^>]{0,2000}>")
_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+|_+")
_DATELINE = re.compile(
    r"^\s*(?:[^\W\d_][\w .,'\u2019/-]{0,60}\s)?\((?:AP|Reuters|AFP|EFE|dpa|DPA|Bloomberg|UPI|"
    r"ANSA|Xinhua|PTI|IANS|ANI|Yonhap|Kyodo|Europa Press|Notimex|Lusa|TASS|RIA Novosti)\)\.?"
    r"\s*[-\u2013\u2014:]+\s*"
)
_BOILERPLATE = [
    (re.compile(pattern, re.IGNORECASE | re.DOTALL), keys)
    for pattern, keys in (
        (r"\bthe post\b.{0,400}?\bappeared first on\b.{0,200}$", ("appeared first on",)),
        (r"\b(continue|keep) reading\b.{0,200}$", ("reading",)),
        (r"\bread (the )?(full|more|on|whole)\b.{0,60}$", ("read ",)),
        (r"\bclick here\b.{0,60}$", ("click here",)),
        (
            r"\b(lire|leer|leia|weiterlesen|mehr lesen|lesen sie)\b.{0,40}$",
            ("lire", "leer", "leia", "lesen"),
        ),
        (r"\[(\u2026|\.\.\.|&hellip;|&#8230;)\]\s*$", ("[",)),
        (r"(\u2026|\.\.\.)\s*$", ("\u2026", "...")),
        (r"\bcomments?\s*$", ("comment",)),
        (r"\bsee more\b.{0,40}$", ("see more",)),
    )
]
"""Tails to cut, each with the words one of which it cannot match without (lower case)."""

# Characters that re.IGNORECASE takes for an ASCII letter although str.lower() does not
# give that letter: dotted and dotless I, long s. (The Kelvin sign lowers to "k" itself.)
_LIKE_ASCII = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})

STOPWORDS: frozenset[str] = frozenset(
    """a an and are as at be been but by for from had has have he her his i if in into is it its
    of on or our she so than that the their them they this to was we were what when which who
    will with would you your after over said says say new not no up out about more also just
    el la los las de del y en un una unos unas que por para con se su sus al lo es son como
    le les des du et est pour dans au aux ce qui une sur pas par o os da do dos das em um uma
    der die das und den dem ein eine ist im mit von zu auf""".split()
)
"""Words that carry no identity; they are kept for similarity but not as content words."""

_MONTHS = frozenset(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday mon tue tues wed thu thur thurs fri sat sun today yesterday tomorrow tonight
    enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre
    diciembre lunes martes miercoles jueves viernes sabado domingo hoy janvier fevrier mars avril
    mai juin juillet aout septembre octobre novembre decembre lundi mardi mercredi jeudi
    vendredi samedi dimanche januar februar marz juni juli oktober dezember montag dienstag
    mittwoch donnerstag freitag samstag sonntag heute""".split()
)


@functools.lru_cache(maxsize=512)
def clean_text(text: str | None) -> str:
    """Feed text as plain text: entities unescaped, tags removed, whitespace collapsed."""
    if not text:
        return ""
    out = html.unescape(html.unescape(text))
    out = _TAG.sub(" ", out)
    return _SPACE.sub(" ", out).strip()


@functools.lru_cache(maxsize=512)
def strip_boilerplate(text: str) -> str:
    """Plain ``text`` without a wire dateline and the tails feeds append to every summary."""
    out = _DATELINE.sub("", text)
    # A pattern runs only if one of its words occurs: most texts have no tail, and each
    # pattern costs a scan of the whole text. Skipping one that cannot match changes nothing.
    lower = out.lower() if out.isascii() else out.translate(_LIKE_ASCII).lower()
    for pattern, keys in _BOILERPLATE:
        if any(key in lower for key in keys):
            out = pattern.sub("", out)
        out = out.strip()
    return out


def words(text: str | None) -> list[str]:
    """The normalized word tokens of feed ``text`` (HTML, accents, case and punctuation gone)."""
    return fold_words(strip_boilerplate(clean_text(text)))


def fold_words(plain: str) -> list[str]:
    """Word tokens of plain text: accents dropped, case-folded, split at non-word runs."""
    return list(_folded(plain))


@functools.lru_cache(maxsize=512)  # dedup folds one title and summary several times
def _folded(plain: str) -> tuple[str, ...]:
    return tuple(_fold(plain))


def _fold(plain: str) -> list[str]:
    if not plain:
        return []
    if plain.isascii():  # nothing to decompose, no combining marks: skip the per-letter pass
        bare = plain.casefold()
    else:
        decomposed = unicodedata.normalize("NFKD", plain)
        bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return [w for w in _NON_WORD.split(bare) if w]


def fingerprint_of(title: str | None, summary: str | None) -> str:
    """Stable hex digest of normalized title and summary (32 hex characters, blake2b-128)."""
    key = " ".join(words(title)) + "\x1f" + " ".join(words(summary))
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


def content_words(tokens: Sequence[str]) -> list[str]:
    """Tokens that can carry identity: not stopwords, not one-letter."""
    return [t for t in tokens if len(t) > 1 and t not in STOPWORDS]


def number_tokens(tokens: Sequence[str]) -> frozenset[str]:
    """Numbers, months, weekdays and relative days: the parts a daily series changes."""
    # A token of letters only has no digit: only the others need the per-letter look.
    return frozenset(
        t for t in tokens if t in _MONTHS or (not t.isalpha() and any(c.isdigit() for c in t))
    )


def shingles(tokens: Sequence[str], size: int = 3) -> set[str]:
    """Word ``size``-grams of ``tokens`` (the whole text when it is shorter)."""
    if len(tokens) <= size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}
