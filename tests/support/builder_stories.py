"""Stories about the seeds' subject, written for this project, to try a built draft on.

The seeds (``shared/seeds``) tell of the 2024 raid on the Mexican embassy in Quito and of
an ICE agent trying to enter Ecuador's consulate in Minneapolis. ``ON_TOPIC`` are short
news items on those events, told in other words than the seeds; ``LOOK_ALIKES`` share
their words but not their subject. Used by tests/monitor/test_builder_feeds.py and
bench/builder.py.
"""

from __future__ import annotations

from typing import NamedTuple


class Written(NamedTuple):
    id: str
    title: str
    summary: str


ON_TOPIC: tuple[Written, ...] = (
    Written(
        "raid-headline",
        "Ecuadorian police raid Mexico's embassy in Quito to seize Jorge Glas",
        "Special forces climbed the walls of the compound late on Friday and took the "
        "former vice president away.",
    ),
    Written(
        "ice-headline",
        "ICE agent tried to enter Ecuador's consulate in Minneapolis, ministry says",
        "Consular staff blocked the officer at the door; Quito lodged a formal protest "
        "with Washington.",
    ),
    Written(
        "court-case",
        "Mexico takes Ecuador to world court over embassy raid",
        "Mexico asked the International Court of Justice to rule that the storming of its "
        "mission in Quito broke international law.",
    ),
    Written(
        "told-in-summary",
        "Outrage across the region after a night of violence in Quito",
        "Police officers forced their way into the Mexican embassy and dragged out Jorge "
        "Glas, who had been granted asylum there.",
    ),
    Written(
        "persona-non-grata",
        "Ecuador expels Mexico's ambassador, declaring her persona non grata",
        "The decision follows remarks by the Mexican president about the election.",
    ),
    Written(
        "relations-severed",
        "Mexico severs diplomatic relations with Ecuador after police storm its embassy",
        "The break came hours after the arrest of Jorge Glas.",
    ),
    Written(
        "ice-in-summary",
        "Consulate staff turn away US immigration officer in Minneapolis",
        "An agent of Immigration and Customs Enforcement tried to enter Ecuador's "
        "consulate without consent, the foreign ministry said.",
    ),
)

LOOK_ALIKES: tuple[Written, ...] = (
    Written(
        "drug-raid-in-quito",
        "Police raid a drug lab on the outskirts of Quito",
        "Officers arrested six people and seized chemicals, Ecuador's interior ministry said.",
    ),
    Written(
        "several-embassies",
        "Several embassies in Mexico City close for the holidays",
        "Visa appointments resume in January, the missions said.",
    ),
    Written(
        "ice-storm",
        "Ice storm hits Minneapolis; the Ecuadorian consulate closes early",
        "Freezing rain made roads treacherous across Minnesota.",
    ),
    Written(
        "mission-to-mars",
        "Mexico's space agency enters a new mission with NASA",
        "The agreement covers a small satellite launched next year.",
    ),
)
