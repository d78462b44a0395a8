"""What happened, and to what: the event and subject words a draft watchlist's rules need.

Pure data and functions, no I/O. ``find_events`` keeps the incident and action words of a
general lexicon (English and Spanish) that the documents use; ``find_subjects`` keeps the
documents' topic nouns that those events happen to ("raided the embassy", "enter the
consulate"). The builder makes one group of each, so that a rule asks for an event near
its subject instead of any name next to any key phrase.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from watchlists.lexicon import DATE_WORDS, GENERIC_WORDS, STOPWORDS, TITLES

Strength = Literal["incident", "action"]

# lemma: (strength, the forms that count, all written out: the draft does not stem them,
# so "several" never reads as "sever", nor a weather "storm" as "stormed"). The first
# form is the term's text in a draft.
EVENTS: dict[str, tuple[Strength, tuple[str, ...]]] = {
    # hostile entries and breaks between states: rare in news outside such incidents
    "raid": ("incident", ("raid", "raids", "raided", "raiding")),
    "storm": ("incident", ("stormed", "storming")),
    "intrusion": ("incident", ("intrusion", "intrusions", "intrude", "intruded", "intruding")),
    "invade": ("incident", ("invade", "invaded", "invades", "invading", "invasion")),
    "incursion": ("incident", ("incursion", "incursions")),
    "breach": ("incident", ("breach", "breached", "breaches", "breaching")),
    "break into": ("incident", ("break into", "broke into", "broken into", "breaking into")),
    "force their way": ("incident", ("forced their way", "forced its way", "forced entry")),
    "assault": ("incident", ("assault", "assaulted", "assaulting")),
    "besiege": ("incident", ("besiege", "besieged", "siege")),
    "ransack": ("incident", ("ransack", "ransacked", "ransacking")),
    "expel": ("incident", ("expel", "expels", "expelled", "expelling", "expulsion")),
    "sever": ("incident", ("sever", "severs", "severed", "severing")),
    "allanamiento": ("incident", ("allanamiento", "allanaron", "allanó", "allanar")),
    "irrumpir": ("incident", ("irrumpen", "irrumpieron", "irrumpió", "irrupción")),
    "asaltar": ("incident", ("asalto", "asaltaron", "asaltó")),
    "expulsar": ("incident", ("expulsa", "expulsó", "expulsión", "expulsar")),
    # ordinary action words: common in news, so they count only close to a subject
    "enter": ("action", ("enter", "entered", "entering", "enters")),
    "arrest": ("action", ("arrest", "arrested", "arresting", "arrests")),
    "detain": ("action", ("detain", "detained", "detaining", "detention")),
    "capture": ("action", ("capture", "captured", "capturing")),
    "seize": ("action", ("seize", "seized", "seizing", "seizure")),
    "attack": ("action", ("attack", "attacked", "attacking", "attacks")),
    "surround": ("action", ("surround", "surrounded", "surrounding")),
    "violate": ("action", ("violate", "violated", "violates", "violating", "violation")),
    "deport": ("action", ("deport", "deported", "deporting", "deportation")),
    "abduct": ("action", ("abduct", "abducted", "abduction", "kidnap", "kidnapped")),
    "suspend": ("action", ("suspend", "suspended", "suspends")),
    "ingresar": ("action", ("ingresar", "ingresaron", "ingresó", "ingreso")),
    "detener": ("action", ("detener", "detuvieron", "detuvo", "detenido", "detención")),
    "capturar": ("action", ("capturar", "capturaron", "capturó", "captura")),
}

WINDOW_BEFORE = 1
"""Words before an event form where its subject may stand ("embassy raid")."""
WINDOW_AFTER = 5
"""Words after an event form where its subject may stand ("raided the Mexican embassy")."""
ACTORS: frozenset[str] = frozenset(
    """
    police policemen officers agents agent forces troops soldiers army military guards
    security gunmen attackers protesters demonstrators crowd mob men authorities
    prosecutors officials government policia policias agentes militares
    """.split()
)
"""Who does such things, not what they are done to ("police raid", "raided by troops")."""
PASSIVE = frozenset({"by", "por", "par", "von"})
"""A word after an event that introduces its doer: the subject window stops there."""
MIN_PAIRS = 2
"""A topic noun is a subject when it stands this often near one of the events."""

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


@dataclass(frozen=True, slots=True)
class Concept:
    """A word (or fixed phrase) of a concept group, its other forms, and how often it came."""

    text: str
    forms: tuple[str, ...]
    count: int
    documents: int
    strength: str = ""


def fold(text: str) -> str:
    """Lower case without accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words_of(text: str) -> list[str]:
    """The document's words, folded (apostrophes kept inside a word, "'s" dropped)."""
    words = [fold(w) for w in _WORD.findall(text)]
    return [w[:-2] if w.endswith(("'s", "’s")) else w for w in words]


