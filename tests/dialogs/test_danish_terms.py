"""Issue 17, point 9: the Danish reads as one voice (README, «Words»). One term for the strategic goal, one
verb family for submitting, one word per status, «I» to the board, no anglicisms, examples that fit the
institution, and the strategy's English titles in English.

The catalog check reads every Danish msgstr (also texts added later): a new text that brings back an old
word fails here with the msgid, the word and the replacement to use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from dialogs import views
from dialogs.strategy import BUILTIN_DIR, DEFAULT_STRATEGY_FILE, Strategy, load_strategy_file
from dialogs.texts import catalog_path, texts
from reports.texts import report_texts_for
from tests.dialogs.talk import Talk, World

MEETING_TEMPLATES = Path(__file__).resolve().parents[2] / "dialogs" / "meetings" / "templates"

# (pattern, why it is banned and what to write instead). Case-sensitive unless the pattern says (?i).
FORBIDDEN: tuple[tuple[str, str], ...] = (
    # One term for the strategic goal: the seed's process word «fælles mål» (seeds/000: «de fælles mål»).
    (r"(?i)\bstrategisk\w* mål", "the strategic goal is «fælles mål» everywhere"),
    # «fokusområde» was our own word for the cluster's goals; seed 003 has no such word.
    (r"(?i)\bfokusområde", "the cluster strategy's goals are «fælles mål» too"),
    # «Mål 2» as a strategic goal's short name mixes with «fælles mål»: write «Fælles mål 2». (The typed
    # command «ret mål 2» stays short: it is lower case.)
    (r"(?<!ælles )(?<!okalt )\bMål (nr\.|\{)", "a strategic goal's short name is «Fælles mål N»"),
    # One verb family for submitting: «sende ind / sendt ind».
    # «ændret efter indsendelse» is the name issue 17 gives the mark of a registration changed after it was
    # sent in; it is kept as the one noun, everything else says «sende ind» / «sendt ind».
    (
        r"(?i)\bindsend(?!else\b)|(?<!ændret efter )\bindsendelse\b",
        "write «sende ind» / «sendt ind», not «indsende/indsendt/indsendelse»",
    ),
    (r"(?i)\baflever", "write «sende ind», not «aflevere»"),
    # One word per status: ikke startet · i gang · sendt ind · sendt retur · godkendt.
    (r"(?i)\bkladde\b", "a registration being worked on is «i gang»"),
    (r"(?i)\bsendt tilbage\b|\breturneret\b", "a returned registration is «sendt retur» (the command is «send retur»)"),
    (r"(?i)sendt retur til rettelser", "the status is «sendt retur», one word per state"),
    # Anglicisms.
    (r"(?i)\blad os\b", "«Let us …» is English: «Her kan I …»"),
    (r"(?i)\bdrop(pe|per|pet)?\b", "«drop it» is English: «fjern det»"),
    (r"(?i)\bog \{n\} mere\b|\bet mere\b", "«og 3 mere» is English («and 3 more»): «og 3 til», «et til»"),
    # Jargon: «tekst» is how the program sees an answer, not how a parent does.
    (r"(?i)\bsom tekst\b", "«gem det som tekst» is jargon: «behold vores formulering»"),
    # «botten» is slang; the bot has a name.
    (r"(?i)\bbotten\b", "call the bot «Målbot»"),
)

# A text that speaks to the board as «I/jer/jeres» does not switch to «du» in the same breath.
BOARD = re.compile(r"\bjer(es)?\b|(?<=[a-zæøå,] )I\b")
YOU = re.compile(r"(?i)\b(du|dig|din|dit|dine)\b")

# The status words, one per state, the same in chat, status page and exports.
STATUS_WORDS = {
    "not_started": "ikke startet",
    "draft": "i gang",
    "submitted": "sendt ind",
    "returned": "sendt retur",
    "approved": "godkendt",
}


def _danish_strings() -> list[tuple[str, str]]:
    """(msgid, Danish text) for every Danish form in the catalog."""
    with catalog_path("da").open("rb") as fh:
        catalog = read_po(fh, locale="da")
    out: list[tuple[str, str]] = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        forms = [message.string] if isinstance(message.string, str) else list(message.string or ())
        out.extend((msgid, form) for form in forms if form)
    return out


def _strategy_texts(strategy: Strategy) -> list[str]:
    """The Danish a strategy file adds in its own words beyond the seed's (questions, help, options)."""
    found = [strategy.goal_label.da]
    for q in strategy.questions:
        found.append(q.text.da)
        found.extend(h.da for h in ([q.help] if q.help else []) + list(q.help_by_kind.values()))
        found.extend(o.label.da for o in q.options)
    return found


def _offences(strings: list[tuple[str, str]]) -> list[str]:
    return [
        f"{where!r}: «{text}» matches {pattern!r}: {why}"
        for where, text in strings
        for pattern, why in FORBIDDEN
        if re.search(pattern, text)
    ]


def test_the_banned_words_are_gone_from_the_danish_catalog() -> None:
    strings = _danish_strings()
    assert len(strings) > 300
    assert _offences(strings) == []


def test_the_banned_words_are_gone_from_the_exports_and_the_strategies() -> None:
    labels = report_texts_for("da").labels
    strings = [(f"reports/texts.py {key}", text) for key, text in labels.items()]
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        strings += [(path.name, text) for text in _strategy_texts(load_strategy_file(path))]
    for path in sorted(MEETING_TEMPLATES.glob("*.yaml")):  # the meeting texts: every Danish line
        lines = path.read_text(encoding="utf-8").splitlines()
        strings += [(f"{path.name}:{n}", line) for n, line in enumerate(lines, start=1) if "da:" in line]
    assert _offences(strings) == []


