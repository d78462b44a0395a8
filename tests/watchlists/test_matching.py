"""Matching rules one by one: fuzzy by length, case, phrases, stemming, proximity, masks."""

from __future__ import annotations

import pytest

from watchlists.errors import UnknownWatchlistError
from watchlists.loader import parse_watchlist
from watchlists.matcher import compile_watchlists
from watchlists.model import Group, Rule, Term, Watchlist


def single(term: Term) -> Watchlist:
    return Watchlist("w", (Group("g", (term,)),), (Rule("r", any_of=("g",)),))


def hits(term: Term, text: str, language: str = "en") -> list[str]:
    matches = compile_watchlists([single(term)]).match(text, "", language)
    return [hit.text for match in matches for hit in match.hits]


PERSON = "person"
TERM_CASES = [
    # id, term, text, language, expected matched text (None: no match)
    ("exact", Term("Jorge Glas", PERSON), "police seize Jorge Glas", "en", "Jorge Glas"),
    ("typo-in-phrase", Term("Jorge Glas", PERSON), "seize Jorge Glass", "en", "Jorge Glass"),
    (
        "missing-accent",
        Term("Alicia Bárcena", PERSON),
        "Alicia Barcena said",
        "en",
        "Alicia Barcena",
    ),
    ("extra-letter", Term("Sommerfeld", PERSON), "Sommerfield said", "en", "Sommerfield"),
    ("swapped-letters", Term("Sommerfeld", PERSON), "Sommrefeld said", "en", "Sommrefeld"),
    (
        "two-edits-long-name",
        Term("Andrés Manuel López Obrador", PERSON),
        "Andres Manuel Lopes Obrdor spoke",
        "en",
        "Andres Manuel Lopes Obrdor",
    ),
    ("short-name-exact-only", Term("Glas", PERSON), "the glass industry", "en", None),
    ("short-name-no-typo", Term("Canseco", PERSON), "Canceco said", "en", None),
    ("first-letter-kept", Term("Sommerfeld", PERSON), "Tommerfeld said", "en", None),
    ("legrand-not-lagrand", Term("LaGrand", "event"), "Legrand profits rose", "en", None),
    ("lagrand-split", Term("LaGrand", "event"), "the La Grand case", "en", None),
    ("keyword-never-fuzzy", Term("chancellery"), "the chancellor said", "en", None),
    ("fuzzy-off", Term("Sommerfeld", PERSON, fuzzy=0), "Sommerfield said", "en", None),
    ("fuzzy-explicit", Term("Quito", "place", fuzzy=1), "Qiuto police", "en", None),
    ("acronym-case", Term("ICE", "acronym", case_sensitive=True), "ICE agents", "en", "ICE"),
    (
        "acronym-not-title-case",
        Term("ICE", "acronym", case_sensitive=True),
        "Ice storm",
        "en",
        None,
    ),
    ("acronym-not-in-vice", Term("ICE", "acronym"), "Vice President", "en", None),
    ("acronym-not-in-police", Term("ICE", "acronym"), "police station", "en", None),
    ("glas-not-glass", Term("Glas", PERSON), "glass and Glasgow", "en", None),
    ("phrase-order", Term("protecting power", "phrase"), "power protecting", "en", None),
    (
        "phrase-exact",
        Term("protecting power", "phrase"),
        "as protecting power for",
        "en",
        "protecting power",
    ),
    (
        "persona-non-grata",
        Term("persona non grata", "phrase"),
        "declared persona non grata",
        "en",
        "persona non grata",
    ),
    ("persona-grata-not", Term("persona non grata", "phrase"), "persona grata", "en", None),
    ("hyphenated-name", Term("López Obrador", PERSON), "López-Obrador said", "es", "López-Obrador"),
    ("possessive", Term("Jorge Glas", PERSON), "Jorge Glas's lawyers", "en", "Jorge Glas"),
    ("html-in-story", Term("embassy"), "the <b>embassy</b>", "en", "embassy"),
    ("stem-en-past", Term("raid"), "police raided the embassy", "en", "raided"),
    ("stem-en-gerund", Term("raid"), "raiding", "en", "raiding"),
    ("stem-es-plural", Term("allanamiento"), "los allanamientos", "es", "allanamientos"),
    ("stem-es-verb", Term("irrumpir"), "irrumpieron en la sede", "es", "irrumpieron"),
    ("stem-fr", Term("ambassade"), "les ambassades", "fr", "ambassades"),
    ("stem-pt", Term("embaixada"), "as embaixadas", "pt", "embaixadas"),
    ("stem-de", Term("Botschaft"), "den Botschaften", "de", "Botschaften"),
    ("stem-short-stem-guard", Term("redada"), "la red consular", "es", None),
    ("no-stem-for-names", Term("Noboa", PERSON), "Noboas", "en", None),
    ("stem-off", Term("stormed", stem=False), "a storm hit", "en", None),
    ("whole-word-default", Term("Konsulat"), "Generalkonsulat", "de", None),
    (
        "whole-word-off",
        Term("konsulat", whole_word=False),
        "Generalkonsulat",
        "de",
        "Generalkonsulat",
    ),
    ("alias", Term("embassy", aliases=("embajada",)), "la embajada", "es", "embajada"),
    ("abbreviation-dots", Term("U.S."), "the US agents", "en", "US"),
    ("abbreviation-dotted-story", Term("U.S."), "the U.S. agents", "en", "U.S."),
    ("abbreviation-not-pronoun", Term("U.S."), "tell us more", "en", None),
]


