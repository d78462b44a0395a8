"""Built-in watchlists on stories written for these tests: more languages, paraphrase, look-alikes.

Each case names the watchlists a story must match (and therefore which it must not).
"""

from __future__ import annotations

import pytest

from watchlists.builtin import builtin_watchlists
from watchlists.matcher import Matcher, compile_watchlists

ER, VC, IC, EM = "embassy-raids", "vienna-conventions", "ice-consulates", "ecuador-mexico"

CASES: list[tuple[str, str, str, str, set[str]]] = [
    # --- positives in many languages -------------------------------------------------
    (
        "de-quito-raid",
        "Polizei dringt in mexikanische Botschaft in Quito ein",
        "Ecuadorianische Sicherheitskräfte haben den früheren Vizepräsidenten Jorge Glas "
        "festgenommen. Mexiko brach daraufhin die diplomatischen Beziehungen zu Ecuador ab.",
        "de",
        {ER, EM},
    ),
    (
        "it-quito-raid",
        "La polizia dell'Ecuador fa irruzione nell'ambasciata del Messico a Quito",
        "Arrestato l'ex vicepresidente Jorge Glas, che aveva ottenuto asilo. Il Messico "
        "sospende le relazioni diplomatiche con l'Ecuador.",
        "it",
        {ER, EM},
    ),
    (
        "pt-quito-raid",
        "Polícia do Equador invade embaixada do México em Quito e prende Jorge Glas",
        "O México rompeu relações diplomáticas com o Equador após a operação.",
        "pt",
        {ER, EM},
    ),
    (
        "fr-quito-raid-vienne",
        "Le Mexique saisit la CIJ après l'assaut contre son ambassade à Quito",
        "Mexico estime que l'Équateur a violé la Convention de Vienne sur les relations "
        "diplomatiques en faisant irruption dans ses locaux pour arrêter Jorge Glas.",
        "fr",
        {ER, VC, EM},
    ),
    (
        "nl-embassy-stormed",
        "Betogers bestormen Zweedse ambassade in Bagdad",
        "Honderden aanhangers van Moqtada al-Sadr staken het gebouw in brand.",
        "nl",
        {ER},
    ),
    (
        "en-mob-sets-fire",
        "Mob sets fire to Danish embassy in Beirut over cartoons",
        "Thousands of protesters torched the building housing the mission.",
        "en",
        {ER},
    ),
    (
        "en-consulate-gunmen",
        "Gunmen attack Chinese consulate in Karachi, killing two police officers",
        "Security forces killed three attackers who tried to force their way into the compound.",
        "en",
        {ER},
    ),
    (
        "es-embajada-asediada",
        "Denuncian que la embajada argentina en Caracas está sitiada por encapuchados",
        "Los opositores asilados en la residencia piden salvoconductos para salir del país.",
        "es",
        {ER, VC},
    ),
    (
        "de-immunity",
        "Diplomat beruft sich nach Unfall auf diplomatische Immunität",
        "Die Staatsanwaltschaft kann gegen den Botschaftsmitarbeiter nicht ermitteln.",
        "de",
        {VC},
    ),
    (
        "it-expulsion",
        "L'Italia espelle due diplomatici russi",
        "La Farnesina ha dichiarato persona non grata due funzionari dell'ambasciata.",
        "it",
        {VC},
    ),
    (
        "en-consular-notification",
        "Texas death row inmate was never told of consular rights, Mexico says",
        "Mexico argues the state violated the Vienna Convention on Consular Relations "
        "by failing to notify its consulate of the arrest.",
        "en",
        {VC},
    ),
    (
        "es-protecting-power",
        "Suiza asumirá como potencia protectora de los intereses de Ecuador en México",
        "El acuerdo se firmó en Berna tras la ruptura de relaciones entre ambos países.",
        "es",
        {VC, EM},
    ),
    (
        "en-ice-consulate-guidance",
        "Guatemalan consulate opens hotline as ICE raids spread across Houston",
        "Consular staff said they were visiting nationals held at detention centers.",
        "en",
        {IC},
    ),
    (
        "es-consulado-redadas",
        "Consulado de México en Chicago brinda asesoría ante redadas de ICE",
        "El cónsul pidió a los connacionales conocer sus derechos ante agentes migratorios.",
        "es",
        {IC},
    ),
    (
        "fr-consulat-ice",
        "Le consulat du Canada à Los Angeles suit le cas d'un Canadien détenu par l'ICE",
        "Affaires mondiales Canada dit être en contact avec la famille.",
        "fr",
        {IC},
    ),
    (
        "en-sheinbaum-noboa",
        "Sheinbaum says Mexico will not restore ties while Noboa governs Ecuador",
        "",
        "en",
        {EM},
    ),
    (
        "en-typo-names",
        "Barcena meets Sommerfield at OAS summit; no thaw in Mexico-Ecuador relations",
        "",
        "en",
        {EM},
    ),
    (
        "en-benghazi",
        "Gunmen attack US consulate in Benghazi, ambassador killed",
        "Militants armed with rocket-propelled grenades stormed the compound and set it ablaze.",
        "en",
        {ER},
    ),
    (
        "en-rockets-baghdad",
        "Rockets hit US embassy compound in Baghdad's Green Zone",
        "",
        "en",
        {ER},
    ),
    (
        "en-tehran-1979-retrospective",
        "45 years after students seized the US embassy in Tehran",
        "The hostage crisis began when militants overran the compound on 4 November 1979.",
        "en",
        {ER},
    ),
    (
        "ru-embassy-stormed",
        "Протестующие штурмовали посольство в Бишкеке",
        "",
        "ru",
        {ER},
    ),
    (
        "pt-equador-relacoes",
        "Equador e México retomam relações diplomáticas",
        "Os dois países tinham rompido após a invasão da embaixada mexicana em Quito.",
        "pt",
        {EM},
    ),
    (
        "it-immunita",
        "Incidente stradale, il diplomatico invoca l'immunità diplomatica",
        "",
        "it",
        {VC},
    ),
    (
        "nl-expulsion",
        "Nederland wijst twee Russische diplomaten uit",
        "De diplomaten zijn uitgewezen en tot persona non grata verklaard.",
        "nl",
        {VC},
    ),
    (
        "en-diplomatic-baggage",
        "Gold worth millions found in diplomatic baggage at Kerala airport",
        "Customs said the consignment was addressed to the UAE consulate.",
        "en",
        {VC},
    ),
    (
        "de-konsulat-ice",
        "Mexikanisches Konsulat in Chicago hilft Festgenommenen nach ICE-Razzien",
        "",
        "de",
        {IC},
    ),
    (
        "en-gaza-hostages-embassy",
        "Israeli embassy in Washington holds vigil for hostages in Gaza",
        "",
        "en",
        set(),
    ),
    (
        "en-embassy-bomb-threat",
        "Bomb threat forces evacuation of French embassy in Dublin",
        "",
        "en",
        set(),
    ),
    (
        "en-jerusalem-occupied",
        "US embassy move angers Palestinians in occupied East Jerusalem",
        "",
        "en",
        set(),
    ),
    (
        "en-ambassador-recalled",
        "Japan recalls ambassador to South Korea over statue",
        "",
        "en",
        set(),
    ),
    (
        "en-embassy-speaker",
        "Russian embassy says attack on Crimea bridge was terrorism",
        "",
        "en",
        set(),
    ),
    (
        "en-embassy-staff-elsewhere",
        "Embassy staff member killed in attack in Kabul market",
        "",
        "en",
        set(),
    ),
    (
        "en-embassy-damaged",
        "Iranian missile damages US embassy branch in Tel Aviv",
        "",
        "en",
        {ER},
    ),
    # --- look-alikes: nothing should match --------------------------------------------
    (
        "en-visa-ecuadorians",
        "Mexico's embassy in Quito: Ecuadorians now need a visa to travel to Mexico",
        "",
        "en",
        set(),
    ),
    (
        "en-dhs-embassy-visas",
        "Homeland Security and the US embassy in New Delhi tighten student visa checks",
        "",
        "en",
        set(),
    ),
    ("en-ice-storm", "Ice storm knocks out power across Minneapolis", "", "en", set()),
    (
        "en-hockey",
        "Oilers beat Panthers on the ice in overtime thriller",
        "The Vice President attended the game.",
        "en",
        set(),
    ),
    (
        "de-ice-trains",
        "Sturm legt ICE-Verkehr zwischen Hamburg und Berlin lahm",
        "Die Deutsche Bahn stellt den Fernverkehr ein; ICE-Züge bleiben in den Bahnhöfen.",
        "de",
        set(),
    ),
    (
        "en-ice-exchange",
        "ICE reports record energy futures volumes",
        "Intercontinental Exchange shares rose 3%.",
        "en",
        set(),
    ),
    (
        "en-embassy-suites",
        "Police raid Embassy Suites hotel room in drug bust",
        "Officers arrested two men at the Embassy Suites downtown.",
        "en",
        set(),
    ),
    (
        "en-embassy-warning",
        "US embassy in Kyiv warns of significant air attack",
        "The embassy advised citizens to be ready to shelter.",
        "en",
        set(),
    ),
    (
        "en-embassy-weather",
        "Embassy closed as storm approaches the capital",
        "Staff were told to stay home.",
        "en",
        set(),
    ),
    (
        "en-visa-news",
        "US Embassy in Mexico City extends hours for visa interviews",
        "The consulates in Guadalajara and Monterrey will also open on Saturdays.",
        "en",
        set(),
    ),
    (
        "en-philharmonic",
        "Vienna Philharmonic opens season with Bruckner",
        "The orchestra played in the Musikverein.",
        "en",
        set(),
    ),
    (
        "en-law-of-treaties",
        "Withdrawal from the Paris agreement and the Vienna Convention on the Law of Treaties",
        "Diplomats say the 1969 convention sets out how states may leave a treaty.",
        "en",
        set(),
    ),
    (
        "de-glas-industry",
        "Glasindustrie warnt vor hohen Gaspreisen",
        "Die Hersteller von Glas in Mexiko und Deutschland drosseln die Produktion.",
        "de",
        set(),
    ),
    (
        "en-glass-industry",
        "Mexican glass maker Vitro expands Ecuador plant",
        "The glass producer will invest $40 million.",
        "en",
        set(),
    ),
    (
        "es-futbol",
        "México y Ecuador empatan sin goles en amistoso en Nueva Jersey",
        "La selección mexicana no pudo romper el cero ante los ecuatorianos.",
        "es",
        set(),
    ),
    (
        "es-allanamiento-quito",
        "Policía allana viviendas en Quito por narcotráfico",
        "En los allanamientos se detuvo a 12 personas.",
        "es",
        set(),
    ),
    (
        "en-alvaro-noboa",
        "Álvaro Noboa's banana group posts record exports",
        "The company also ships to Mexico.",
        "en",
        set(),
    ),
    (
        "en-glas-old-trial",
        "Ecuador's Vice President Jorge Glas jailed for six years in Odebrecht case",
        "",
        "en",
        set(),
    ),
    (
        "en-ice-workplace",
        "ICE arrests 200 at Nebraska meat plant",
        "Federal agents took workers away in buses; protesters gathered outside.",
        "en",
        set(),
    ),
    (
        "en-migrants-asylum",
        "Ecuadorian migrants crossing Mexico seek asylum at US border",
        "Border Patrol agents processed hundreds of families in El Paso.",
        "en",
        set(),
    ),
    (
        "en-cartel-raid",
        "Mexico and Ecuador police raid cartel hideouts in joint operation",
        "",
        "en",
        set(),
    ),
    (
        "es-barcena-cepal",
        "Bárcena: la CEPAL prevé crecimiento de 2% para Ecuador",
        "La secretaria ejecutiva presentó el informe en Santiago.",
        "es",
        set(),
    ),
    (
        "en-chancellor",
        "German chancellor attacked in online campaign",
        "The chancellery said it would not comment.",
        "en",
        set(),
    ),
]


