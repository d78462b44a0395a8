"""The watchlist builder on the seed documents and small cases; markup stripping per format.

Pure tests: the seeds must yield every name the issue asks for, and no noise.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from watchlists.builder import Draft, SourceText, build_draft, draft_watchlist, render_draft
from watchlists.errors import WatchlistError
from watchlists.keyphrases import guess_language
from watchlists.lexicon import STOPWORDS
from watchlists.loader import parse_watchlist
from watchlists.matcher import compile_watchlists
from watchlists.textformats import guess_format, to_plain

SEEDS = Path(__file__).parents[2].parent / "shared/seeds"
if not SEEDS.is_dir():  # a worktree beside the main clone: shared/ is one level up
    SEEDS = Path("/work/shared/seeds")


@pytest.fixture(scope="module")
def seed_draft() -> Draft:
    files = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not files:
        pytest.skip(f"no seed documents in {SEEDS}")
    sources = [SourceText(f.name, f.read_text(encoding="utf-8")) for f in files]
    return build_draft(sources, "quito-raid")


@pytest.fixture(scope="module")
def seed_yaml(seed_draft: Draft) -> str:
    return render_draft(seed_draft)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Jorge Glas", "person"),
        ("Daniel Noboa", "person"),
        ("Alicia Bárcena", "person"),
        ("Roberto Canseco", "person"),
        ("Rafael Correa", "person"),
        ("Gabriela Sommerfeld", "person"),
        ("Andrés Manuel López Obrador", "person"),
        ("Quito", "place"),
        ("Minneapolis", "place"),
        ("International Court of Justice", "organization"),
        ("Vienna Convention on Diplomatic Relations", "treaty"),
        ("Vienna Convention on Consular Relations", "treaty"),
        ("ICE", "acronym"),
        ("Nicaragua", "place"),
    ],
    ids=lambda value: value.replace(" ", "-") if isinstance(value, str) else None,
)
def test_seed_names_found(seed_draft: Draft, text: str, kind: str) -> None:
    term = next((t for t in seed_draft.terms if t.text == text), None)
    assert term is not None, f"{text!r} missing from the draft"
    assert term.kind == kind


def test_acronym_with_expansion(seed_draft: Draft, seed_yaml: str) -> None:
    ice = next(t for t in seed_draft.terms if t.text == "ICE")
    assert ice.expansion == "Immigration and Customs Enforcement"
    assert ice.label == "Immigration and Customs Enforcement (ICE)"
    assert "Immigration and Customs Enforcement (ICE)" in seed_yaml
    icj = next(t for t in seed_draft.terms if t.text == "ICJ")
    assert icj.expansion == "International Court of Justice"  # spelled by initials


@pytest.mark.parametrize(
    ("phrase", "group"),
    [("embassy raid", "key-phrases"), ("diplomatic asylum", "terms-of-art")],
    ids=["raid", "asylum"],
)
def test_seed_key_phrases(seed_draft: Draft, phrase: str, group: str) -> None:
    assert phrase in [t.text for t in seed_draft.group(group)]


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("persona non grata", "terms-of-art"),
        ("diplomatic asylum", "terms-of-art"),
        ("inviolability", "terms-of-art"),
        ("safe conduct", "terms-of-art"),
        ("raid", "incidents"),
        ("expel", "incidents"),
        ("sever", "incidents"),
        ("enter", "actions"),
        ("arrest", "actions"),
        ("embassy", "subjects"),
        ("consulate", "subjects"),
        ("mission", "subjects"),
    ],
    ids=lambda value: value.replace(" ", "-"),
)
def test_seed_concepts(seed_draft: Draft, text: str, group: str) -> None:
    assert text in [t.text for t in seed_draft.group(group)]


@pytest.mark.parametrize(
    ("text", "written"),
    [("raid", "raided"), ("enter", "entering"), ("inviolability", "inviolable")],
    ids=["raided", "entering", "inviolable"],
)
def test_concepts_carry_the_forms_they_are_written_in(
    seed_draft: Draft, text: str, written: str
) -> None:
    term = seed_draft.find(text)
    assert term is not None and written in term.aliases


@pytest.mark.parametrize(
    ("text", "group"),
    [("police", "subjects"), ("several", "incidents")],
    ids=["police-does-not-undergo-the-raid", "several-is-not-sever"],
)
def test_seed_concepts_leave_out(seed_draft: Draft, text: str, group: str) -> None:
    term = seed_draft.find(text)
    assert term is None or term.group != group


def test_event_words_are_matched_as_written() -> None:
    text = (
        "Troops stormed the embassy of Peru in Lima. Lima woke up to the news that troops "
        "stormed the embassy. The embassy was empty. Several embassies closed; a storm hit."
    )
    draft = build_draft([SourceText("doc.txt", text)], "lima")
    stormed = draft.find("stormed")
    assert stormed is not None and stormed.group == "incidents"
    assert "storm" not in (stormed.text, *stormed.aliases)
    watchlist = draft_watchlist(draft)
    assert "names-in-title" not in [rule.name for rule in watchlist.rules]
    matcher = compile_watchlists([watchlist])
    assert matcher.match("Crowd stormed the embassy in Lima", "", "en")
    assert matcher.match("Storm floods the embassy in Lima", "", "en") == []
    assert matcher.match("Several embassies in Lima shut", "", "en") == []


def test_every_seed_rule_needs_an_event_near_its_subject_and_an_entity(seed_yaml: str) -> None:
    watchlist = parse_watchlist(seed_yaml, "draft.yaml")
    assert len(watchlist.rules) >= 5
    for rule in watchlist.rules:
        (pair,) = rule.near
        assert pair.left in ("incidents", "actions")
        assert pair.right in ("subjects", "terms-of-art")
        assert rule.any_of and "key-phrases" not in rule.any_of
    weights = [rule.weight for rule in watchlist.rules]
    assert weights == sorted(weights, reverse=True) and len(set(weights)) >= 5


@pytest.mark.parametrize(
    "noise",
    [
        "He",
        "On",
        "The raid",
        "The",
        "Several",
        "Among",
        "According",
        "Commenting",
        "Friday",
        "April",
        "5 April 2024",
        "South American",
        "Background",
        "References",
        "File",
        "Category",
        "Infobox",
        "cite web",
        "thumb",
        "Glas",
        "Barcena",
        "Alicia Barcena",
    ],
    ids=lambda value: value.replace(" ", "-"),
)
def test_noise_is_not_a_term(seed_draft: Draft, noise: str) -> None:
    assert noise.lower() not in {t.text.lower() for t in seed_draft.terms}


def test_no_markup_dates_or_function_words(seed_draft: Draft) -> None:
    for term in seed_draft.terms:
        for text in (term.text, *term.aliases):
            assert not re.search(r"[\d\[\]{}|=<>]", text), text
            if term.kind != "acronym":
                assert text.split()[0].lower() not in STOPWORDS, text


@pytest.mark.parametrize(
    ("name", "merged"),
    [
        ("Alicia Bárcena", "Alicia Barcena"),
        ("Jorge Glas", "Glas"),
        ("Daniel Noboa", "Noboa"),
        ("Andrés Manuel López Obrador", "López Obrador"),
        ("Mexico", "Mexican"),
        ("Ecuador", "Ecuadorian"),
        ("Caracas Convention on Diplomatic Asylum", "Caracas Convention"),
    ],
    ids=["accents", "surname", "surname-after-title", "short-form", "demonym",
         "demonym-ian", "treaty-short-form"],
)  # fmt: skip
def test_variants_merged(seed_draft: Draft, name: str, merged: str) -> None:
    term = seed_draft.find(name)
    assert term is not None and term.text == name
    assert merged in (*term.aliases, *term.variants)
    assert merged not in [t.text for t in seed_draft.terms]


def test_output_is_a_valid_watchlist_that_matches(seed_draft: Draft, seed_yaml: str) -> None:
    watchlist = parse_watchlist(seed_yaml, "draft.yaml")
    assert watchlist.name == "quito-raid"
    texts = [term.text for group in watchlist.groups for term in group.terms]
    assert len(texts) == len(seed_draft.terms)
    acronyms = watchlist.group("acronyms").terms
    assert all(t.case_sensitive and t.kind == "acronym" for t in acronyms)
    assert all(t.stem is False for t in watchlist.group("other-names").terms)
    matcher = compile_watchlists([watchlist])
    title = "Police raid the Mexican embassy in Quito to arrest Jorge Glas"
    assert [m.watchlist for m in matcher.match(title, "", "en")] == ["quito-raid"]


def test_mentions_are_counted_once(seed_draft: Draft) -> None:
    texts = [f.read_text(encoding="utf-8") for f in sorted(SEEDS.glob("*.txt"))]
    glas = next(t for t in seed_draft.terms if t.text == "Jorge Glas")
    written = sum(len(re.findall(r"\bGlas\b", text)) for text in texts)
    assert 0 < glas.mentions <= written


def test_names_are_ranked(seed_draft: Draft) -> None:
    people = seed_draft.group("people")
    assert people[0].text == "Jorge Glas"
    assert [t.score for t in people] == sorted((t.score for t in people), reverse=True)


def test_acronym_with_two_expansions() -> None:
    text = (
        "Agents of Immigration and Customs Enforcement came. ICE agents left. ICE said so. "
        "More immigration agents came.\n\n"
        "Intercontinental Exchange (ICE) reported earnings. Intercontinental Exchange rose."
    )
    draft = build_draft([SourceText("doc.txt", text)], "ice")
    ice = draft.find("ICE")
    assert ice is not None and ice.expansion == "Immigration and Customs Enforcement"
    assert ice.other_expansions == ("Intercontinental Exchange",)
    assert "also stands for Intercontinental Exchange" in render_draft(draft)


def test_odd_source_names_stay_comments() -> None:
    source = SourceText("evil\nname: x\u2028.txt", "Jorge Glas met Daniel Noboa in Quito.")
    text = render_draft(build_draft([source], "odd"))
    assert "#   - evil name: x .txt" in text
    assert parse_watchlist(text).name == "odd"


def test_bad_name_is_refused() -> None:
    with pytest.raises(WatchlistError, match="not a valid watchlist name"):
        build_draft([SourceText("a.txt", "Some text.")], "Quito Raid")


@pytest.mark.parametrize("text", ["", "   \n\n", "ok.", "<html><body></body></html>"],
                         ids=["empty", "blank", "one-word", "empty-html"])  # fmt: skip
def test_nothing_to_watch_is_an_error(text: str) -> None:
    with pytest.raises(WatchlistError, match="found no names or key phrases") as caught:
        build_draft([SourceText("a.txt", text)], "empty")
    assert caught.value.hint and "prose" in caught.value.hint


@pytest.mark.parametrize(
    ("text", "rules", "any_of"),
    [
        ("Jorge Glas met Daniel Noboa. Then Jorge Glas left Quito.", ["names-in-title"],
         {"people"}),
        ("The embassy raid shocked many. Another embassy raid followed the first embassy raid.",
         ["incident-in-title", "incident-in-title-named-below", "incident-in-summary"], set()),
        ("Police raided the embassy of Peru. Jorge Glas was inside the embassy when police "
         "raided it. Glas was arrested at the embassy.",
         ["incident-in-title", "incident-in-title-named-below", "action-in-title",
          "incident-in-summary", "action-in-summary"], {"people"}),
    ],
    ids=["names-only-weak-fallback", "event-and-subject-without-names", "event-subject-name"],
)  # fmt: skip
def test_rules_fit_the_groups_found(text: str, rules: list[str], any_of: set[str]) -> None:
    watchlist = parse_watchlist(render_draft(build_draft([SourceText("a.txt", text)], "x")))
    assert [r.name for r in watchlist.rules] == rules
    for rule in watchlist.rules:
        assert any_of & set(rule.any_of) == any_of
        if rule.name != "names-in-title":  # every real rule wants an event near a subject
            (pair,) = rule.near
            assert pair.left in ("incidents", "actions") and pair.right == "subjects"


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("Foreign Minister Gabriela Sommerfeld said it. Sommerfeld left.", "Gabriela Sommerfeld",
         "person"),
        ("An agent of the US Immigration and Customs Enforcement agency (ICE) came. ICE left.",
         "ICE", "acronym"),
        ("He went to the Organization of American States. The Organization of American States "
         "met.", "Organization of American States", "organization"),
        ("Mexico and Peru met in Lima. Lima is far. They met in Lima again.", "Lima", "place"),
        ("The 1963 Vienna Convention on Consular Relations applies. It is a treaty.",
         "Vienna Convention on Consular Relations", "treaty"),
        ("Mr. Noboa met the press on Monday.", "Noboa", "person"),
        ("Agents of U.S. Immigration and Customs Enforcement came. More immigration agents "
         "followed.", "Immigration and Customs Enforcement", "organization"),
        ("Talks were held in Mexico. Spain, Peru and Mexico spoke. Later Peru agreed and "
         "Peru signed.", "Peru", "place"),
        ("The Ecuadorean Foreign Ministry spoke. Then Ecuador protested and later Ecuador left.",
         "Ecuador",
         "place"),
        ("México denunció la violación de la Convención de Viena sobre Relaciones Diplomáticas.",
         "Convención de Viena sobre Relaciones Diplomáticas", "treaty"),
        ("La policía sacó a Jorge Glas de la Embajada de México en Quito.", "Jorge Glas",
         "person"),
        ("Prosecutors led by Attorney General Diana Salazar raided homes.", "Diana Salazar",
         "person"),
        ("Ecuador cerró sus consulados en Ciudad de México y Monterrey.", "Ciudad de México",
         "place"),
        ("Gabriela Sommerfeld spoke. Later Gabriela Sommerfeld left. Gabriela Sommerfield "
         "returned.", "Gabriela Sommerfeld", "person"),
    ],
    ids=["title-stripped", "acronym-in-parens", "connector-of", "locative-place", "treaty",
         "abbreviated-title", "and-inside-a-name", "listed-with-places", "demonym-in-name",
         "spanish-treaty", "person-before-body", "general-after-title", "spanish-and",
         "misspelling-merged"],
)  # fmt: skip
def test_small_documents(text: str, expected: str, kind: str) -> None:
    draft = build_draft([SourceText("doc.txt", text)], "small")
    term = draft.find(expected)
    assert term is not None and term.text == expected, [t.text for t in draft.terms]
    assert term.kind == kind


@pytest.mark.parametrize(
    ("fmt", "source", "present", "absent"),
    [
        (
            "html",
            "<html><head><title>Raid in Quito</title><style>p{color:red}</style></head><body>"
            "<nav>Home | Sports</nav><h1>Embassy raid</h1><p>Police entered the "
            "<a href='/x'>Mexican embassy</a> &amp; arrested Jorge Glas.</p>"
            "<script>var Tracker = 1;</script></body></html>",
            ["Raid in Quito", "Embassy raid", "Mexican embassy & arrested Jorge Glas."],
            ["<", "color", "Tracker", "Sports", "href"],
        ),
        (
            "html",
            "<html><head><title>Raid in Quito - World News</title></head><body>"
            "<div class='cookie-banner'>Accept All Cookies</div><header>Home Page</header>"
            "<article><p>Police entered the embassy and arrested Jorge Glas, the former vice "
            "president, late on Friday, witnesses said.</p><p>Mexico broke off relations with "
            "Ecuador.<br>The International Court of Justice will hear the case.</p>"
            "<div class='share-tools'>Share on Facebook</div></article>"
            "<aside>Most Read Stories</aside><footer>All Rights Reserved</footer></body></html>",
            ["Raid in Quito\n", "arrested Jorge Glas", "Ecuador.\nThe International Court"],
            ["World News", "Cookies", "Home Page", "Facebook", "Most Read", "Rights Reserved"],
        ),
        (
            "markdown",
            "# Embassy raid\n\nPolice entered the [Mexican embassy](https://x.example/a) "
            "and arrested **Jorge Glas**.\n\n```\ncode Block\n```\n\n- item *one*\n"
            "![Photo Caption](img.png)\n\n[ref]: https://x.example/ref\n",
            ["Embassy raid", "the Mexican embassy and arrested Jorge Glas.", "item one"],
            ["https", "#", "**", "code Block", "Photo Caption", "[", "("],
        ),
        (
            "wikitext",
            "{{short description|A raid}}\n{{Infobox event\n| image = File:X.jpg\n"
            "| place = [[Quito]], Ecuador\n| date = 5 April 2024\n}}\n"
            "The '''raid''' on the [[Embassy of Mexico, Quito|Mexican embassy]] by "
            "[[Ecuador]]ian police.<ref name=a>{{cite web |title=Secret Title}}</ref> "
            "{{flag|Mexico}} protested.<ref name=b/>\n==Reactions==\n"
            "[[File:Glas.jpg|thumb|Jorge Glas in 2017]]\n<!-- hidden note -->\n"
            "* [[International Court of Justice]]\n[[Category:2024 crimes]]\n",
            ["Quito, Ecuador", "The raid on the Mexican embassy by Ecuadorian police.",
             "Mexico protested.", "Reactions", "International Court of Justice"],
            ["{{", "[[", "'''", "Secret Title", "thumb", "Category", "hidden", "5 April",
             "File", "<ref", "short description"],
        ),
        (
            "text",
            "Police raided the embassy.\n\n\n\nJorge   Glas was arrested.",
            ["Police raided the embassy.\n\nJorge Glas was arrested."],
            ["\n\n\n"],
        ),
        (
            "text",
            "Story one.\n\n<p>Quito &amp; Lima <b>agreed</b>.</p>\n\nThe Vienna Convention on\n"
            "Diplomatic Relations applies, and every state that signed it must respect it.\n",
            ["Quito & Lima agreed", "Vienna Convention on Diplomatic Relations applies"],
            ["<p>", "&amp;", "<b>"],
        ),
    ],
    ids=["html", "html-article", "markdown", "wikitext", "text", "text-with-tags-and-wraps"],
)  # fmt: skip
def test_formats_stripped(fmt: str, source: str, present: list[str], absent: list[str]) -> None:
    plain = to_plain(source)
    assert plain.format == fmt
    for text in present:
        assert text in plain.text
    for text in absent:
        assert text not in plain.text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The police entered the embassy of Mexico and arrested him in the night.", "en"),
        ("La policía entró en la embajada de México y detuvo a Glas para la fiscalía.", "es"),
        ("La police est entrée dans l'ambassade du Mexique et les diplomates sont partis.", "fr"),
        ("A polícia entrou na embaixada do México e prendeu o ex-vice-presidente.", "pt"),
        ("Die Polizei ist in die Botschaft von Mexiko eingedrungen und hat ihn verhaftet.", "de"),
        ("Quito Glas Noboa", "en"),
    ],
    ids=["en", "es", "fr", "pt", "de", "no-function-words"],
)
def test_guess_language(text: str, language: str) -> None:
    assert guess_language(text) == language


def test_wikitext_links_and_flags_are_hints() -> None:
    plain = to_plain(
        "The [[Vienna Convention on Diplomatic Relations|convention]] and [[Quito]].\n"
        "* {{flagdeco|Chile}} Chile: the [[Ministry of Foreign Affairs (Chile)|ministry]] spoke."
    )
    assert plain.links == ("convention", "Quito", "ministry")
    assert plain.places == ("Chile",)


@pytest.mark.parametrize(
    ("name", "text", "content_type", "expected"),
    [
        ("page.html", "plain words", "", "html"),
        ("notes.md", "plain words", "", "markdown"),
        ("article.wiki", "plain words", "", "wikitext"),
        ("https://x.example/a", "words", "text/html; charset=utf-8", "html"),
        ("doc.txt", "<html><body><p>Hi</p></body></html>", "", "html"),
        ("doc.txt", "== History ==\n[[Quito]] and [[Lima]]", "", "wikitext"),
        ("doc.txt", "# Title\n\nSee [this](https://x.example) and **that**.", "", "markdown"),
        ("doc.txt", "Police raided the embassy (again) on Friday.", "", "text"),
    ],
    ids=["html-name", "md-name", "wiki-name", "content-type", "html-sniffed", "wiki-sniffed",
         "md-sniffed", "plain"],
)  # fmt: skip
def test_guess_format(name: str, text: str, content_type: str, expected: str) -> None:
    assert guess_format(text, name, content_type) == expected
