"""The watchlist builder: documents in, a ranked draft watchlist in the YAML format out.

Pure: takes the documents' text (the caller reads files and URLs), returns a ``Draft``
of names, events, their subjects, terms of art and key phrases; ``draftrules`` writes
its rules (an event near its subject or a term of art, with an entity).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from watchlists.candidates import Candidate, aliases_of, collect, resolve
from watchlists.draftrules import rule_lines
from watchlists.errors import WatchlistError
from watchlists.eventwords import find_events, find_subjects, fold
from watchlists.extract import MentionFinder
from watchlists.keyphrases import KeyPhrase, key_phrases
from watchlists.loader import NAME_RE, parse_watchlist
from watchlists.model import Watchlist
from watchlists.termsofart import find_terms_of_art
from watchlists.textformats import Format, guess_format, to_plain

GROUPS: tuple[tuple[str, str, str], ...] = (
    ("incidents", "keyword", "What happened: hostile entries and breaks, as the documents say."),
    ("actions", "keyword", "What happened: ordinary action words; rules want them near a subject."),
    ("subjects", "keyword", "What the documents' events happened to."),
    ("terms-of-art", "phrase", "Legal terms of art, matched only as the whole phrase."),
    ("people", "person", "People named in the documents."),
    ("organizations", "organization", "Organizations, courts, ministries and agencies."),
    ("places", "place", "Countries, cities and other places, with their adjectives."),
    ("treaties", "treaty", "Treaties, conventions and declarations."),
    ("acronyms", "acronym", "Acronyms, matched in capitals only."),
    ("other-names", "keyword", "Other names whose kind the builder could not tell."),
    ("key-phrases", "keyword", "Other key phrases of the documents; no rule uses them."),
)
CONCEPT_GROUPS = ("incidents", "actions", "subjects", "terms-of-art")
"""Groups of general words (not names); the draft matches them as written, unstemmed."""
NAME_GROUPS = ("people", "organizations", "places", "treaties", "acronyms", "other-names")
GROUP_OF_KIND = {kind: group for group, kind, _ in GROUPS if group in NAME_GROUPS}
TOPIC_WORDS = 80
"""Key phrases considered when looking for the subjects of the documents' events."""


@dataclass(frozen=True, slots=True)
class SourceText:
    """One document to build from: its name (file or URL), its text, its format if known."""

    name: str
    text: str
    format: Format | None = None
    content_type: str = ""


@dataclass(frozen=True, slots=True)
class DraftTerm:
    """One proposed term: what to match, its kind, its other names, and why it ranks."""

    text: str
    kind: str
    group: str
    score: float
    mentions: int
    documents: int
    aliases: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()  # spellings differing only in accents or case
    expansion: str = ""  # what an acronym stands for
    other_expansions: tuple[str, ...] = ()  # what else it stands for in the documents

    @property
    def label(self) -> str:
        """How a person reads it: "Immigration and Customs Enforcement (ICE)" for acronyms."""
        return f"{self.expansion} ({self.text})" if self.expansion else self.text


@dataclass(frozen=True, slots=True)
class Draft:
    """A draft watchlist: its name, the documents it came from and its terms, best first."""

    name: str
    sources: tuple[str, ...]
    terms: tuple[DraftTerm, ...]

    def group(self, name: str) -> tuple[DraftTerm, ...]:
        """The terms of one group ("people", "key-phrases", …), best first."""
        return tuple(t for t in self.terms if t.group == name)

    def find(self, text: str) -> DraftTerm | None:
        """The term whose text, alias or variant is ``text`` (None if there is none)."""
        for term in self.terms:
            if text == term.text or text in term.aliases or text in term.variants:
                return term
        return None


def build_draft(
    sources: Sequence[SourceText],
    name: str,
    max_names: int = 80,
    max_phrases: int = 25,
) -> Draft:
    """Extract names, events, subjects, terms of art and key phrases from ``sources``."""
    check_name(name)
    plain = [
        to_plain(s.text, s.format or guess_format(s.text, s.name, s.content_type)) for s in sources
    ]
    texts = [p.text for p in plain]
    links = [link for p in plain for link in p.links]
    finder = MentionFinder(texts)
    mentions = [m for doc, text in enumerate(texts) for m in finder.find(text, doc)]
    places = [place for p in plain for place in p.places]
    candidates = resolve(collect(mentions, links, places), finder.is_common, len(texts))
    names = [_draft_term(c) for c in candidates[: max(0, max_names)]]
    topic = key_phrases(texts, limit=max(TOPIC_WORDS, max_phrases))
    concepts = _concept_terms(texts, [p.text for p in topic])
    taken = {fold(form) for term in concepts for form in (term.text, *term.aliases)}
    linked = {link.lower() for link in links if link[:1].islower()}
    phrases = [_phrase_term(p, p.text in linked) for p in topic if fold(p.text) not in taken][
        : max(0, max_phrases)
    ]
    phrases.sort(key=lambda t: (-t.score, t.text))
    if not names and not phrases and not concepts:
        raise WatchlistError(
            "found no names or key phrases in the documents",
            path=", ".join(s.name for s in sources) or None,
            hint="give longer documents in prose (news articles, reports, wiki pages)",
        )
    return Draft(name, tuple(s.name for s in sources), tuple(concepts + names + phrases))