def test_the_forbidden_patterns_catch_the_old_wording() -> None:
    """Each pattern bites: the old texts it was written for are caught (a pattern that never matches
    would let the test pass while proving nothing)."""
    old = [
        "Antal lokale mål pr. strategisk mål",
        "Hvad er jeres lokale mål for fokusområdet?",
        "Mål {number}",
        "Indsendt af {name} den {date}.",
        "Bestyrelsen har afleveret",
        "Kladde",
        "sendt tilbage: {returned}",
        "sendt retur til rettelser",
        "Hej {name}! Lad os arbejde med de lokale mål",
        "Drop det",
        "og {n} mere",
        "Nej, gem det bare som tekst",
        "Bed botten om et nyt",
    ]
    caught = {pattern for text in old for pattern, _ in FORBIDDEN if re.search(pattern, text)}
    assert caught == {pattern for pattern, _ in FORBIDDEN}
    assert not _offences([("ok", "Skriv «ret mål 2» for at rette de lokale mål under fælles mål 2.")])


def test_the_board_is_not_switched_from_i_to_du() -> None:
    mixed = [(msgid, text) for msgid, text in _danish_strings() if BOARD.search(text) and YOU.search(text)]
    assert mixed == []


@pytest.mark.parametrize(
    "msgid",
    [
        "Everything is saved. Write «resume» when you want to go on. You can also close the chat: I will "
        "remember where you were.",
        "Welcome back! We continue where you left off.",
        "We are taking a break. Write «resume» to go on.",
        "What do you want to change?",
        "Everything is answered. Do you want to submit it to the administration?",
        "Your answer has not been saved: «{text}». Send it again if it should still go in.",
        "Did you mean «{command}», or is it your answer?",
        "You can continue where the board is.",
    ],
)
def test_the_boards_flow_says_i(msgid: str) -> None:
    """Texts a board member reads while working on the board's registration address the board: «I»."""
    danish = texts("da")(msgid)
    assert not YOU.search(danish), danish
    assert re.search(r"\bI\b|(?i:\bjeres\b)", danish), danish


def test_one_status_word_per_state_in_chat_page_and_exports() -> None:
    t = texts("da")
    assert {code: views.status_label(t, code) for code in STATUS_WORDS} == STATUS_WORDS
    exported = report_texts_for("da")
    assert {code: exported.status(code) for code in STATUS_WORDS} == {
        code: word[0].upper() + word[1:] for code, word in STATUS_WORDS.items()
    }
    counts = t(
        "Approved: {approved}, submitted: {submitted}, started: {draft}, returned: {returned}, not started: "
        "{not_started}.",
        **{code: "#" for code in STATUS_WORDS},
    ).casefold()
    assert all(f"{word}: #" in counts for word in STATUS_WORDS.values()), counts


def test_the_strategic_goal_is_called_the_same_in_chat_page_and_exports() -> None:
    t = texts("da")
    almen = load_strategy_file(DEFAULT_STRATEGY_FILE)
    assert almen.goal_label.da == "fælles mål"
    assert views.goal_heading(t, almen, 2).startswith("Fælles mål 2 af 4: ")
    exported = report_texts_for("da")
    assert exported.goal(2) == "Fælles mål 2"  # also the XLSX sheet's name
    assert exported["goal_title"] == "Fælles mål"
    assert t("Number of local goals per strategic goal") == "Antal lokale mål pr. fælles mål"  # status page


def test_examples_fit_the_institution() -> None:
    """A daycare board is never shown school examples («elever», «indskolingen», «klassen»), and a school
    board gets the school's."""
    school_words = re.compile(r"(?i)\belev|indskoling|\bklassen\b|skoleår")
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        for q in load_strategy_file(path).questions:
            daycare = q.help_for("da", "dagtilbud")
            assert daycare is None or not school_words.search(daycare), (path.name, q.key, daycare)
            general = q.help_for("da", None)
            assert general is None or not school_words.search(general), (path.name, q.key, general)
    first = load_strategy_file(DEFAULT_STRATEGY_FILE).first_question
    assert "elever i indskolingen" in (first.help_for("da", "skole") or "")
    assert "fast voksen" in (first.help_for("da", "dagtilbud") or "")


async def test_a_daycare_board_and_a_school_board_each_get_their_own_example(world: World, soeren: Talk) -> None:
    await soeren.say("start")  # Søren is the chair of Solsikken, a daycare
    soeren.expect("jeres dagtilbud", "Alle børn har en fast voksen").expect_not("elever", "indskolingen")
    jens = await world.talk("jens.praestegaard")  # the chair of Ærøvej Skole
    await jens.say("start")
    jens.expect("jeres skole", "Alle elever i indskolingen").expect_not("jeres dagtilbud")


async def test_english_mode_shows_the_strategys_english_titles(soeren: Talk) -> None:
    await soeren.say("english")
    await soeren.say("start")
    soeren.expect(
        "«Strengthening mainstream daycare and schools»",
        "Goal 1 of 4: Every child and young person is put in a privileged position every day",
    ).expect_not("Alle børn og unge bringes hver dag")
    await soeren.say("edit")
    soeren.expect_choice("Goal 3: Every child and young person is ensured a real…")


def test_a_strategy_without_english_titles_keeps_its_own_words(tmp_path: Path) -> None:
    almen = load_strategy_file(DEFAULT_STRATEGY_FILE)
    plain = almen.model_copy(update={"goals": tuple(g.model_copy(update={"title_en": None}) for g in almen.goals)})
    assert views.goal_heading(texts("en"), plain, 1) == (
        "Goal 1 of 4: Alle børn og unge bringes hver dag i en privilegeret position"
    )
    assert views.goal_heading(texts("da"), almen, 1).endswith(
        "Alle børn og unge bringes hver dag i en privilegeret position"
    )
