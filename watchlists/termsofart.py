"""Legal terms of art in documents: fixed phrases of diplomatic and consular law.

Pure data and one function, no I/O. A term of art names a rule of law ("persona non
grata", "diplomatic asylum", "inviolability of the premises"); the builder keeps the ones
the documents use, to be matched only as the whole phrase.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from watchlists.eventwords import Concept, fold

TERMS_OF_ART: dict[str, tuple[str, ...]] = {
    # the term as shown: its other spellings and translations that mean the same rule
    "persona non grata": ("personae non gratae", "persona non-grata"),
    "diplomatic asylum": ("asilo diplomático", "asile diplomatique"),
    "political asylum": ("asilo político", "asile politique"),
    "territorial asylum": ("asilo territorial",),
    "safe conduct": ("safe-conduct", "salvoconducto", "sauf-conduit"),
    "diplomatic immunity": ("diplomatic immunities", "inmunidad diplomática"),
    "consular immunity": ("consular immunities",),
    "immunity from jurisdiction": (),
    "inviolability": ("inviolable", "inviolabilidad", "inviolabilité", "inviolables"),
    "protecting power": ("potencia protectora",),
    "diplomatic bag": ("diplomatic pouch", "valija diplomática"),
    "head of mission": ("heads of mission", "jefe de misión"),
    "consular post": ("consular posts", "oficina consular"),
    "consular premises": ("premises of the consulate", "locales consulares"),
    "diplomatic premises": ("premises of the mission", "mission premises", "embassy premises"),
    "diplomatic relations": ("relaciones diplomáticas", "relations diplomatiques"),
    "consular relations": ("relaciones consulares",),
    "consular access": ("consular visit", "consular visits", "asistencia consular"),
    "consular notification": (),
    "consular protection": ("protección consular",),
    "diplomatic protection": (),
    "non-intervention": ("non intervention",),
    "non-refoulement": ("non refoulement",),
    "extraterritoriality": ("extraterritorial",),
    "exequatur": (),
    "agrément": ("agrement",),
    "letters of credence": ("credentials",),
    "note verbale": ("notes verbales",),
    "chargé d'affaires": ("charge d'affaires",),
    "receiving state": ("host state",),
}
"""General terms of diplomatic and consular law (no names), in English with a few
translations; only those found in the documents reach a draft."""


def _pattern(text: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"[\s-]+", fold(text)) if w]
    return re.compile(r"(?<![\w-])" + r"[\s-]+".join(words) + r"(?![\w-])")


_PATTERNS = {
    term: [_pattern(form) for form in (term, *forms)] for term, forms in TERMS_OF_ART.items()
}


def find_terms_of_art(texts: Sequence[str]) -> list[Concept]:
    """The terms of art the documents use (any spelling), most used first."""
    folded = [fold(text) for text in texts]
    found = []
    for term, patterns in _PATTERNS.items():
        counts = [sum(len(p.findall(text)) for p in patterns) for text in folded]
        if sum(counts):
            forms = (term, *TERMS_OF_ART[term])
            found.append(Concept(term, forms, sum(counts), sum(1 for c in counts if c)))
    found.sort(key=lambda c: (-c.count, c.text))
    return found