def _concept_terms(texts: Sequence[str], topic: Sequence[str]) -> list[DraftTerm]:
    """The documents' events (incidents, actions), their subjects and terms of art."""
    events = find_events(texts)
    forms = {form for c in events for form in c.forms}
    singles = [t for t in topic if " " not in t]
    singles += [  # the other words of compounds with an event: "embassy" of "embassy raid"
        word for t in topic if " " in t and forms & set(t.split()) for word in t.split()
    ]
    found = [("incidents" if c.strength == "incident" else "actions", c) for c in events] + [
        ("subjects", c) for c in find_subjects(texts, singles)
    ]
    found += [("terms-of-art", c) for c in find_terms_of_art(texts)]
    return [
        DraftTerm(
            text=c.text,
            kind="phrase" if " " in c.text else "keyword",
            group=group,
            score=float(c.count * c.documents),
            mentions=c.count,
            documents=c.documents,
            aliases=tuple(f for f in c.forms if fold(f) != fold(c.text)),
        )
        for group, c in found
    ]


def build_watchlist_yaml(
    sources: Sequence[SourceText], name: str, max_names: int = 80, max_phrases: int = 25
) -> str:
    """The draft for ``sources`` as watchlist YAML (checked with ``parse_watchlist``)."""
    return render_draft(build_draft(sources, name, max_names, max_phrases))


def check_name(name: str) -> None:
    """Refuse a watchlist name the file format does not allow."""
    if not NAME_RE.match(name):
        raise WatchlistError(
            f"{name!r} is not a valid watchlist name",
            path="--name",
            hint="use lower-case letters, digits, '-' and '_', e.g. 'quito-embassy-raid'",
        )


def _draft_term(candidate: Candidate) -> DraftTerm:
    aliases, variants = aliases_of(candidate)
    return DraftTerm(
        text=candidate.text,
        kind=candidate.kind,
        group=GROUP_OF_KIND[candidate.kind],
        score=round(candidate.score, 3),
        mentions=candidate.mentions,
        documents=len(candidate.documents),
        aliases=tuple(aliases),
        variants=tuple(variants),
        expansion=candidate.expansion,
        other_expansions=tuple(candidate.expansions_shown[1:]),
    )


def _phrase_term(phrase: KeyPhrase, linked: bool) -> DraftTerm:
    kind = "phrase" if " " in phrase.text else "keyword"
    score = phrase.score * (1.25 if linked else 1.0)
    return DraftTerm(
        phrase.text, kind, "key-phrases", round(score, 3), phrase.count, phrase.documents
    )


def render_draft(draft: Draft) -> str:
    """The draft as commented watchlist YAML; raises if ``parse_watchlist`` would refuse it."""
    lines = [
        f"# Draft watchlist {draft.name!r}, built by `newswatch watchlist build` from:",
        *(f"#   - {_printable(source)}" for source in draft.sources),
        "# Review it before use: remove what does not belong, add aliases in other",
        "# languages, tighten the rules, then load it with `newswatch watchlist add FILE`.",
        "# Each term's comment gives its rank, score, mentions and documents.",
        "# The rules want an event (incidents, actions) close to what it happened to",
        "# (subjects) or to a legal term of art, and a name; their weights grade the",
        "# evidence: in the title 0.8-1.0, in the summary 0.55-0.7.",
        f"name: {draft.name}",
        f"description: {_quote(f'Draft built from {len(draft.sources)} document(s).')}",
        "priority: digest",
        "min_score: 0.5",
        "groups:",
    ]
    present: list[str] = []
    names = [t for t in draft.terms if t.group in NAME_GROUPS]
    rank = {id(t): f"name {n}" for n, t in enumerate(names, start=1)}
    rank.update({id(t): f"phrase {n}" for n, t in enumerate(draft.group("key-phrases"), 1)})
    for group in CONCEPT_GROUPS:
        rank.update({id(t): f"{group} {n}" for n, t in enumerate(draft.group(group), 1)})
    for group, kind, description in GROUPS:
        terms = draft.group(group)
        if not terms:
            continue
        present.append(group)
        lines += [f"  {group}:", f"    description: {_quote(description)}"]
        lines.append(f"    kind: {kind}")
        if kind == "acronym":
            lines.append("    case_sensitive: true")
        if group == "other-names" or group in CONCEPT_GROUPS:
            lines.append("    stem: false")
        lines.append("    terms:")
        for term in terms:
            lines += _term_lines(term, rank[id(term)])
    lines += ["rules:", *rule_lines(present)]
    text = "\n".join(lines) + "\n"
    parse_watchlist(text, f"<draft {draft.name}>")
    return text


def _term_lines(term: DraftTerm, rank: str) -> list[str]:
    note = (
        f"      # {rank}: {term.label} · score {term.score:.2f} · "
        f"{_count(term.mentions, 'mention')} in {_count(term.documents, 'document')}"
    )
    if term.variants:
        note += " · also written " + ", ".join(term.variants)
    if term.other_expansions:
        note += " · also stands for " + ", ".join(term.other_expansions)
    lines = [note, f"      - text: {_quote(term.text)}"]
    if term.kind == "phrase":
        lines.append("        kind: phrase")
    if term.aliases:
        lines.append(f"        aliases: [{', '.join(_quote(a) for a in term.aliases)}]")
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _printable(text: str) -> str:
    """One line of printable text, safe inside a YAML comment."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def draft_watchlist(draft: Draft) -> Watchlist:
    """The draft as a ``Watchlist`` value, as ``parse_watchlist`` reads its YAML."""
    return parse_watchlist(render_draft(draft), f"<draft {draft.name}>")