MORE_CASES: list[tuple[str, str, str, str, set[str]]] = [
    (
        "en-ecuadorian-troops-climbed-the",
        "Ecuadorian troops climbed the walls of Mexico's embassy to detain Glas",
        "",
        "en",
        {EM, ER},
    ),
    (
        "en-mexico-sues-ecuador-at",
        "Mexico sues Ecuador at The Hague over embassy storming",
        "Mexico's foreign ministry said the suit argues Ecuador violated the "
        "inviolability of its mission.",
        "en",
        {EM, ER, VC},
    ),
    (
        "en-ecuador-countersues-mexico-at",
        "Ecuador countersues Mexico at ICJ, accusing it of abusing asylum",
        "Quito says Mexico misused diplomatic premises to shelter a convicted "
        "politician, breaching the Caracas convention.",
        "en",
        {EM, VC},
    ),
    (
        "en-glas-remains-in-mexican",
        "Glas remains in Mexican embassy as Ecuador denies safe passage",
        "Ecuador refused to grant safe conduct to the former vice-president, who has "
        "been sheltering in the mission since December.",
        "en",
        {EM, VC},
    ),
    (
        "es-m-xico-y-ecuador",
        "México y Ecuador: un año sin relaciones diplomáticas",
        "La ruptura se produjo tras el asalto a la embajada mexicana en Quito el 5 de "
        "abril de 2024.",
        "es",
        {EM},
    ),
    (
        "fr-le-mexique-rompt-ses",
        "Le Mexique rompt ses relations diplomatiques avec l'Équateur",
        "La police équatorienne a fait irruption dans l'ambassade du Mexique à Quito "
        "pour arrêter l'ancien vice-président Jorge Glas.",
        "fr",
        {EM, ER},
    ),
    (
        "de-polizei-st-rmt-mexikanische",
        "Polizei stürmt mexikanische Botschaft in Ecuador",
        "Ecuadors Regierung ließ den früheren Vizepräsidenten Glas festnehmen; Mexiko "
        "spricht von einem Bruch des Völkerrechts.",
        "de",
        {EM, ER},
    ),
    (
        "es-ecuador-expulsa-a-la",
        "Ecuador expulsa a la embajadora de México Raquel Serur",
        "El gobierno de Noboa la declaró persona non grata por las declaraciones de López Obrador.",
        "es",
        {EM, VC},
    ),
    (
        "en-iran-summons-swiss-envoy",
        "Iran summons Swiss envoy, protecting power for US interests",
        "",
        "en",
        {VC},
    ),
    (
        "en-russia-expels-german-diplomats",
        "Russia expels 20 German diplomats in tit-for-tat move",
        "",
        "en",
        {VC},
    ),
    (
        "en-saudi-diplomat-s-son",
        "Saudi diplomat's son escapes charges thanks to immunity",
        "Police said he was protected by diplomatic immunity under the Vienna Convention.",
        "en",
        {VC},
    ),
    (
        "en-britain-demands-consular-access",
        "Britain demands consular access to jailed citizen in Iran",
        "",
        "en",
        {VC},
    ),
    (
        "en-mexican-national-on-death",
        "Mexican national on death row was denied consular notification, court told",
        "",
        "en",
        {VC},
    ),
    ("en-crowd-storms-chinese-embassy", "Crowd storms Chinese embassy in Manila", "", "en", {ER}),
    (
        "en-protesters-set-fire-to",
        "Protesters set fire to French embassy in Ouagadougou",
        "",
        "en",
        {ER},
    ),
    (
        "en-suicide-bomber-targets-russian",
        "Suicide bomber targets Russian embassy in Kabul, killing two staff",
        "",
        "en",
        {ER},
    ),
    (
        "es-manifestantes-incendian-la-embajada",
        "Manifestantes incendian la embajada de Francia",
        "",
        "es",
        {ER},
    ),
    (
        "de-demonstranten-setzen-botschaft-in",
        "Demonstranten setzen Botschaft in Brand",
        "",
        "de",
        {ER},
    ),
    (
        "it-manifestanti-assaltano-l-ambasciata",
        "Manifestanti assaltano l'ambasciata americana",
        "",
        "it",
        {ER},
    ),
    (
        "en-police-enter-argentine-ambassador",
        "Police enter Argentine ambassador's residence in Caracas",
        "",
        "en",
        {ER},
    ),
    (
        "en-honduran-consulate-in-houston",
        "Honduran consulate in Houston sees surge of nationals seeking help after ICE arrests",
        "",
        "en",
        {IC},
    ),
    (
        "es-consulado-de-guatemala-en",
        "Consulado de Guatemala en Los Ángeles atiende a connacionales detenidos por ICE",
        "",
        "es",
        {IC},
    ),
    (
        "en-india-s-consulate-in",
        "India's consulate in San Francisco in touch with students detained by "
        "immigration authorities",
        "",
        "en",
        {IC},
    ),
    (
        "en-mexican-consulates-get-alert",
        "Mexican consulates get 'alert button' app as deportations rise under Trump",
        "",
        "en",
        {IC},
    ),
    (
        "en-colombian-foreign-ministry-sends",
        "Colombian foreign ministry sends consuls to detention centers after ICE raids",
        "",
        "en",
        {IC},
    ),
    (
        "en-brazil-s-itamaraty-assists",
        "Brazil's Itamaraty assists deportees arriving on US flight in handcuffs",
        "The foreign ministry said consular staff met the 88 Brazilians deported from "
        "the United States.",
        "en",
        {IC},
    ),
    ("en-ice-hockey-canada-beats", "ICE hockey: Canada beats Sweden", "", "en", set()),
    ("en-ice-agents-no-ice", "Ice agents? No, ice sculptures in Harbin", "", "en", set()),
    (
        "en-ecuador-s-noboa-announces",
        "Ecuador's Noboa announces security referendum",
        "",
        "en",
        set(),
    ),
    ("en-mexico-s-sheinbaum-unveils", "Mexico's Sheinbaum unveils train project", "", "en", set()),
    (
        "en-embassy-of-japan-hosts",
        "Embassy of Japan hosts cherry blossom festival",
        "",
        "en",
        set(),
    ),
    ("en-police-raid-drug-lab", "Police raid drug lab near Mexican border", "", "en", set()),
    (
        "en-consulate-general-opens-new",
        "Consulate general opens new visa centre in Manchester",
        "",
        "en",
        set(),
    ),
    ("en-vienna-state-opera-strikes", "Vienna State Opera strikes called off", "", "en", set()),
    (
        "en-immigration-raids-spark-fear",
        "Immigration raids spark fear in Los Angeles schools",
        "Parents kept children home as federal agents conducted sweeps.",
        "en",
        set(),
    ),
    (
        "en-jorge-glas-sentenced-to",
        "Jorge Glas sentenced to 13 years for embezzlement of reconstruction funds",
        "",
        "en",
        set(),
    ),
    (
        "es-copa-libertadores-independiente-del",
        "Copa Libertadores: Independiente del Valle beats Mexican club América",
        "",
        "es",
        set(),
    ),
    (
        "es-el-consulado-de-m",
        "El consulado de México en Nueva York celebra el Grito de Independencia",
        "",
        "es",
        set(),
    ),
    (
        "en-us-embassy-in-mexico",
        "US embassy in Mexico warns of cartel violence in Sinaloa",
        "",
        "en",
        set(),
    ),
    (
        "en-immigration-detention-center-in",
        "Immigration detention center in Texas faces lawsuit over conditions",
        "The lawsuit was filed by the ACLU.",
        "en",
        set(),
    ),
]
CASES += MORE_CASES


