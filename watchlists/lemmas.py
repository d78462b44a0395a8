"""Inflected forms by lemma: a word of a watchlist matches every form of its lemma.

Pure. The forms come from simplemma's dictionaries (en, es, fr, pt, de), folded like
story words. Reading those dictionaries takes seconds per language, so the forms of the
built-in watchlists' words ship with the package (``forms.json.gz``, written by
``python -m watchlists.lemmas``); other words fall back to Snowball stems.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources

from watchlists.normalize import fold_word

LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "pt", "de")
"""Languages with lemma forms: those of the built-in watchlists and the evaluation."""
SHARED_PREFIX = 2
"""A form must begin like the word ("drove"/"drive", "threw"/"throw"): a dictionary's
homographs ("saw" the tool as a form of "see") stay out."""
MIN_FORM = 3
"""Shorter forms are too ambiguous to join."""
PACKAGED = "forms.json.gz"

FormTable = Mapping[str, Mapping[str, frozenset[str]]]
"""language -> folded word -> every folded form of its lemma (the word included)."""


def forms_from_pairs(
    pairs: Iterable[tuple[str, str]], words: Iterable[str]
) -> dict[str, frozenset[str]]:
    """Forms of each of ``words`` from (form, lemma) pairs of one language's dictionary.

    A word's lemma is what the dictionary says of it (or the word itself when it is a
    lemma); its forms are every form of that lemma that begins like the word.
    """
    wanted = set(words)
    lemma_of: dict[str, set[str]] = {}
    by_lemma: dict[str, set[str]] = {}
    for form, lemma in pairs:
        folded_form = fold_word(form)[0]
        folded_lemma = fold_word(lemma)[0]
        by_lemma.setdefault(folded_lemma, set()).add(folded_form)
        if folded_form in wanted:
            lemma_of.setdefault(folded_form, set()).add(folded_lemma)
    table: dict[str, frozenset[str]] = {}
    for word in wanted:
        lemmas = lemma_of.get(word, set()) | ({word} if word in by_lemma else set())
        forms = {word}
        for lemma in lemmas:
            forms.update(by_lemma.get(lemma, ()))
            forms.add(lemma)
        kept = frozenset(
            f
            for f in forms
            if f == word or (len(f) >= MIN_FORM and f[:SHARED_PREFIX] == word[:SHARED_PREFIX])
        )
        if len(kept) > 1:
            table[word] = kept
    return table


def dictionary_pairs(language: str) -> Iterable[tuple[str, str]]:
    """(form, lemma) pairs of simplemma's dictionary for ``language`` (slow: seconds)."""
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    dictionary = DefaultDictionaryFactory(cache_max_size=1).get_dictionary(language)
    return dictionary.items()


def build_table(words: Iterable[str], languages: Iterable[str] = LANGUAGES) -> FormTable:
    """Forms of ``words`` (folded) in each language, read from simplemma's dictionaries."""
    chosen = sorted(set(words))
    return {lang: forms_from_pairs(dictionary_pairs(lang), chosen) for lang in languages}


@cache
def packaged_table() -> FormTable:
    """The forms shipped for the built-in watchlists' words (empty if missing)."""
    source = resources.files("watchlists").joinpath(PACKAGED)
    if not source.is_file():
        return {}
    data = json.loads(gzip.decompress(source.read_bytes()).decode("utf-8"))
    return {
        lang: {word: frozenset(forms) for word, forms in table.items()}
        for lang, table in data.items()
    }


def table_to_json(table: FormTable) -> bytes:
    """The table as deterministic gzip'd JSON (sorted keys and forms)."""
    data = {
        lang: {word: sorted(forms) for word, forms in sorted(words.items())}
        for lang, words in sorted(table.items())
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return gzip.compress(text.encode("utf-8"), mtime=0)


def builtin_words() -> list[str]:
    """Every folded word of the built-in watchlists' stemmed terms."""
    from watchlists.builtin import builtin_watchlists
    from watchlists.normalize import split_words

    words: set[str] = set()
    for watchlist in builtin_watchlists():
        for group in watchlist.groups:
            for term in group.terms:
                if term.stems:
                    for variant in term.variants:
                        words.update(split_words(variant).norms)
    return sorted(words)


def main(argv: list[str]) -> int:
    """``python -m watchlists.lemmas [OUT]``: write the packaged forms table."""
    from pathlib import Path

    out = Path(argv[0]) if argv else Path(__file__).with_name(PACKAGED)
    out.write_bytes(table_to_json(build_table(builtin_words())))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