@pytest.mark.parametrize(
    ("term", "text", "language", "expected"),
    [c[1:] for c in TERM_CASES],
    ids=[c[0] for c in TERM_CASES],
)
def test_term(term: Term, text: str, language: str, expected: str | None) -> None:
    found = hits(term, text, language)
    assert found == ([] if expected is None else [expected])


RULES = """
name: rules
groups:
  mission: [embassy, consulate]
  raid: [raid, stormed]
  after: [after]
  hotel: [hotel]
ignore: [Embassy Suites]
rules:
  - name: close
    near: mission NEAR/3 raid
    none_of: [hotel]
    unless: raid NEAR/2 after
  - name: headline-only
    all_of: [mission]
    any_of: [raid]
    field: title
    weight: 0.6
"""

RULE_CASES = [
    ("near-adjacent", "Police raid embassy", "", "close"),
    ("near-three-words", "embassy in capital raided", "", "close"),
    ("near-too-far-in-summary", "", "the embassy was quiet and far later a raid", None),
    (
        "near-title-weaker-rule",
        "embassy quiet today while elsewhere a raid happened",
        "",
        "headline-only",
    ),
    ("near-dotted-abbreviation-one-word", "", "U.S. embassy in U.S.A. raided", "close"),
    ("near-needs-same-field", "", "", None),
    ("split-fields-no-near", "Embassy news", "a raid happened", None),
    ("none-of-blocks-rule", "Police raid embassy hotel", "", "headline-only"),
    ("ignore-masks", "Police raid Embassy Suites", "", None),
    ("ignore-keeps-others", "Embassy Suites spared, police raid embassy", "", "close"),
    ("unless-after", "", "ties were cut after the raid on the embassy", None),
]


@pytest.mark.parametrize(
    ("title", "summary", "rule"), [c[1:] for c in RULE_CASES], ids=[c[0] for c in RULE_CASES]
)
def test_rules(title: str, summary: str, rule: str | None) -> None:
    matcher = compile_watchlists([parse_watchlist(RULES)])
    matches = matcher.match(title, summary, "en")
    assert [m.rule for m in matches] == ([] if rule is None else [rule])


def test_min_score_drops_weak_rule() -> None:
    text = RULES.replace("name: rules", "name: rules\nmin_score: 0.7")
    matcher = compile_watchlists([parse_watchlist(text)])
    assert matcher.match("embassy quiet today while elsewhere a raid happened", "", "en") == []


