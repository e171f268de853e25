"""The administration approves, returns and reopens in chat; the board hears about it."""

from __future__ import annotations

import argparse

import pytest
from sqlalchemy import select

from bot.cli_admin import add_admin_parsers, run_admin
from dialogs.approval import (
    AdminCommand,
    Approvals,
    admin_choice_id,
    parse_admin_choice,
    parse_admin_command,
    render_admin_notice,
)
from dialogs.messages import Reply
from dialogs.notices import render_notice
from dialogs.service import kinds_of, strategy_of
from dialogs.texts import texts
from storage import registrations, strategies
from storage.models import Institution, Notice, Person, RegistrationStatus
from tests.dialogs.talk import NOW, PLATFORM, World


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("godkend Solsikken", AdminCommand("approve", "Solsikken")),
        ("Godkend   solsikken!", AdminCommand("approve", "solsikken!")),
        ("approve Ærøvej Skole", AdminCommand("approve", "Ærøvej Skole")),
        (
            "send retur Solsikken: Mangler målinger for mål 2",
            AdminCommand("return", "Solsikken", "Mangler målinger for mål 2"),
        ),
        ("returner Solsikken: ret mål 1", AdminCommand("return", "Solsikken", "ret mål 1")),
        ("return Solsikken: add measurements", AdminCommand("return", "Solsikken", "add measurements")),
        ("send retur Solsikken", AdminCommand("return", "Solsikken")),
        ("genåbn Solsikken", AdminCommand("reopen", "Solsikken")),
        ("genåbn Solsikken som kladde", AdminCommand("reopen", "Solsikken", to="draft")),
        ("reopen Solsikken as draft", AdminCommand("reopen", "Solsikken", to="draft")),
        ("maalbot godkend Solsikken", AdminCommand("approve", "Solsikken")),
    ],
)
def test_parse_admin_command(text: str, expected: AdminCommand) -> None:
    assert parse_admin_command(text) == expected


@pytest.mark.parametrize("text", ["godkend", "status", "Alle børn skal godkendes", "approvement", "hej", "return"])
def test_other_text_is_not_an_admin_command(text: str) -> None:
    assert parse_admin_command(text) is None


def test_choice_ids_carry_the_command_and_reject_forgeries() -> None:
    command = AdminCommand("return", "Solsikken", "Mangler: mål 2", "submitted")
    assert parse_admin_choice(admin_choice_id(command)) == command
    assert parse_admin_choice("admin:not json") is None
    assert parse_admin_choice('admin:["delete", "Solsikken", null, "submitted"]') is None
    assert parse_admin_choice("goal:2") is None


async def _person_id(world: World, login: str) -> int:
    person = await world.service.identify(PLATFORM, f"U-{login}", email=f"{login}@demo.maalbot.dk")
    assert person is not None
    return person.id


async def _submit(world: World, institution: str, by: str = "soeren.oestergaard") -> None:
    """The board submits (through the storage, as the conversation would)."""
    person_id = await _person_id(world, by)
    async with world.db.transaction() as s:
        row = await strategies.active_strategy(s)
        assert row is not None
        inst = await s.scalar(select(Institution).where(Institution.name == institution))
        assert inst is not None
        reg = await registrations.ensure_registration(s, inst.id, row.id)
        await s.flush()
        writer = registrations.DraftWriter(s, reg, kinds_of(strategy_of(row)), person_id)
        await writer.add_local_goal(1, "Alle børn har en fast voksen")
        await writer.set_status(RegistrationStatus.SUBMITTED)


async def _notices(world: World) -> list[tuple[str, str]]:
    """(person, notice as the person reads it in Danish), oldest first."""
    async with world.db.transaction() as s:
        rows = (await s.execute(select(Person.name, Notice.kind, Notice.params).join(Person).order_by(Notice.id))).all()
    return [(name, render_admin_notice(texts("da"), kind, params) or kind) for name, kind, params in rows]