SEQUEL_CASES: list[tuple[str, str, str, str, set[str]]] = [
    (
        "en-decision-to-enter",
        "Ecuador's decision to enter Mexico's embassy was legal, Noboa says",
        "",
        "en",
        {ER, EM},
    ),
    (
        "en-recall-a-day-after",
        "Mexico recalls diplomats from Quito after raid",
        "The withdrawal came a day after Ecuadorian police stormed its embassy to arrest "
        "Jorge Glas.",
        "en",
        {ER, EM},
    ),
    (
        "es-a-la-fuerza-legacion",
        "Quito: agentes entraron a la fuerza en la legación mexicana",
        "",
        "es",
        {ER, EM},
    ),
    (
        "en-background-a-year-later",
        "Sheinbaum and Noboa agree to talks on restoring ties",
        "Relations were severed after Ecuadorian police stormed the Mexican embassy in Quito "
        "in April 2024.",
        "en",
        {EM},
    ),
    (
        "en-entry-requirements",
        "US Embassy announces new entry requirements for travellers",
        "",
        "en",
        set(),
    ),
    ("en-enter-question", "Can you enter the embassy without an appointment?", "", "en", set()),
]
CASES += SEQUEL_CASES


LAW_AND_CONSULATE_CASES: list[tuple[str, str, str, str, set[str]]] = [
    (
        "en-moscow-declares-estonian-ambassador",
        "Moscow declares Estonian ambassador persona non grata",
        "",
        "en",
        {VC},
    ),
    (
        "en-china-orders-two-lithuanian",
        "China orders two Lithuanian diplomats to leave within a week",
        "",
        "en",
        {VC},
    ),
    (
        "en-us-diplomat-who-killed",
        "US diplomat who killed teenager in crash claimed immunity",
        "",
        "en",
        {VC},
    ),
    (
        "en-pakistan-grants-india-consular",
        "Pakistan grants India consular access to Jadhav",
        "",
        "en",
        {VC},
    ),
    (
        "en-icj-hears-mexico-s",
        "ICJ hears Mexico's complaint that US failed to inform nationals of consular rights",
        "",
        "en",
        {VC},
    ),
    ("es-francia-expulsa-a-un", "Francia expulsa a un diplomático iraní", "", "es", {VC}),
    (
        "fr-le-quai-d-orsay",
        "Le Quai d'Orsay convoque l'ambassadeur et expulse deux diplomates",
        "",
        "fr",
        {VC},
    ),
    (
        "pt-brasil-assume-representa-o",
        "Brasil assume representação dos interesses argentinos na Venezuela",
        "O Brasil passa a ser a potência protetora da embaixada argentina em Caracas.",
        "pt",
        {VC},
    ),
    (
        "it-il-cremlino-espelle-quattro",
        "Il Cremlino espelle quattro diplomatici italiani",
        "",
        "it",
        {VC},
    ),
    (
        "en-diplomatic-pouch-seized-at",
        "Diplomatic pouch seized at airport sparks row",
        "",
        "en",
        {VC},
    ),
    (
        "en-venezuela-revokes-safe-conduct",
        "Venezuela revokes safe conduct for opposition figures sheltering in embassy",
        "",
        "en",
        {VC},
    ),
    (
        "en-uk-and-iran-trade",
        "UK and Iran trade accusations over jailed dual nationals' consular rights",
        "",
        "en",
        {VC},
    ),
    ("en-vienna-hosts-opec-meeting", "Vienna hosts OPEC meeting", "", "en", set()),
    ("en-austria-s-capital-vienna", "Austria's capital Vienna celebrates Mozart", "", "en", set()),
    (
        "en-football-club-expels-fans",
        "Football club expels fans over racist chants",
        "",
        "en",
        set(),
    ),
    ("en-senator-claims-immunity-from", "Senator claims immunity from subpoena", "", "en", set()),
    (
        "en-student-expelled-from-school",
        "Student expelled from school; parents call the consul",
        "",
        "en",
        set(),
    ),
    (
        "en-new-ambassador-presents-credentials",
        "New ambassador presents credentials to the King",
        "",
        "en",
        set(),
    ),
    (
        "en-russia-recalls-ambassador-for",
        "Russia recalls ambassador for consultations",
        "",
        "en",
        set(),
    ),
    (
        "en-salvadoran-consul-visits-detainees",
        "Salvadoran consul visits detainees at Louisiana ICE facility",
        "",
        "en",
        {IC},
    ),
    (
        "en-mexican-consulate-in-phoenix",
        "Mexican consulate in Phoenix expands hours for families of detained migrants",
        "The consulate said it would help relatives locate people held by immigration agents.",
        "en",
        {IC},
    ),
    (
        "es-consulados-mexicanos-en-ee",
        "Consulados mexicanos en EE.UU. reciben más llamadas por redadas",
        "",
        "es",
        {IC},
    ),
    (
        "en-guatemala-s-foreign-ministry",
        "Guatemala's foreign ministry demands explanation after ICE detains consular official",
        "",
        "en",
        {IC},
    ),
    (
        "en-chinese-consulate-warns-students",
        "Chinese consulate warns students about immigration checks at US airports",
        "",
        "en",
        {IC},
    ),
    (
        "fr-le-consulat-du-mexique",
        "Le consulat du Mexique à Los Angeles mobilisé face aux arrestations de l'ICE",
        "",
        "fr",
        {IC},
    ),
    ("en-ice-arrests-in-nationwide", "ICE arrests 500 in nationwide operation", "", "en", set()),
    (
        "en-canadian-consulate-hosts-trade",
        "Canadian consulate hosts trade mission in Boston",
        "",
        "en",
        set(),
    ),
    (
        "en-deportation-flights-to-rwanda",
        "Deportation flights to Rwanda halted by UK court",
        "The Home Office said it would appeal.",
        "en",
        set(),
    ),
    (
        "en-migrants-detained-at-italian",
        "Migrants detained at Italian port; consul of Tunisia informed",
        "",
        "en",
        set(),
    ),
]
CASES += LAW_AND_CONSULATE_CASES


