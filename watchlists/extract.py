"""Finding names in plain prose: capitalized spans, acronyms and their expansions.

Pure: general rules (capitals, connectors, titles, common words), no list of names.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from watchlists.lexicon import (
    ABBREVIATIONS,
    AND_WORDS,
    CONNECTORS,
    DATE_WORDS,
    NAME_ARTICLES,
    ORGANIZATION_HEADS,
    SAYING_VERBS,
    STOPWORDS,
    TREATY_HEADS,
    is_title,
)

_WORD = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_]\w*(?:[-'’]\w+)*")
_POSSESSIVE = re.compile(r"[’'][sS]$")
_SENTENCE_END = re.compile(r"[.!?:;•]")
_FUNCTION_WORDS = CONNECTORS | STOPWORDS
ADJECTIVE_NAME_ENDINGS = ("an", "ese", "ish")
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+)(?:the\s+)?", re.I)


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a document, its shape, and how it is joined to the word before."""

    text: str
    start: int
    end: int
    initial: bool  # the first word of a sentence, line or list item
    joined: bool  # only spaces separate it from the previous word
    possessive: bool  # written with 's (dropped from text)
    in_parens: bool  # "(ICE)"

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_acronym(self) -> bool:
        letters = self.text.replace("-", "")
        return 2 <= len(letters) <= 8 and letters.isalpha() and letters.isupper()

    @property
    def is_capitalized(self) -> bool:
        return self.text[:1].isupper() and not self.is_acronym and self.lower not in DATE_WORDS


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of a candidate name in one document, with the clues around it."""

    words: tuple[str, ...]
    doc: int
    initial: bool = False
    acronym: bool = False
    expansion: tuple[str, ...] = ()  # for "(ICE)": the words it stands for
    titled: bool = False  # came after a title such as "President"
    said: bool = False  # followed by a verb of saying
    adjective: bool = False  # "South American countries": a name-like adjective
    before: str = ""  # the lower-cased word before it
    span: tuple[int, int] = (0, 0)  # first and last word index in the document
    neighbours: tuple[tuple[str, ...], ...] = ()  # names listed with it: "Peru, Brazil"

    @property
    def text(self) -> str:
        return " ".join(self.words)


def split_words(text: str) -> list[Word]:
    """The words of ``text`` with sentence starts, joins and possessives marked."""
    words: list[Word] = []
    previous_end = 0
    for match in _WORD.finditer(text):
        gap = text[previous_end : match.start()]
        raw = match.group()
        possessive = bool(_POSSESSIVE.search(raw)) and len(raw) > 2
        body = raw[:-2] if possessive else raw
        if re.fullmatch(r"(?:[^\W\d_]\.){2,}", body):
            body = body.replace(".", "")
        abbreviated = bool(words) and gap.strip() == "." and words[-1].lower in ABBREVIATIONS
        initial = not words or "\n" in gap or bool(_SENTENCE_END.search(gap))
        initial = initial and not abbreviated
        joined = bool(words) and "\n" not in gap and (gap.strip() == "" or abbreviated)
        after = text[match.end() : match.end() + 2]
        in_parens = gap.endswith("(") and after.startswith(")")
        words.append(Word(body, match.start(), match.end(), initial, joined, possessive, in_parens))
        previous_end = match.end()
    return words


def lower_case_counts(texts: Sequence[str]) -> tuple[Counter[str], Counter[str]]:
    """How often each word is written in lower case, and capitalized inside a sentence."""
    lower: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for text in texts:
        for word in split_words(text):
            if word.text[:1].islower():
                lower[word.lower] += 1
            elif not word.initial:
                capital[word.lower] += 1
    return lower, capital


class MentionFinder:
    """Finds name mentions, knowing which words the whole corpus treats as common."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.lower, self.capital = lower_case_counts(texts)

    def is_common(self, word: str) -> bool:
        """A word the documents write in lower case at least as often as capitalized."""
        key = word.lower()
        return key in STOPWORDS or (self.lower[key] >= 1 and self.lower[key] >= self.capital[key])

    def find(self, text: str, doc: int) -> list[Mention]:
        """Every name mention and acronym in one document's plain ``text``."""
        words = split_words(text)
        title_lines = self._title_case_lines(text, words)
        mentions: list[Mention] = []
        i = 0
        while i < len(words):
            word = words[i]
            if word.is_acronym:
                mentions.append(self._acronym(words, i, doc))
                i += 1
                continue
            if not self._starts(word, title_lines):
                i += 1
                continue
            end = self._extend(words, i, title_lines)
            mentions.extend(self._clean(words, i, end, doc))
            i = end + 1
        return _with_neighbours(text, words, mentions)

    def _starts(self, word: Word, title_lines: set[int]) -> bool:
        if not word.is_capitalized:
            return False
        return not (word.start in title_lines and self.is_common(word.text))

    def _extend(self, words: list[Word], i: int, title_lines: set[int]) -> int:
        end = i
        k = i + 1
        while k < len(words) and words[k].joined and not words[end].possessive:
            if self._starts(words[k], title_lines):
                end = k
                k += 1
                continue
            m = k
            while m < len(words) and m - k < 2 and words[m].joined:
                if words[m].lower not in CONNECTORS or words[m].possessive:
                    break
                m += 1
            if m > k and m < len(words) and words[m].joined and words[m].is_capitalized:
                end = m
                k = m + 1
                continue
            break
        return end

    def _title_case_lines(self, text: str, words: list[Word]) -> set[int]:
        """Start offsets of words on headline-style lines (every content word capitalized)."""
        starts: set[int] = set()
        line: list[Word] = []
        for index, word in enumerate(words):
            line.append(word)
            following = words[index + 1] if index + 1 < len(words) else None
            if following is None or "\n" in text[word.end : following.start]:
                content = [w for w in line if w.lower not in _FUNCTION_WORDS]
                capitals = sum(1 for w in content if w.text[:1].isupper())
                if capitals >= 2 and capitals == len(content):
                    starts.update(w.start for w in line)
                line = []
        return starts

    def _acronym(self, words: list[Word], i: int, doc: int) -> Mention:
        word = words[i]
        expansion: tuple[str, ...] = ()
        if word.in_parens:
            expansion = self._expansion(words, i)
        before = words[i - 1].lower if i and words[i].joined else ""
        return Mention((word.text,), doc, word.initial, True, expansion, before=before, span=(i, i))

    def _expansion(self, words: list[Word], i: int) -> tuple[str, ...]:
        """The capitalized words just before "(ACRONYM)" that it abbreviates."""
        acronym = words[i].text.replace("-", "").upper()
        j = i - 1
        skipped = 0
        while j >= 0 and words[j].text[:1].islower() and words[j].lower not in CONNECTORS:
            skipped += 1
            j -= 1
            if skipped > 2:
                return ()
        run: list[str] = []
        while j >= 0 and (words[j].text[:1].isupper() or words[j].lower in CONNECTORS):
            run.insert(0, words[j].text)
            if words[j].initial or not words[j].joined:
                break
            j -= 1
        while run and run[0].lower() in CONNECTORS | STOPWORDS:
            run.pop(0)
        return best_expansion(acronym, run)

    def _clean(self, words: list[Word], i: int, end: int, doc: int) -> list[Mention]:
        """Turn a raw capitalized run into zero or more name mentions."""
        run = list(range(i, end + 1))
        for after in words[end + 1 : end + 4]:
            if after.in_parens and after.is_acronym:
                return []  # the expansion is taken with its acronym
            if not after.text[:1].islower() or after.lower in CONNECTORS:
                break
        pieces: list[list[int]] = [[]]
        for index in run:
            if words[index].lower in AND_WORDS and not self._and_inside_name(words, run):
                pieces.append([])
            else:
                pieces[-1].append(index)
        mentions = []
        for piece in [part for whole in pieces for part in _split_before_head(words, whole)]:
            mention = self._mention(words, piece, doc)
            if mention is not None:
                mentions.append(mention)
        return mentions

    def _and_inside_name(self, words: list[Word], run: list[int]) -> bool:
        """ "Immigration and Customs Enforcement": a common word, "and", a body's name."""
        ands = [k for k, index in enumerate(run) if words[index].lower in AND_WORDS]
        if len(ands) != 1 or not 0 < ands[0] < len(run) - 1:
            return False
        before = words[run[ands[0] - 1]].text
        return self.is_common(before) and words[run[-1]].lower in ORGANIZATION_HEADS

    def _mention(self, words: list[Word], piece: list[int], doc: int) -> Mention | None:
        piece = self._trim_connectors(words, piece)
        if not piece:
            return None
        first = words[piece[0]]
        if first.lower in STOPWORDS and first.lower not in NAME_ARTICLES:
            piece = self._trim_connectors(words, piece[1:])
        elif first.initial and self.is_common(first.text):
            piece = self._trim_connectors(words, piece[1:])
        titled = False
        for position in range(len(piece) - 1, -1, -1):
            following = piece[position + 1 : position + 2]
            word = words[piece[position]].text
            after_title = position > 0 and is_title(words[piece[position - 1]].text)
            if following and (is_title(word) or (word.lower() == "general" and after_title)):
                if words[following[0]].lower in CONNECTORS:
                    return None  # an office such as "President of Ecuador"
                titled = True
                piece = piece[position + 1 :]
                break
        if not any(words[p].lower in CONNECTORS for p in piece):
            while piece and self.is_common(words[piece[-1]].text):
                piece = piece[:-1]
        if not piece:
            return None
        texts = tuple(words[p].text for p in piece)
        last = piece[-1]
        next_word = words[last + 1] if last + 1 < len(words) else None
        said = next_word is not None and next_word.lower in SAYING_VERBS
        adjective = (
            next_word is not None
            and next_word.joined
            and next_word.text[:1].islower()
            and next_word.lower.endswith("s")
            and next_word.lower not in STOPWORDS | SAYING_VERBS
            and words[last].lower.endswith(ADJECTIVE_NAME_ENDINGS)
        )
        before = words[piece[0] - 1].lower if piece[0] > 0 else ""
        initial = words[piece[0]].initial
        return Mention(
            texts,
            doc,
            initial,
            titled=titled,
            said=said,
            adjective=adjective,
            before=before,
            span=(piece[0], piece[-1]),
        )

    @staticmethod
    def _trim_connectors(words: list[Word], piece: list[int]) -> list[int]:
        while piece and words[piece[0]].lower in CONNECTORS - NAME_ARTICLES:
            piece = piece[1:]
        while piece and words[piece[-1]].lower in CONNECTORS:
            piece = piece[:-1]
        return piece