def _form_index() -> dict[tuple[str, ...], str]:
    index: dict[tuple[str, ...], str] = {}
    for lemma, (_strength, forms) in EVENTS.items():
        for form in forms:
            index[tuple(fold(form).split())] = lemma
    return index


_FORMS = _form_index()
_LONGEST = max(len(key) for key in _FORMS)


def event_spans(words: Sequence[str]) -> Iterable[tuple[int, int, str]]:
    """Every event form in ``words``: (first word, word count, lemma), longest form first."""
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            lemma = _FORMS.get(tuple(words[i : i + size]))
            if lemma is not None:
                yield i, size, lemma
                i += size
                break
        else:
            i += 1


def find_events(texts: Sequence[str]) -> list[Concept]:
    """The lexicon's events that the documents use, most used first."""
    counts: Counter[str] = Counter()
    documents: Counter[str] = Counter()
    for text in texts:
        seen = [lemma for _first, _size, lemma in event_spans(words_of(text))]
        counts.update(seen)
        documents.update(set(seen))
    found = [
        Concept(forms[0], forms, counts[lemma], documents[lemma], strength)
        for lemma in counts
        for strength, forms in (EVENTS[lemma],)
    ]
    found.sort(key=lambda c: (-c.count, c.text))
    return found


def find_subjects(texts: Sequence[str], topic_words: Iterable[str]) -> list[Concept]:
    """Which ``topic_words`` (single lower-case nouns) the documents' events happen to.

    A topic word is a subject when it stands at least ``MIN_PAIRS`` times within
    ``WINDOW_BEFORE`` words before or ``WINDOW_AFTER`` words after an event form.
    """
    wanted = {fold(w): w for w in topic_words if _subject_like(fold(w))}
    pairs: Counter[str] = Counter()
    documents: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for text in texts:
        words = [_singular(w, wanted) for w in words_of(text)]
        totals.update(w for w in words if w in wanted)
        near: Counter[str] = Counter()
        for first, size, _lemma in event_spans(words):
            low, high = max(0, first - WINDOW_BEFORE), first + size + WINDOW_AFTER
            after = words[first + size : high]
            for cut, word in enumerate(after):
                if word in PASSIVE:
                    after = after[:cut]
                    break
            around = words[low:first] + after
            near.update({w for w in around if w in wanted})
        pairs.update(near)
        documents.update(set(near))
    found = [
        Concept(
            wanted[w], tuple(dict.fromkeys((wanted[w], plural(wanted[w])))), totals[w], documents[w]
        )
        for w, n in pairs.items()
        if n >= MIN_PAIRS
    ]
    found.sort(key=lambda c: (-pairs[fold(c.text)], c.text))
    return found


def _subject_like(word: str) -> bool:
    return (
        " " not in word
        and len(word) >= 4
        and word not in STOPWORDS
        and word not in GENERIC_WORDS
        and word not in TITLES
        and word not in DATE_WORDS
        and word not in ACTORS
        and (word,) not in _FORMS
    )


def _singular(word: str, wanted: dict[str, str]) -> str:
    """``word``, or the wanted noun it is the plural of ("embassies" -> "embassy")."""
    if word in wanted:
        return word
    for cut, tail in (("ies", "y"), ("es", ""), ("s", "")):
        if word.endswith(cut) and (stem := word[: -len(cut)] + tail) in wanted:
            return stem
    return word


def plural(noun: str) -> str:
    """The English plural of a noun, by the regular rules (embassy -> embassies)."""
    if noun.endswith("y") and noun[-2:-1] not in tuple("aeiou"):
        return noun[:-1] + "ies"
    if noun.endswith("s"):  # "premises", "forces": written as a plural already
        return noun
    if noun.endswith(("x", "z", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def _forms(noun: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((noun, plural(noun))))