PRECISION_CASES: list[tuple[str, str, str, str, set[str]]] = [
    ("en-png-figurative", "Striker declared persona non grata by club fans", "", "en", set()),
    ("en-png-city", "Mexican state congress declares Trump persona non grata", "", "en", set()),
    (
        "en-evacuation-order",
        "US orders non-essential diplomats to leave Kyiv as invasion fears grow",
        "",
        "en",
        set(),
    ),
    (
        "en-invasion-embassy",
        "Russia invaded Ukraine; embassies in Kyiv relocate to Lviv",
        "",
        "en",
        set(),
    ),
    (
        "en-us-consulate-warning",
        "US consulate in Mumbai warns students that overstaying leads to deportation",
        "",
        "en",
        set(),
    ),
    (
        "es-consulado-eeuu",
        "Consulado de Estados Unidos en Monterrey advierte sobre deportaciones",
        "",
        "es",
        set(),
    ),
    (
        "en-flags-burned",
        "Protesters burned flags outside the French embassy",
        "",
        "en",
        set(),
    ),
    (
        "es-entre-is-not-entree",
        "Reunión entre la policía y la embajada por la seguridad del barrio",
        "",
        "es",
        set(),
    ),
    (
        "en-policy-is-not-policiers",
        "Embassy policy office entered new phase of visa reform",
        "",
        "en",
        set(),
    ),
]
CASES += PRECISION_CASES