def test_spans_and_similarity_of_fuzzy_hit() -> None:
    matcher = compile_watchlists([single(Term("Gabriela Sommerfeld", PERSON))])
    summary = "<p>Canciller <b>Gabriela Sommerfield</b> habló</p>"
    (match,) = matcher.match("", summary, "es")
    (hit,) = match.hits
    assert summary[hit.start : hit.end] == "Gabriela Sommerfield"
    assert hit.field == "summary"
    assert 0.9 < hit.similarity < 1.0
    assert match.to_dict()["terms"] == ["Gabriela Sommerfield"]  # as the story writes it


def test_one_index_for_many_watchlists() -> None:
    lists = [
        single(Term("embassy")),
        Watchlist("x", (Group("g", (Term("embassy"),)),), (Rule("r", any_of=("g",)),)),
    ]
    matcher = compile_watchlists(lists)
    assert matcher.pattern_count == 1
    assert sorted(m.watchlist for m in matcher.match("embassy", "", "en")) == ["w", "x"]


def test_language_guessed_when_missing() -> None:
    matcher = compile_watchlists([single(Term("allanamiento"))])
    assert matcher.match("Los allanamientos de la policía en la ciudad", "", None)


def test_results_sorted_by_score() -> None:
    text = RULES.replace("name: rules", "name: a")
    weak = RULES.replace("name: rules", "name: b").replace(
        "name: close", "name: c\n    weight: 0.9"
    )
    matcher = compile_watchlists([parse_watchlist(text), parse_watchlist(weak)])
    assert [m.watchlist for m in matcher.match("Police raid embassy", "", "en")] == ["a", "b"]


def test_diagnose_explains_a_miss() -> None:
    matcher = compile_watchlists([parse_watchlist(RULES)])
    diagnosis = matcher.diagnose("rules", "Police raid Embassy Suites", "", "en")
    assert diagnosis.match is None
    assert [h.text for h in diagnosis.masked] == ["Embassy"]
    reasons = {o.rule: o.reason for o in diagnosis.outcomes}
    assert reasons["close"] == "no mission NEAR/3 raid"
    assert "group 'mission' not found in the title" in reasons["headline-only"]
    text = diagnosis.explain()
    assert "no match" in text and "ignored" in text and "close: no" in text


def test_diagnose_reports_min_score() -> None:
    text = RULES.replace("name: rules", "name: rules\nmin_score: 0.7")
    matcher = compile_watchlists([parse_watchlist(text)])
    title = "embassy quiet today while elsewhere a raid happened"
    diagnosis = matcher.diagnose("rules", title, "", "en")
    assert diagnosis.match is None
    assert "score 0.60 < min_score 0.70" in diagnosis.explain()


def test_diagnose_unknown_watchlist() -> None:
    matcher = compile_watchlists([parse_watchlist(RULES)])
    with pytest.raises(UnknownWatchlistError) as caught:
        matcher.diagnose("nope", "", "")
    assert caught.value.hint == "known: rules"


def test_threads_get_the_same_results() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from watchlists.builtin import builtin_watchlists

    stories = [
        (f"Police raid embassy number {i}", f"Los allanamientos {i} de la embajada", lang)
        for i in range(200)
        for lang in ("en", "es", None)
    ]
    alone = compile_watchlists(builtin_watchlists())
    expected = [alone.match(*s) for s in stories]
    shared = compile_watchlists(builtin_watchlists())
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda s: shared.match(*s), stories))
    assert got == expected


@pytest.mark.parametrize("seed", range(5))
def test_random_stories_hits_point_at_their_text(seed: int) -> None:
    import random

    from watchlists.builtin import builtin_watchlists

    rng = random.Random(seed)
    vocabulary = (
        "police raid stormed <b>embassy</b> Embajada de México Quito Jorge Glas ICE consulate "
        "Vienna Convention persona non grata &amp; U.S. López-Obrador's asylum inviolability "
        "agents entered consulado ingreso allanamiento ambassade prise d'assaut Botschaft"
    ).split()
    matcher = compile_watchlists(builtin_watchlists())
    for _ in range(100):
        title = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 12)))
        summary = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 40)))
        for match in matcher.match(title, summary, rng.choice(["en", "es", None, "xx"])):
            assert 0 < match.score <= 1
            for hit in match.hits:
                text = title if hit.field == "title" else summary
                assert text[hit.start : hit.end] == hit.text