def _text(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


async def test_admin_approves_and_the_board_is_told(world: World) -> None:
    await _submit(world, "Solsikken")
    admin = await _person_id(world, "admin")
    approvals = Approvals(world.db, clock=lambda: NOW)
    command = parse_admin_command("godkend solsikken")
    assert command is not None and command == AdminCommand("approve", "solsikken")
    replies = await approvals.answer(admin, command, "da")
    assert "Registreringen for Solsikken er godkendt og låst." in _text(replies)
    assert (await world.registration("Solsikken")) is not None
    assert (await world.institution("Solsikken"))["status"] == "approved"
    notices = await _notices(world)
    assert ("Fatima Ali", "Forvaltningen har godkendt registreringen for Solsikken. Den er nu låst.") in notices
    assert {name for name, _ in notices} == {"Søren Østergaard", "Fatima Ali", "Camilla Dahl", "Peter Holm", "Lone Bæk"}
    fatima = await world.talk("fatima.ali")
    await fatima.say("hej")
    await fatima.say("indsend")
    fatima.expect("Forvaltningen har godkendt registreringen, og den er nu låst.")


async def test_admin_returns_with_a_comment_and_the_chair_can_resubmit(world: World) -> None:
    await _submit(world, "Solsikken")
    admin = await _person_id(world, "admin")
    approvals = Approvals(world.db, clock=lambda: NOW)
    command = parse_admin_command("send retur Solsikken: Mangler målinger")
    assert command is not None
    replies = await approvals.answer(admin, command, "da")
    assert "sendt retur til bestyrelsen" in _text(replies)
    audit = await world.audit()
    assert audit[-1][:4] == ("Anne Admin", "status", "submitted", "returned: Mangler målinger")
    chair_notices = [text for name, text in await _notices(world) if name == "Søren Østergaard"]
    assert len(chair_notices) == 1
    assert "sendt registreringen for Solsikken retur" in chair_notices[0]
    assert chair_notices[0].endswith("Mangler målinger")
    # The engine treats "returned" as writable: the board can change it (and submit it again).
    soeren = await world.talk("soeren.oestergaard")
    await soeren.say("hej")
    await soeren.say("Trivselsmålingen viser fremgang")
    soeren.expect_not("låst")
    reg = await world.registration("Solsikken")
    assert reg is not None and reg.status == "returned"


async def test_reopen_and_wrong_status(world: World) -> None:
    await _submit(world, "Solsikken")
    admin = await _person_id(world, "admin")
    approvals = Approvals(world.db, clock=lambda: NOW)
    replies = await approvals.answer(admin, AdminCommand("reopen", "Solsikken"), "en")
    assert "Only an approved registration can be reopened; the one for Solsikken is submitted." in _text(replies)
    await approvals.answer(admin, AdminCommand("approve", "Solsikken"), "en")
    replies = await approvals.answer(admin, AdminCommand("approve", "Solsikken"), "en")
    assert "is approved" in _text(replies) and replies[0].kind == "error"
    replies = await approvals.answer(admin, AdminCommand("reopen", "solsiken", to="draft"), "en")
    assert "reopened and is now in progress" in _text(replies)
    assert (await world.institution("Solsikken"))["status"] == "draft"


async def test_not_started_unknown_and_ambiguous_names(world: World) -> None:
    admin = await _person_id(world, "admin")
    approvals = Approvals(world.db, clock=lambda: NOW)
    assert "has not started" in _text(await approvals.answer(admin, AdminCommand("approve", "Mælkebøtten"), "en"))
    assert "cannot find" in _text(await approvals.answer(admin, AdminCommand("approve", "Atlantis"), "en"))
    replies = await approvals.answer(admin, AdminCommand("return", "skole", "Mangler mål 3"), "en")
    labels = [c.label for c in replies[0].choices]
    assert labels == ["Bøgeskov Skole", "Søndermarkskolen", "Ærøvej Skole"]
    assert parse_admin_choice(replies[0].choices[2].id) == AdminCommand("return", "Ærøvej Skole", "Mangler mål 3")


async def test_return_without_a_comment_asks_for_one(world: World) -> None:
    await _submit(world, "Solsikken")
    admin = await _person_id(world, "admin")
    replies = await Approvals(world.db, clock=lambda: NOW).answer(admin, AdminCommand("return", "Solsikken"), "da")
    assert "efter et kolon" in _text(replies)
    assert (await world.institution("Solsikken"))["status"] == "submitted"


@pytest.mark.parametrize("login", ["lone.baek", "mette.noergaard", "soeren.oestergaard"])
async def test_only_admins_decide_and_refusals_leak_no_names(world: World, login: str) -> None:
    await _submit(world, "Solsikken")
    person = await _person_id(world, login)
    approvals = Approvals(world.db, clock=lambda: NOW)
    for target in ("Solsikken", "Atlantis", "skole"):
        replies = await approvals.answer(person, AdminCommand("approve", target), "da")
        assert _text(replies) == "Kun forvaltningen kan godkende, sende retur og genåbne registreringer."
        assert not replies[0].choices
    assert (await world.institution("Solsikken"))["status"] == "submitted"
    assert await world.count(Notice) == 0


def test_render_admin_notice_in_both_languages() -> None:
    params = {"institution": "Solsikken", "comment": "Mangler målinger"}
    da = render_admin_notice(texts("da"), "returned", params)
    en = render_admin_notice(texts("en"), "returned", params)
    assert da is not None and "Solsikken" in da and "Mangler målinger" in da
    assert en is not None and en.startswith("The administration has returned")
    assert render_admin_notice(texts("da"), "approved", {"institution": "X", "comment": ""}) == (
        "Forvaltningen har godkendt registreringen for X. Den er nu låst."
    )
    assert render_admin_notice(texts("da"), "submitted", params) is None
    assert render_notice(texts("da"), "submitted", {"name": "A", "institution": "X"})  # untouched


# -- the same from the command line (bot/cli_admin.py) ---------------------------------------------


def _cli_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="maalbot")
    add_admin_parsers(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["registration", *argv])