ATTEMPT_CASES: list[tuple[str, str, str, str, set[str]]] = [
    (
        "en-staff-block-at-door",
        "Ecuadorian consulate staff block ICE officer at the door",
        "Video shows an employee telling the agent he was not allowed in.",
        "en",
        {ER, IC},
    ),
    (
        "es-impidieron-el-ingreso",
        "Funcionarios consulares impidieron el ingreso de un agente de ICE",
        "",
        "es",
        {ER, IC},
    ),
    (
        "en-force-his-way",
        "ICE agent attempted to force his way into Ecuador's consulate, Quito says",
        "",
        "en",
        {ER, IC},
    ),
    ("en-drag-out", "Police drag Assange out of Ecuador's London embassy", "", "en", {ER}),
    (
        "en-arrest-inside",
        "Ecuador revokes Assange asylum; British police arrest him inside embassy",
        "",
        "en",
        {ER},
    ),
    (
        "en-consulate-protocol",
        "Ecuador says consulate in Minneapolis followed protocol after ICE incident",
        "",
        "en",
        {IC},
    ),
    (
        "en-protest-note-split",
        "Noboa government files protest with US over consulate incident",
        "Ecuador's foreign ministry said an ICE agent had tried to enter its consulate in "
        "Minneapolis.",
        "en",
        {ER, IC},
    ),
    (
        "en-noboa-regret",
        "Noboa says he does not regret the embassy raid",
        "",
        "en",
        {ER, EM},
    ),
    ("en-noboa-visit", "Noboa visits US embassy in Quito", "", "en", set()),
    (
        "en-consulate-help-after-raids",
        "Mexican consulate in Los Angeles offers help after raids",
        "",
        "en",
        {IC},
    ),
    ("en-raids-on-embassies", "Police raids on foreign embassies condemned", "", "en", {ER}),
    ("en-embassy-raided", "Embassy raided by police in Managua", "", "en", {ER}),
    (
        "en-consulate-after-attacks",
        "Consulate issues guidance after attacks on students",
        "",
        "en",
        set(),
    ),
]
CASES += ATTEMPT_CASES