def test_word_memory_budget_keeps_results(monkeypatch: pytest.MonkeyPatch) -> None:
    import watchlists.index
    from watchlists.builtin import builtin_watchlists

    stories = [
        ("Police raid Mexican embassy in Quito", "Jorge Glas arrested", "en"),
        ("Policía irrumpe en la embajada de México", "Detienen a Jorge Glas", "es"),
        ("Ice storm in Minneapolis", "Vice President visits", "en"),
    ] * 3
    expected = [compile_watchlists(builtin_watchlists()).match(*s) for s in stories[:3]] * 3
    monkeypatch.setattr(watchlists.index, "WORD_CACHE_LIMIT", 5)
    small = compile_watchlists(builtin_watchlists())
    assert [small.match(*s) for s in stories] == expected


ORDERED = """
name: ordered
groups:
  nation: [US, American]
  consulate: [consulate]
  raid: [raids]
rules:
  - all_of: [consulate, raid]
    unless: consulate AFTER/1 nation
  - name: raid-first
    near: raid BEFORE/3 consulate in summary
"""

ORDER_CASES = [
    ("after-drops-us-consulate", "US consulate warns of raids", "", []),
    ("after-keeps-foreign-consulate", "Mexican consulate in the US and raids", "", ["rule-1"]),
    ("before-holds", "", "raids near the consulate", ["rule-1", "raid-first"]),
    ("before-wrong-order", "", "the consulate saw raids", ["rule-1"]),
]


@pytest.mark.parametrize(
    ("title", "summary", "rules"), [c[1:] for c in ORDER_CASES], ids=[c[0] for c in ORDER_CASES]
)
def test_ordered_proximity(title: str, summary: str, rules: list[str]) -> None:
    matcher = compile_watchlists([parse_watchlist(ORDERED)])
    diagnosis = matcher.diagnose("ordered", title, summary, "en")
    assert [o.rule for o in diagnosis.outcomes if o.held] == rules


@pytest.mark.parametrize("operator", ["NEAR", "BEFORE", "AFTER"])
def test_near_pair_agrees_with_brute_force(operator: str) -> None:
    import random

    from watchlists.hits import TermHit
    from watchlists.model import Near
    from watchlists.rules import near_pair

    def hit(group: str, field: str, word: int, words: int) -> TermHit:
        return TermHit(group, group, field, 0, 1, group, 1.0, word, words)  # type: ignore[arg-type]

    def brute(left: list[TermHit], right: list[TermHit], pair: Near) -> bool:
        for a in left:
            for b in right:
                if a.field != b.field or (pair.scope != "any" and a.field != pair.scope):
                    continue
                if operator == "BEFORE" and b.word < a.word + a.words:
                    continue
                if operator == "AFTER" and a.word < b.word + b.words:
                    continue
                gap = max(b.word - (a.word + a.words), a.word - (b.word + b.words), 0)
                if gap < pair.distance:
                    return True
        return False

    rng = random.Random(7)
    for _ in range(500):
        fields = ("title", "summary")
        left = [
            hit("a", rng.choice(fields), rng.randrange(60), rng.randint(1, 3))
            for _ in range(rng.randrange(6))
        ]
        right = [
            hit("b", rng.choice(fields), rng.randrange(60), rng.randint(1, 3))
            for _ in range(rng.randrange(6))
        ]
        pair = Near("a", "b", rng.randint(1, 8), rng.choice(["any", "title"]), operator)  # type: ignore[arg-type]
        assert (near_pair(left, right, pair) is not None) == brute(left, right, pair)
