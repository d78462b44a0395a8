"""The matcher: compile watchlists once into one shared index, then match stories fast.

Pure. ``compile_watchlists(...)`` returns a ``Matcher``; ``Matcher.match`` returns
``Match`` values whose ``TermHit`` spans point into the original title or summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from watchlists.errors import UnknownWatchlistError
from watchlists.hits import FIELDS, Diagnosis, Match, TermHit
from watchlists.index import Pattern, RawHit, TermIndex, compile_pattern
from watchlists.lemmas import FormTable
from watchlists.model import Rule, Term, Watchlist
from watchlists.normalize import Words, split_words
from watchlists.rules import best_hits, decide, evaluate_rule
from watchlists.stemming import guess_language, language_code

IGNORE = -1
"""Group number of a watchlist's ``ignore`` terms."""

__all__ = ["Diagnosis", "Match", "Matcher", "TermHit", "compile_watchlists"]


@dataclass(frozen=True, slots=True)
class _Owner:
    watchlist: int
    group: int
    term: Term


class Matcher:
    """Compiled watchlists. Build with ``compile_watchlists``; ``match`` is thread-compatible."""

    def __init__(self, watchlists: Sequence[Watchlist], forms: FormTable | None = None) -> None:
        self.watchlists: tuple[Watchlist, ...] = tuple(watchlists)
        keys: dict[Pattern, int] = {}
        owners: list[list[_Owner]] = []
        for w_index, watchlist in enumerate(self.watchlists):
            for g_index, group in enumerate(watchlist.groups):
                for term in group.terms:
                    _register(term, _Owner(w_index, g_index, term), keys, owners)
            for term in watchlist.ignore:
                _register(term, _Owner(w_index, IGNORE, term), keys, owners)
        self._owners: tuple[tuple[_Owner, ...], ...] = tuple(tuple(o) for o in owners)
        # Groups each rule cannot hold without: every all_of and NEAR group, one any_of.
        # ``match`` skips a rule whose groups were not all found; ``diagnose`` does not.
        self._needs: tuple[tuple[tuple[Rule, frozenset[str], frozenset[str]], ...], ...] = tuple(
            tuple(
                (
                    rule,
                    frozenset(rule.all_of).union(*((p.left, p.right) for p in rule.near)),
                    frozenset(rule.any_of),
                )
                for rule in watchlist.rules
            )
            for watchlist in self.watchlists
        )
        self.index = TermIndex(list(keys), forms)

    @property
    def pattern_count(self) -> int:
        """Number of distinct compiled spellings."""
        return len(self.index.patterns)

    def match(self, title: str, summary: str, language: str | None = None) -> list[Match]:
        """Return the watchlists this story belongs to, best score first."""
        found, masks, fields = self._scan(title, summary, language, with_context=False)
        matches = []
        for w_index, entries in found.items():
            watchlist = self.watchlists[w_index]
            by_group = best_hits(_unmasked(entries, masks.get(w_index, {}), keep=True))
            if not by_group:
                continue
            present = by_group.keys()
            outcomes = [
                evaluate_rule(rule, by_group)
                for rule, needs_all, needs_any in self._needs[w_index]
                if needs_all <= present and (not needs_any or not needs_any.isdisjoint(present))
            ]
            result = decide(watchlist, outcomes)
            if result is not None:
                matches.append(_with_context(result, fields))
        matches.sort(key=lambda m: (-m.score, m.watchlist))
        return matches

    def diagnose(
        self, watchlist: str, title: str, summary: str, language: str | None = None
    ) -> Diagnosis:
        """Why this story does or does not match ``watchlist``: hits, masks, each rule."""
        names = [w.name for w in self.watchlists]
        if watchlist not in names:
            raise UnknownWatchlistError(
                f"no watchlist named {watchlist!r}", hint=f"known: {', '.join(names)}"
            )
        w_index = names.index(watchlist)
        chosen = self.watchlists[w_index]
        found, masks, _fields = self._scan(title, summary, language, with_context=True)
        entries = found.get(w_index, [])
        mask = masks.get(w_index, {})
        by_group = best_hits(_unmasked(entries, mask, keep=True))
        masked = list(best_hits(_unmasked(entries, mask, keep=False)).values())
        outcomes = tuple(evaluate_rule(rule, by_group) for rule in chosen.rules)
        return Diagnosis(
            watchlist=chosen.name,
            min_score=chosen.min_score,
            hits=tuple(sorted((h for hits in by_group.values() for h in hits), key=_order)),
            masked=tuple(sorted((h for hits in masked for h in hits), key=_order)),
            outcomes=outcomes,
            match=decide(chosen, outcomes),
        )

    def _scan(
        self, title: str, summary: str, language: str | None, *, with_context: bool
    ) -> tuple[
        dict[int, list[tuple[int, TermHit]]], dict[int, dict[int, set[int]]], tuple[Words, Words]
    ]:
        """Every hit by watchlist, the ignored word ranges, and the two fields' words.

        ``with_context`` fills each hit's sentence text now; ``match`` leaves it for the
        few hits of a match (``_with_context``), since most hits never reach a reader.
        """
        fields = (split_words(title or ""), split_words(summary or ""))
        lang = language_code(language)
        if lang is None:
            lang = guess_language(fields[0].norms + fields[1].norms)
        found: dict[int, list[tuple[int, TermHit]]] = {}
        masks: dict[int, dict[int, set[int]]] = {}
        for f_index, words in enumerate(fields):
            for raw in self.index.scan(words, lang):
                self._collect(raw, f_index, words, found, masks, with_context)
        return found, masks, fields

    def _collect(
        self,
        raw: RawHit,
        f_index: int,
        words: Words,
        found: dict[int, list[tuple[int, TermHit]]],
        masks: dict[int, dict[int, set[int]]],
        with_context: bool,
    ) -> None:
        start = words.span(raw.first)[0]
        end = words.span(raw.first + raw.count - 1)[1]
        text = words.text
        sentence = words.sentence(raw.first)
        context = words.sentence_text(sentence) if with_context else ""
        for owner in self._owners[raw.pattern]:
            if owner.group == IGNORE:
                span = range(raw.first, raw.first + raw.count)
                masks.setdefault(owner.watchlist, {}).setdefault(f_index, set()).update(span)
                continue
            group = self.watchlists[owner.watchlist].groups[owner.group].name
            hit = TermHit(
                term=owner.term.text,
                group=group,
                field=FIELDS[f_index],
                start=start,
                end=end,
                text=text[start:end],
                similarity=raw.similarity,
                word=raw.first,
                words=raw.count,
                sentence=sentence,
                context=context,
            )
            found.setdefault(owner.watchlist, []).append((f_index, hit))


