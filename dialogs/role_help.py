"""What each role can write to the bot: one table for the chat and one for Slack's «/maal», rendered
as help per person (a person with several roles sees a section for each, without repeats).

The README's command tables are written from these tables, and `tests/dialogs/test_help.py` compares
them row by row: change one, change the other."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dialogs.messages import Reply
from dialogs.texts import N_, Texts
from storage.policy import ADMIN, AREA_LEADER, BOARD_ROLES, CHAIR, LEADER, MEMBER

ROLES = (MEMBER, CHAIR, LEADER, AREA_LEADER, ADMIN)  # the order of the sections
EVERYONE = ROLES


@dataclass(frozen=True, slots=True)
class Entry:
    da: tuple[str, ...]  # the command as written in Danish (alternatives)
    en: tuple[str, ...]  # the same in English
    what: str  # what it does: an English msgid
    roles: tuple[str, ...]
    several_boards: bool = False  # only for people on more than one board


CHAT: tuple[Entry, ...] = (
    Entry(("hjælp",), ("help",), N_("what you can write"), EVERYONE),
    Entry(("start",), ("start",), N_("start or continue your board's registration"), BOARD_ROLES),
    Entry(("tilbage",), ("back",), N_("go back one question"), BOARD_ROLES),
    Entry(("spring over",), ("skip",), N_("skip a question for now"), BOARD_ROLES),
    Entry(("pause", "fortsæt"), ("pause", "resume"), N_("stop, and later continue where you were"), BOARD_ROLES),
    Entry(
        ("ret mål 2", "ret mål 2.1"),
        ("edit goal 2", "edit goal 2.1"),
        N_("change the local goals under a strategic goal, or one local goal"),
        BOARD_ROLES,
    ),
    Entry(("gennemgang",), ("review",), N_("see everything registered, and what is missing"), BOARD_ROLES),
    Entry(("send ind",), ("submit",), N_("tell the chair that the registration is ready"), (MEMBER,)),
    Entry(("send ind",), ("submit",), N_("send the registration to the administration"), (CHAIR, LEADER)),
    Entry(("status",), ("status",), N_("how far your board has come, and who wrote what"), BOARD_ROLES),
    Entry(("udskriv",), ("print",), N_("a link to your board's registration, ready to print"), BOARD_ROLES),
    Entry(("skift bestyrelse",), ("switch board",), N_("work on another of your boards"), BOARD_ROLES, True),
    Entry(("status",), ("status",), N_("how far the boards you can see have come"), (AREA_LEADER, ADMIN)),
    Entry(
        ("status <område eller institution>",),
        ("status <area or institution>",),
        N_("the status of one area or institution"),
        (AREA_LEADER, ADMIN),
    ),
    Entry(
        ("vis <institution>",),
        ("show <institution>",),
        N_("an institution's status and measurement follow-ups"),
        (LEADER, AREA_LEADER, ADMIN),
    ),
    Entry(
        ("hvem mangler?",),
        ("who is missing?",),
        N_("the boards that have not submitted yet"),
        (LEADER, AREA_LEADER, ADMIN),
    ),
    Entry(
        ("dækning",),
        ("coverage",),
        N_("how many boards have local goals under each strategic goal"),
        (LEADER, AREA_LEADER, ADMIN),
    ),
    Entry(
        ("opfølgning",),
        ("follow-up",),
        N_("measurements waiting for an answer, and the latest answers"),
        (LEADER, AREA_LEADER, ADMIN),
    ),
    Entry(("statusside",), ("status page",), N_("a personal link to the status page"), (LEADER, AREA_LEADER, ADMIN)),
    Entry(("eksport",), ("export",), N_("a personal link to download the registrations"), (LEADER, AREA_LEADER, ADMIN)),
    Entry(
        ("til godkendelse",),
        ("awaiting approval",),
        N_("the submitted registrations awaiting a decision, oldest first"),
        (ADMIN,),
    ),
    Entry(("godkend <institution>",), ("approve <institution>",), N_("approve a submitted registration"), (ADMIN,)),
    Entry(
        ("send retur <institution>: <kommentar>",),
        ("return <institution>: <comment>",),
        N_("send a registration back to the board with a comment"),
        (ADMIN,),
    ),
    Entry(("genåbn <institution>",), ("reopen <institution>",), N_("open an approved registration again"), (ADMIN,)),
    Entry(
        ("pause indtil 1. december", "genoptag påmindelser"),
        ("pause until 1 December", "resume reminders"),
        N_("no reminders until then, or reminders again"),
        EVERYONE,
    ),
    Entry(("english", "dansk"), ("english", "dansk"), N_("change the language I write in"), EVERYONE),
)

SLASH: tuple[Entry, ...] = (
    Entry(
        ("/maal start",),
        ("/maal start",),
        N_("start or continue your board's registration in a direct message"),
        BOARD_ROLES,
    ),
    Entry(("/maal status",), ("/maal status",), N_("how far your board has come"), (MEMBER, CHAIR)),
    Entry(
        ("/maal status",),
        ("/maal status",),
        N_("how far the boards you can see have come"),
        (LEADER, AREA_LEADER, ADMIN),
    ),
    Entry(
        ("/maal status <område eller institution>",),
        ("/maal status <area or institution>",),
        N_("the status of one area or institution"),
        (LEADER, AREA_LEADER, ADMIN),
    ),
    Entry(
        ("/maal hvem-mangler",),
        ("/maal who is missing",),
        N_("the boards that have not submitted yet"),
        (LEADER, AREA_LEADER, ADMIN),
    ),
    Entry(
        ("/maal dækning",),
        ("/maal coverage",),
        N_("how many boards have local goals under each strategic goal"),
        (LEADER, AREA_LEADER, ADMIN),
    ),
    Entry(
        ("/maal opfølgning",),
        ("/maal follow-up",),
        N_("measurements waiting for an answer, and the latest answers"),
        (LEADER, AREA_LEADER, ADMIN),
    ),
    Entry(
        ("/maal til godkendelse",),
        ("/maal awaiting approval",),
        N_("the submitted registrations awaiting a decision, oldest first"),
        (ADMIN,),
    ),
    Entry(("/maal hjælp",), ("/maal help",), N_("what you can write"), EVERYONE),
)


@dataclass(frozen=True, slots=True)
class Who:
    """A person's roles as the help needs them: the boards they sit on (institution, role) and the
    roles above a board (area leader, admin)."""

    boards: tuple[tuple[str, str], ...] = ()
    roles: frozenset[str] = frozenset()

    def all_roles(self) -> list[str]:
        held = {role for _, role in self.boards} | set(self.roles)
        return [r for r in ROLES if r in held]

    def institutions(self, role: str) -> list[str]:
        return sorted({name for name, r in self.boards if r == role}, key=str.casefold)


def entries_for(table: Iterable[Entry], role: str, *, several_boards: bool = True) -> list[Entry]:
    return [e for e in table if role in e.roles and (several_boards or not e.several_boards)]


def _heading(t: Texts, who: Who, role: str) -> str:
    names = t(" and ").join(who.institutions(role))
    if role == MEMBER:
        return t("As a member of the board of {institutions}, you can write:", institutions=names)
    if role == CHAIR:
        return t("As chair of the board of {institutions}, you can write:", institutions=names)
    if role == LEADER:
        return t("As leader of {institutions}, you can write:", institutions=names)
    if role == AREA_LEADER:
        return t("As area leader, you can write:")
    return t("As the administration, you can write:")


def _line(t: Texts, entry: Entry) -> str:
    words = entry.da if t.locale == "da" else entry.en
    return "• " + t(" or ").join(f"«{w}»" for w in words) + " – " + t(entry.what)


def help_text(t: Texts, who: Who, table: tuple[Entry, ...] = CHAT) -> list[str]:
    """The help lines for this person: a section per role, each command once (in the first section
    that has it)."""
    several = len(who.boards) > 1
    shown: set[Entry] = set()
    lines: list[str] = []
    for role in who.all_roles():
        new = [e for e in entries_for(table, role, several_boards=several) if e not in shown]
        if not new:
            continue
        shown.update(new)
        if lines:
            lines.append("")
        lines.append(_heading(t, who, role))
        lines.extend(_line(t, e) for e in new)
    return lines


def help_reply(t: Texts, who: Who, privacy: str = "") -> Reply:
    """«hjælp» in the chat."""
    lines = [t("I help school and daycare boards register their local goals.")]
    if not who.all_roles():
        lines.append(t("I cannot find any role for you yet. Please contact the administration."))
    lines.extend(help_text(t, who))
    if who.boards:
        lines.append(t("Where I show numbered options, you can write the number or the text."))
        if privacy:
            lines.append(privacy)
    return Reply("\n".join(lines), kind="help")


def slash_help(t: Texts, who: Who) -> Reply:
    """«/maal hjælp» in Slack."""
    lines = [t("I help school and daycare boards register their local goals. In Slack you can use:")]
    lines.extend(help_text(t, who, SLASH))
    return Reply("\n".join(lines), kind="help")


# What can be asked in a channel (an @mention): the leader questions. Board work happens in a direct message.
CHANNEL_COMMANDS = frozenset(
    {"status", "status <område eller institution>", "vis <institution>", "hvem mangler?", "dækning", "opfølgning"}
)
LEADER_ROLES = (LEADER, AREA_LEADER, ADMIN)


def channel_help(t: Texts, who: Who) -> Reply:
    """An @mention in a channel that is not a question: what this person can ask in a channel, per role
    (the leader questions their roles allow), and for a board member where the board's work is done."""
    leading = Who(tuple(b for b in who.boards if b[1] in LEADER_ROLES), who.roles & frozenset(LEADER_ROLES))
    lines: list[str] = []
    if leading.all_roles():
        lines.append(t("In a channel, mention me and write one of these."))
        lines.extend(help_text(t, leading, tuple(e for e in CHAT if e.da[0] in CHANNEL_COMMANDS)))
    if any(role in BOARD_ROLES for _, role in who.boards):
        if lines:
            lines.append("")
        lines.append(t("To work on your board's local goals, write to me in a direct message."))
    if not lines:
        lines.append(t("I cannot find any role for you yet. Please contact the administration."))
    return Reply("\n".join(lines), kind="help")