def _split_before_head(words: list[Word], piece: list[int]) -> list[list[int]]:
    """Cut "Jorge Glas de la Embajada de México" before the connector that starts a body."""
    heads = ORGANIZATION_HEADS | TREATY_HEADS
    for k in range(1, len(piece) - 1):
        if words[piece[k]].lower not in CONNECTORS or words[piece[k - 1]].lower in CONNECTORS:
            continue
        rest = [p for p in piece[k:] if words[p].lower not in CONNECTORS]
        before = [fold_lower(words[p].text) for p in piece[:k]]
        if rest and fold_lower(words[rest[0]].text) in heads and not heads.intersection(before):
            return [piece[:k], piece[k:]]
    return [piece]


def fold_lower(word: str) -> str:
    """Lower case without accents ("Policía" → "policia"), as the head lists are written."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _with_neighbours(text: str, words: list[Word], mentions: list[Mention]) -> list[Mention]:
    """Note which mentions stand in one list ("Spain, Venezuela and Peru")."""
    links: list[list[tuple[str, ...]]] = [[] for _ in mentions]
    for index in range(len(mentions) - 1):
        left, right = mentions[index], mentions[index + 1]
        gap = text[words[left.span[1]].end : words[right.span[0]].start]
        if _LIST_GAP.fullmatch(gap):
            links[index].append(right.words)
            links[index + 1].append(left.words)
    return [
        replace(mention, neighbours=tuple(found)) if found else mention
        for mention, found in zip(mentions, links, strict=True)
    ]


def initials(words: Sequence[str]) -> str:
    """The first letters of the content words, hyphenated parts counted apart."""
    letters = []
    for word in words:
        if word.lower() in CONNECTORS:
            continue
        for part in word.split("-"):
            if part:
                letters.append(part[0].upper())
    return "".join(letters)


def best_expansion(acronym: str, run: Sequence[str]) -> tuple[str, ...]:
    """The shortest tail of ``run`` whose initials spell ``acronym``, else a close-enough tail."""
    for start in range(len(run) - 1, -1, -1):
        tail = run[start:]
        if tail[0].lower() in CONNECTORS:
            continue
        if initials(tail) == acronym:
            return tuple(tail)
    content = [w for w in run if w.lower() not in CONNECTORS]
    if (
        len(content) >= 2
        and run
        and run[0][:1].upper() == acronym[:1]
        and abs(len(content) - len(acronym)) <= 2
    ):
        return tuple(run)
    return ()
