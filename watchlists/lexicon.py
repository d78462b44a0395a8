"""The small word lists the watchlist builder reasons with: function words, titles, heads.

Pure data and two predicates; general words only, no names of people, places or bodies.
"""

from __future__ import annotations

import re

STOPWORDS: frozenset[str] = frozenset(
    """
    a about above according across after afterwards again against all almost alone along
    already also although always am among amongst an and another any anyone anything are
    around as at be became because become been before being below beside besides between
    both but by can cannot could did do does doing done down during each either else even
    ever every few for former from further had has have having he her here hers herself
    him himself his how however i if in indeed instead into is it its itself just last
    later least less many may me meanwhile might more most much must my myself neither
    never nevertheless next no nobody none nor not nothing now of off often on once one
    only onto or other others otherwise our ours ourselves out over own per perhaps
    rather same several she should since so some someone something sometimes still such
    than that the their theirs them themselves then there thereafter therefore these they
    this those though through throughout thus to together too toward towards under unless
    until up upon us very via was we well were what whatever when whenever where whereas
    wherever whether which while who whoever whole whom whose why will with within without
    would yet you your yours yourself yourselves
    here's it's let's that's there's what's who's
    yes no also meanwhile yesterday today tomorrow tonight
    """.split()
)

CONNECTORS: frozenset[str] = frozenset(
    "of on for and the de del la las los el da do dos das di du des van von der den y sobre"
    " para".split()
)
"""Lower-case words that may stand inside a name: "Court of Justice", "Organization of
American States", "Convention on Diplomatic Relations", "Instituto de la Mujer"."""

AND_WORDS: frozenset[str] = frozenset({"and", "y"})
"""Connectors that usually join two names rather than stand inside one."""

NAME_ARTICLES: frozenset[str] = frozenset("la las los el le les al".split())
"""Articles that begin names in Romance languages ("El Salvador", "La Paz")."""

DATE_WORDS: frozenset[str] = frozenset(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    monday tuesday wednesday thursday friday saturday sunday
    """.split()
)

TITLES: frozenset[str] = frozenset(
    """
    president vice minister secretary ambassador spokesman spokeswoman spokesperson
    chancellor senator governor mayor judge mr mrs ms dr prof king queen
    prince princess pope sheikh sir lord lady commissioner prosecutor attorney officer
    prime colonel captain lieutenant sergeant
    director chairman chairwoman chair leader envoy consul premier emir sultan cardinal
    bishop rev reverend archbishop representative rep sen gov congressman congresswoman
    gen lt col sgt capt maj hon pres
    """.split()
)
"""Titles and offices that stand before a name ("Foreign Minister Gabriela Sommerfeld")."""

ABBREVIATIONS: frozenset[str] = frozenset(
    "mr mrs ms dr st gen sen rep gov prof lt col sgt capt maj jr sr rev hon pres v vs no".split()
)
"""Words written with a full stop that does not end the sentence ("Mr. Noboa")."""

TREATY_HEADS: frozenset[str] = frozenset(
    "convention conventions treaty treaties agreement accord accords protocol pact charter "
    "declaration covenant statute convencion convencao traite tratado acuerdo acordo abkommen "
    "vertrag ubereinkommen pacto protocolo".split()
)
"""Words that make a name a treaty (compared without accents, in lower case)."""
ORGANIZATION_HEADS: frozenset[str] = frozenset(
    """
    court courts council ministry department organization organisation commission community
    union nations agency enforcement police party bank office committee assembly congress
    parliament senate government university institute association federation service
    services forces army navy embassy consulate movement front alliance corporation company
    inc ltd group times news post press bureau secretariat tribunal coalition foundation
    network radio television tv club league board authority administration guard cartel
    corte cour ministerio ministere gobierno gouvernement governo embajada ambassade embaixada
    consulado consulat policia polizei comision comissao consejo conseil conselho
    organizacion organizacao naciones nacoes agencia agence partido parti
    """.split()
)
PLACE_HEADS: frozenset[str] = frozenset(
    """
    city province state states island islands river county republic street avenue square
    district region valley mountains lake bay coast kingdom territory ciudad ville cidade
    provincia
    """.split()
)

GENERIC_WORDS: frozenset[str] = frozenset(
    """
    foreign former other new old high low local official officials year years time times
    day days week weeks month months part parts head way ways people person number case
    cases country countries state states government statement report reports side sides
    group groups thing things place places point points issue issues fact member members
    end start use action actions call called said say says told make made take taken
    include included including well back world area areas level order kind type
    """.split()
)
"""Words too general to watch for on their own in news."""

ADJECTIVE_ENDINGS: tuple[str, ...] = ("al", "ic", "ous", "ive", "ful", "less", "ar", "able")

LOCATIVES: frozenset[str] = frozenset(
    "in at near across throughout outside inside visited capital".split()
)
"""Words before a name that suggest a place ("in Quito", "from Minneapolis")."""

SAYING_VERBS: frozenset[str] = frozenset(
    """
    said says told tells added argued wrote asked insisted explained claimed denied
    acknowledged admitted
    """.split()
)
"""Verbs after a name that suggest a person ("Canseco told a local station")."""

DEMONYM_ENDINGS: tuple[str, ...] = ("ian", "ean", "an", "n", "ese", "ine", "ish", "i")

_HYPHEN = re.compile(r"[-‐‑]")


def is_title(word: str) -> bool:
    """True for a title or office word, also inside "Secretary-General" or "Vice-President"."""
    parts = [part.lower() for part in _HYPHEN.split(word) if part]
    return any(part in TITLES for part in parts)


def is_demonym_of(word: str, place: str) -> bool:
    """Whether ``word`` is the adjective of ``place``: Mexican/Mexico, Ecuadorian/Ecuador."""
    word_l, place_l = word.lower(), place.lower()
    if word_l.endswith("ns"):
        word_l = word_l[:-1]
    if len(word_l) <= len(place_l) or " " in word_l or " " in place_l or len(place_l) < 4:
        return False
    for cut in (0, 1, 2):
        stem = place_l[: len(place_l) - cut] if cut else place_l
        if len(stem) < 4 or not word_l.startswith(stem):
            continue
        if word_l[len(stem) :] in DEMONYM_ENDINGS:
            return True
    return False