def compile_watchlists(watchlists: Sequence[Watchlist], forms: FormTable | None = None) -> Matcher:
    """Compile ``watchlists`` into one index shared by every story.

    ``forms`` gives every inflected form of a word's lemma by language (default: the
    packaged forms of the built-in watchlists' words, see ``watchlists.lemmas``).
    """
    return Matcher(watchlists, forms)


def _register(
    term: Term, owner: _Owner, keys: dict[Pattern, int], owners: list[list[_Owner]]
) -> None:
    seen: set[Pattern] = set()
    for variant in term.variants:
        pattern = compile_pattern(term, variant)
        if pattern is None or pattern in seen:
            continue
        seen.add(pattern)
        pid = keys.get(pattern)
        if pid is None:
            pid = keys[pattern] = len(owners)
            owners.append([])
        owners[pid].append(owner)


def _with_context(match: Match, fields: tuple[Words, Words]) -> Match:
    """``match`` with each hit's sentence filled in from its field's words."""
    hits = tuple(
        replace(hit, context=fields[FIELDS.index(hit.field)].sentence_text(hit.sentence))
        for hit in match.hits
    )
    return replace(match, hits=hits)


def _unmasked(
    entries: list[tuple[int, TermHit]], mask: dict[int, set[int]], keep: bool
) -> list[TermHit]:
    """Hits outside (``keep``) or inside (not ``keep``) the ignored word ranges."""
    result = []
    for f_index, hit in entries:
        words = mask.get(f_index, set())
        inside = any(w in words for w in range(hit.word, hit.word + hit.words))
        if inside != keep:
            result.append(hit)
    return result


def _order(hit: TermHit) -> tuple[bool, int, str]:
    return (hit.field != "title", hit.start, hit.group)
