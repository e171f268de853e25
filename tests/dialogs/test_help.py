"""Help per role: the README's command tables are the help tables, and each role hears exactly its own
commands (in chat over the service, and with «/maal hjælp»)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from dialogs.role_help import CHAT, ROLES, SLASH, Entry, Who, help_text
from dialogs.texts import texts
from storage.models import Area, Membership, Person
from tests.dialogs.talk import Talk, World

README = Path(__file__).resolve().parents[2] / "README.md"
ROLE_WORDS = {"member": "member", "chair": "chair", "leader": "leader", "area leader": "area_leader", "admin": "admin"}
Row = tuple[tuple[str, ...], tuple[str, ...], frozenset[str], bool, str]


def readme_table(marker: str) -> list[Row]:
    """The rows of the table after `<!-- help:marker -->` in the README: commands, who, what."""
    text = README.read_text(encoding="utf-8")
    lines = text[text.index(f"<!-- help:{marker} -->") :].splitlines()[1:]
    rows: list[Row] = []
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        da, en, who, what = (cell.strip() for cell in line.strip("|").split("|"))
        several = who.endswith("(on several boards)")
        who = who.removesuffix("(on several boards)").strip()
        roles = frozenset(ROLES) if who == "everyone" else frozenset(ROLE_WORDS[w.strip()] for w in who.split(","))
        rows.append((tuple(re.findall(r"`([^`]+)`", da)), tuple(re.findall(r"`([^`]+)`", en)), roles, several, what))
    return rows


def as_rows(table: tuple[Entry, ...]) -> list[Row]:
    return [(e.da, e.en, frozenset(e.roles), e.several_boards, e.what) for e in table]


@pytest.mark.parametrize(("marker", "table"), [("chat", CHAT), ("slash", SLASH)])
def test_the_readme_tables_are_the_help_tables(marker: str, table: tuple[Entry, ...]) -> None:
    assert readme_table(marker) == as_rows(table)


@pytest.mark.parametrize("role", ROLES)
def test_every_row_of_the_readme_is_in_the_help_of_its_roles_only(role: str) -> None:
    """A person with one role hears each README row of that role (in Danish and English), and no other."""
    who = Who(
        (("Solsikken", role), ("Mælkebøtten", role)) if role in ("member", "chair", "leader") else (), frozenset({role})
    )
    for locale, column in (("da", 0), ("en", 1)):
        said = "\n".join(help_text(texts(locale), who))
        for row in readme_table("chat"):
            commands = row[0] if column == 0 else row[1]
            line = " ".join(f"«{c}»" for c in commands)
            present = all(f"«{c}»" in said for c in commands) and texts(locale)(row[4]) in said
            if role in row[2]:
                assert present, (role, locale, line)
            elif not any(role in other[2] and other[column] == commands for other in readme_table("chat")):
                assert not any(f"«{c}»" in said for c in commands), (role, locale, line)


async def test_a_board_member_hears_the_board_commands_only(world: World, fatima: Talk) -> None:
    await fatima.say("hjælp")
    fatima.expect("I bestyrelsen for Solsikken kan I skrive:", "«tilbage»", "«send ind» – giv formanden besked")
    fatima.expect_not("«godkend", "«dækning»", "«statusside»", "«skift bestyrelse»", "Som formand")


async def test_the_admin_hears_the_admin_commands_and_is_not_told_to_start(world: World) -> None:
    admin = await world.talk("admin")
    await admin.say("hjælp")
    admin.expect("Som forvaltning kan du skrive:", "«godkend <institution>»", "«hvem mangler?»", "«statusside»")
    admin.expect_not("«start»", "«tilbage»", "«send ind»", "Skriv «start»")
    await admin.say("hej")
    admin.expect("Hej Anne Admin!", "«godkend <institution>»").expect_not("«start»", "Skriv «start»")


async def test_an_area_leader_hears_the_area_commands(world: World) -> None:
    mette = await world.talk("mette.noergaard")
    await mette.say("hjælp")
    mette.expect("Som områdeleder kan du skrive:", "«status <område eller institution>»", "«dækning»")
    mette.expect_not("«godkend", "«send ind»", "«tilbage»", "Skriv «start»")


async def test_an_institution_leader_is_greeted_as_a_leader_and_can_still_work_on_the_board(
    world: World, lone: Talk
) -> None:
    await lone.say("hej")
    lone.expect("Som leder af Solsikken kan du skrive:", "«vis <institution>»", "«hvem mangler?»")
    lone.expect_not("Hvilke lokale mål skal der til")  # not the board flow's first question
    await lone.choose("Arbejd med registreringen for Solsikken")
    lone.expect("Hvilke lokale mål skal der til for at opnå mål 1")


async def test_a_person_with_several_roles_sees_each(world: World, camilla: Talk) -> None:
    """Camilla sits on two boards; made area leader too, her help has both sections, each command once."""
    async with world.db.transaction() as s:
        person = await s.scalar(select(Person).where(Person.email_key == "camilla.dahl@demo.maalbot.dk"))
        area = await s.scalar(select(Area).where(Area.name == "Område Nord"))
        assert person is not None and area is not None
        s.add(Membership(person_id=person.id, role="area_leader", area_id=area.id))
    await camilla.say("hjælp")
    camilla.expect(
        "I bestyrelsen for Solsikken og Ærøvej Skole kan I skrive:",
        "«skift bestyrelse»",
        "Som områdeleder kan du skrive:",
        "«dækning»",
    )
    assert camilla.replies[0].text.count("«hjælp»") == 1  # each command once, in the first section that has it