async def test_cli_approves_returns_and_reopens(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    await _submit(world, "Solsikken")
    by = ("--by", "ADMIN@demo.maalbot.dk")
    assert await run_admin(_cli_args("approve", "solsikken", *by), world.db) == 0
    assert "Solsikken: submitted -> approved. 5 people on the board will be told." in capsys.readouterr().out
    assert await run_admin(_cli_args("reopen", "Solsikken", "--to", "draft", *by), world.db) == 0
    assert (await world.institution("Solsikken"))["status"] == "draft"
    assert await run_admin(_cli_args("return", "Solsikken", "--comment", "Mangler mål 2", *by), world.db) == 1
    assert "it is draft" in capsys.readouterr().err
    audit = [(name, before, after) for name, field, before, after, _ in await world.audit() if field == "status"]
    assert audit[-2:] == [("Anne Admin", "submitted", "approved"), ("Anne Admin", "approved", "draft")]


async def test_cli_refuses_non_admins_and_unknown_people(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    await _submit(world, "Solsikken")
    assert await run_admin(_cli_args("approve", "Solsikken", "--by", "lone.baek@demo.maalbot.dk"), world.db) == 1
    assert "is not an admin" in capsys.readouterr().err
    assert await run_admin(_cli_args("approve", "Solsikken", "--by", "nobody@example.dk"), world.db) == 1
    assert "not a known person" in capsys.readouterr().err
    assert (await world.institution("Solsikken"))["status"] == "submitted"
    with pytest.raises(SystemExit):
        _cli_args("return", "Solsikken", "--by", "admin@demo.maalbot.dk")  # --comment is required
