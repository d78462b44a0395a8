"""Inflection handling: Snowball stemmers by ISO 639-1 code, and a small language guesser.

Pure and in-memory; stems are cached per language because news vocabulary repeats.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import snowballstemmer

SNOWBALL_NAMES: dict[str, str] = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "nb": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
}
DEFAULT_LANGUAGE = "en"
_CACHE_LIMIT = 50_000
"""Stems remembered per language; a language's memo is emptied when full."""

# A few very frequent function words per language, enough to tell them apart.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the of and to in is was for on that with by at from said has".split()),
    "es": frozenset("el la los las de del y en que por con para una un se su al".split()),
    "fr": frozenset("le la les des du et en que pour dans une un sur au aux est a".split()),
    "pt": frozenset("o a os as do da dos das e em que para com uma um no na ao".split()),
    "de": frozenset("der die das und in den von zu mit ist im dem des nicht ein eine".split()),
    "it": frozenset("il la le di e che per con una un del della nel al sono gli".split()),
    "nl": frozenset("de het een en van in op met voor dat is zijn niet te aan".split()),
}


def language_code(language: str | None) -> str | None:
    """Return the two-letter code of ``language`` ("es-MX" -> "es"), or None if unknown."""
    if not language:
        return None
    code = language.strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in SNOWBALL_NAMES else None


def guess_language(words: list[str]) -> str:
    """Guess a language from folded words by counting frequent function words."""
    best, best_count = DEFAULT_LANGUAGE, 0
    for code, stopwords in _STOPWORDS.items():
        count = sum(1 for word in words if word in stopwords)
        if count > best_count:
            best, best_count = code, count
    return best


class StemmerCache:
    """Snowball stemmers by language, each with a memo of the words it has seen."""

    def __init__(self) -> None:
        self._stemmers: dict[str, Callable[[str], str]] = {}
        self._memos: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()  # a Snowball stemmer object is not re-entrant

    def memo(self, code: str) -> dict[str, str]:
        """The word -> stem memo for ``code`` (filled by ``stem``)."""
        memo = self._memos.get(code)
        if memo is None:
            memo = self._memos[code] = {}
        return memo

    def stem(self, code: str, word: str) -> str:
        """Stem one folded ``word`` in language ``code``."""
        memo = self.memo(code)
        found = memo.get(word)
        if found is not None:
            return found
        if len(word) <= 3 or not word.isalpha():
            result = word
        else:
            with self._lock:
                stemmer = self._stemmers.get(code)
                if stemmer is None:
                    stemmer = snowballstemmer.stemmer(SNOWBALL_NAMES[code]).stemWord
                    self._stemmers[code] = stemmer
                result = stemmer(word)
        if len(memo) >= _CACHE_LIMIT:
            memo.clear()
        memo[word] = result
        return result