EUROPEAN_CASES: list[tuple[str, str, str, str, set[str]]] = [
    (
        "de-mexiko-bricht-diplomatische-beziehungen",
        "Mexiko bricht diplomatische Beziehungen zu Ecuador ab",
        "Zuvor hatte die ecuadorianische Polizei die mexikanische Botschaft in Quito "
        "gestürmt und den Ex-Vizepräsidenten Jorge Glas festgenommen.",
        "de",
        {EM, ER},
    ),
    (
        "de-mexiko-klagt-vor-dem",
        "Mexiko klagt vor dem Internationalen Gerichtshof gegen Ecuador",
        "Die Erstürmung der Botschaft verstoße gegen das Wiener Übereinkommen über "
        "diplomatische Beziehungen.",
        "de",
        {EM, ER, VC},
    ),
    (
        "de-ice-beamter-wollte-in",
        "ICE-Beamter wollte in ecuadorianisches Konsulat in Minneapolis eindringen",
        "Konsulatsmitarbeiter verweigerten ihm den Zutritt.",
        "de",
        {ER, IC},
    ),
    (
        "it-il-messico-rompe-le",
        "Il Messico rompe le relazioni con l'Ecuador dopo l'irruzione nell'ambasciata",
        "",
        "it",
        {EM, ER},
    ),
    (
        "it-ecuador-la-polizia-irrompe",
        "Ecuador, la polizia irrompe nell'ambasciata messicana e arresta l'ex vicepresidente Glas",
        "",
        "it",
        {EM, ER},
    ),
    (
        "it-immunit-diplomatica-il-figlio",
        "Immunità diplomatica, il figlio dell'ambasciatore non sarà processato",
        "",
        "it",
        {VC},
    ),
    (
        "it-consolato-del-messico-a",
        "Consolato del Messico a Chicago assiste i connazionali fermati dall'ICE",
        "",
        "it",
        {IC},
    ),
    (
        "pt-m-xico-pede-cij",
        "México pede à CIJ que suspenda o Equador da ONU",
        "O governo mexicano acusa Quito de violar a Convenção de Viena ao invadir sua embaixada.",
        "pt",
        {EM, ER, VC},
    ),
    (
        "pt-consulado-do-brasil-em",
        "Consulado do Brasil em Boston presta assistência a brasileiros presos pelo ICE",
        "",
        "pt",
        {IC},
    ),
    (
        "nl-ecuador-en-mexico-verbreken",
        "Ecuador en Mexico verbreken diplomatieke betrekkingen na inval in ambassade",
        "",
        "nl",
        {EM, ER},
    ),
    (
        "fr-la-suisse-puissance-protectrice",
        "La Suisse, puissance protectrice entre le Mexique et l'Équateur",
        "",
        "fr",
        {EM, VC},
    ),
    (
        "fr-l-quateur-expulse-l",
        "L'Équateur expulse l'ambassadrice du Mexique",
        "Quito a déclaré Raquel Serur persona non grata.",
        "fr",
        {EM, VC},
    ),
    ("de-glas-und-keramik-messe", "Glas und Keramik: Messe in Frankfurt eröffnet", "", "de", set()),
    ("de-ice-ausf-lle-bahn", "ICE-Ausfälle: Bahn kündigt Ersatzverkehr an", "", "de", set()),
    (
        "de-wiener-philharmoniker-spielen-neujahrskonzert",
        "Wiener Philharmoniker spielen Neujahrskonzert",
        "",
        "de",
        set(),
    ),
    (
        "it-l-ambasciata-italiana-organizza",
        "L'ambasciata italiana organizza un concerto",
        "",
        "it",
        set(),
    ),
    (
        "it-messico-ecuador-amichevole-a",
        "Messico-Ecuador 2-1, amichevole a Dallas",
        "",
        "it",
        set(),
    ),
    ("pt-pol-cia-faz-opera", "Polícia faz operação contra tráfico em Quito", "", "pt", set()),
]
CASES += EUROPEAN_CASES


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return compile_watchlists(builtin_watchlists())


@pytest.mark.parametrize(
    ("title", "summary", "language", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_topic(
    matcher: Matcher, title: str, summary: str, language: str, expected: set[str]
) -> None:
    found = {m.watchlist: m for m in matcher.match(title, summary, language)}
    explained = "\n".join(m.explain() for m in found.values())
    assert set(found) == expected, explained
