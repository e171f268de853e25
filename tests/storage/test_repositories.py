"""Contract suite for the storage repositories, run on SQLite and PostgreSQL (fixture `db`; on SQLite
only where the behaviour is the same SQL on both, `SQLITE_ONLY`).

Each test states behaviour the dialogs rely on, through the repository functions only; rows are
built with `tests.storage.factories`."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from storage import conversations, events, people, strategies
from storage.db import Database
from storage.models import (
    AuditEntry,
    ConversationState,
    Identity,
    InstitutionKind,
    ProcessedEvent,
    Registration,
    RegistrationStatus,
    Role,
    StrategicGoal,
)
from storage.registrations import (
    DraftWriter,
    LockedRegistration,
    StaleRegistration,
    changes_by_others,
    ensure_registration,
    load_draft,
    lock_registration,
)
from tests.storage import factories as f
from tests.storage.factories import KINDS

# The behaviour below is the same SQL on both backends (status rules, numbering, versions decided in
# Python): it runs on SQLite only. Locks, concurrency, constraints, JSON and case folding stay on both.
SQLITE_ONLY = pytest.mark.parametrize("db", ["sqlite"], indirect=True)

MEASURE = {
    "method": "Spørgeskema til forældre",
    "when": "efter jul og før sommer",
    "dates": ["2026-01-15", "2026-06-01"],
}
ANSWERS: dict[str, Any] = {
    "goal": "Alle børn føler sig trygge i frikvarteret",
    "why": "Trivselsmålingen viste et fald i 4.-6. klasse",
    "interventions": ["Legepatruljer", "Årlig trivselsdag", "Ændret gårdvagt"],  # order, not sorted
    "measure": MEASURE,
    "involve": "Elevrådet",
}


async def _writer_tx(db: Database, person_id: int | None, reg_id: int, *ops: Any) -> None:
    """Run `ops` (callables taking a DraftWriter) in one transaction on the locked registration."""
    async with db.transaction() as s:
        w = DraftWriter(s, await lock_registration(s, reg_id), KINDS, person_id)
        for op in ops:
            await op(w)


async def _version(db: Database, reg_id: int) -> int:
    async with db.transaction() as s:
        reg = await s.get(Registration, reg_id)
        assert reg is not None
        return reg.version


async def _audit(db: Database) -> list[tuple[Any, ...]]:
    async with db.transaction() as s:
        return await f.audit_rows(s)


# --- strategies -------------------------------------------------------------------------------------


async def test_save_strategy_creates_goals_then_updates_them_in_place(db: Database) -> None:
    async with db.transaction() as s:
        row, created = await strategies.save_strategy(s, f.definition())
        strategy_id = row.id
        goal_ids = {g.number: g.id for g in row.goals}
    assert created
    assert sorted(goal_ids) == [1, 2, 3]

    changed = f.definition(title="Strategi 2025 (revideret)", goals={1: "Trivsel og tryghed", 2: "Læring"})
    async with db.transaction() as s:
        row, created = await strategies.save_strategy(s, changed)
    assert not created and row.id == strategy_id

    async with db.transaction() as s:
        row2 = await strategies.strategy_by_key(s, "2025")
        assert row2 is not None
        goals = (
            await s.scalars(select(StrategicGoal).where(StrategicGoal.strategy_id == strategy_id).order_by("number"))
        ).all()
    assert row2.title == "Strategi 2025 (revideret)"
    assert row2.period_start is not None and row2.period_start.isoformat() == "2025-01-01"
    assert row2.deadline is not None and row2.deadline.isoformat() == "2025-06-30"
    assert row2.definition == changed
    assert [(g.id, g.number, g.title) for g in goals] == [
        (goal_ids[1], 1, "Trivsel og tryghed"),
        (goal_ids[2], 2, "Læring"),
    ]


@SQLITE_ONLY
async def test_active_strategy_is_the_one_loaded_last(db: Database) -> None:
    async with db.transaction() as s:
        assert await strategies.active_strategy(s) is None
        await strategies.save_strategy(s, f.definition("2025"))
    async with db.transaction() as s:
        await strategies.save_strategy(s, f.definition("2029", "Strategi 2029"))
    async with db.transaction() as s:
        active = await strategies.active_strategy(s)
        assert active is not None and active.key == "2029"
    async with db.transaction() as s:  # reloading the older strategy makes it the active one again
        await strategies.save_strategy(s, f.definition("2025"))
    async with db.transaction() as s:
        active = await strategies.active_strategy(s)
        assert active is not None and active.key == "2025"


@SQLITE_ONLY
async def test_strategy_by_key(db: Database) -> None:
    async with db.transaction() as s:
        await strategies.save_strategy(s, f.definition("2025"))
        await strategies.save_strategy(s, f.definition("2029", "Strategi 2029"))
    async with db.transaction() as s:
        found = await strategies.strategy_by_key(s, "2029")
        assert found is not None and found.title == "Strategi 2029"
        assert await strategies.strategy_by_key(s, "1999") is None


# --- people -----------------------------------------------------------------------------------------


async def test_person_by_email_ignores_case_including_danish_letters(db: Database) -> None:
    async with db.transaction() as s:
        aeble = await f.person(s, "Æble", "æble@x.dk")
        aase = await f.person(s, "Åse", "Åse.Ørn@X.dk")
    async with db.transaction() as s:
        for email in ("ÆBLE@X.DK", "æble@x.dk", "  Æble@x.Dk "):
            found = await people.person_by_email(s, email)
            assert found is not None and found.id == aeble.id, email
        for email in ("åse.ørn@x.dk", "ÅSE.ØRN@X.DK", "A\u030aSE.ØRN@X.DK"):  # the last: Å decomposed (NFD)
            found = await people.person_by_email(s, email)
            assert found is not None and found.id == aase.id, email
        assert await people.person_by_email(s, "aeble@x.dk") is None


@SQLITE_ONLY
async def test_link_identity_then_person_by_identity(db: Database) -> None:
    async with db.transaction() as s:
        aase = await f.person(s, "Åse", "aase@x.dk")
    async with db.transaction() as s:
        await people.link_identity(s, aase, "slack", "U123")
        await people.link_identity(s, aase, "slack", "U123")  # again: nothing new
    async with db.transaction() as s:
        found = await people.person_by_identity(s, "slack", "U123")
        assert found is not None and found.id == aase.id
        assert await people.person_by_identity(s, "teams", "U123") is None
        assert await people.person_by_identity(s, "slack", "u123") is None
        assert await f.count(s, Identity) == 1


async def test_relinking_a_user_key_moves_it_to_the_other_person(db: Database) -> None:
    async with db.transaction() as s:
        aase = await f.person(s, "Åse", "aase@x.dk")
        bo = await f.person(s, "Bo", "bo@x.dk")
        await people.link_identity(s, aase, "teams", "29:abc")
    async with db.transaction() as s:
        await people.link_identity(s, bo, "teams", "29:abc")
    async with db.transaction() as s:
        found = await people.person_by_identity(s, "teams", "29:abc")
        assert found is not None and found.id == bo.id
        rows = (await s.scalars(select(Identity))).all()
        assert [(r.person_id, r.platform, r.user_key) for r in rows] == [(bo.id, "teams", "29:abc")]


async def test_boards_of_gives_the_strongest_role_per_institution_sorted_casefold(db: Database) -> None:
    async with db.transaction() as s:
        nord = await f.area(s, "Nord")
        syd = await f.area(s, "Syd")
        aero = await f.institution(s, nord, "Ærø Skole")
        bakke = await f.institution(s, syd, "bakkehuset", InstitutionKind.DAGTILBUD)
        anemone = await f.institution(s, nord, "Anemonen", InstitutionKind.DAGTILBUD)
        other = await f.institution(s, nord, "Other Skole")
        aase = await f.person(s, "Åse", "aase@x.dk")
        await f.role(s, aase, Role.MEMBER, inst=aero)
        await f.role(s, aase, Role.CHAIR, inst=aero)
        await f.role(s, aase, Role.MEMBER, inst=bakke)
        await f.role(s, aase, Role.LEADER, inst=anemone)
        await f.role(s, aase, Role.MEMBER, inst=anemone)
        await f.role(s, aase, Role.AREA_LEADER, area_row=nord)  # not a board
        await f.role(s, aase, Role.ADMIN)  # not a board
        bo = await f.person(s, "Bo", "bo@x.dk")
        await f.role(s, bo, Role.CHAIR, inst=other)
    async with db.transaction() as s:
        boards = await people.boards_of(s, aase.id)
        assert await people.boards_of(s, 999_999) == []
    assert [(b.institution_name, b.area_name, b.role, b.can_submit) for b in boards] == [
        ("Anemonen", "Nord", "leader", True),
        ("bakkehuset", "Syd", "member", False),
        ("Ærø Skole", "Nord", "chair", True),
    ]
    assert [b.institution_id for b in boards] == [anemone.id, bakke.id, aero.id]


@SQLITE_ONLY
async def test_board_people_by_roles(db: Database) -> None:
    async with db.transaction() as s:
        nord = await f.area(s, "Nord")
        aero = await f.institution(s, nord, "Ærø Skole")
        other = await f.institution(s, nord, "Other Skole")
        chair = await f.person(s, "Cecilie", "c@x.dk")
        member = await f.person(s, "Bo", "b@x.dk")
        leader = await f.person(s, "Anders", "a@x.dk")
        outsider = await f.person(s, "Dorte", "d@x.dk")
        await f.role(s, chair, Role.MEMBER, inst=aero)
        await f.role(s, chair, Role.CHAIR, inst=aero)
        await f.role(s, member, Role.MEMBER, inst=aero)
        await f.role(s, leader, Role.LEADER, inst=aero)
        await f.role(s, outsider, Role.CHAIR, inst=other)
    async with db.transaction() as s:
        submitters = await people.board_people(s, aero.id, people.SUBMIT_ROLES)
        everyone = await people.board_people(s, aero.id, people.BOARD_ROLES)
        members = await people.board_people(s, aero.id, (Role.MEMBER.value,))
    assert [p.name for p in submitters] == ["Anders", "Cecilie"]
    assert [p.name for p in everyone] == ["Anders", "Bo", "Cecilie"]  # Cecilie once, though two roles
    assert [p.name for p in members] == ["Bo", "Cecilie"]


# --- registrations ----------------------------------------------------------------------------------


async def test_ensure_registration_is_idempotent(db: Database) -> None:
    board = await f.board(db)
    async with db.transaction() as s:
        again = await ensure_registration(s, board.institution_id, board.strategy_id)
        assert again.id == board.registration_id
        assert (again.version, again.status) == (0, RegistrationStatus.DRAFT.value)
        assert await f.count(s, Registration) == 1


async def test_concurrent_ensure_registration_makes_one_row(db: Database) -> None:
    board = await f.board(db)
    async with db.transaction() as s:
        fresh, _ = await strategies.save_strategy(s, f.definition("2029", "Strategi 2029"))

    async def ensure() -> int:
        async with db.transaction() as s:
            reg = await ensure_registration(s, board.institution_id, fresh.id)
            await asyncio.sleep(0.01)  # hold the transaction open so the others overlap
            return reg.id

    ids = await asyncio.gather(*(ensure() for _ in range(5)))
    assert len(set(ids)) == 1
    async with db.transaction() as s:
        assert await f.count(s, Registration) == 2


@SQLITE_ONLY
async def test_add_local_goal_numbers_positions_per_strategic_goal(db: Database) -> None:
    board = await f.board(db)
    got: list[tuple[int, int]] = []

    def add(goal: int, text: str) -> Any:
        async def op(w: DraftWriter) -> None:
            got.append((goal, await w.add_local_goal(goal, text)))

        return op

    await _writer_tx(db, board.chair_id, board.registration_id, add(1, "A"), add(2, "X"), add(1, "B"))
    await _writer_tx(db, board.member_id, board.registration_id, add(1, "C"))
    assert got == [(1, 1), (2, 1), (1, 2), (1, 3)]
    async with db.transaction() as s:
        draft = await load_draft(s, board.registration_id, KINDS)
    assert [(g.goal_number, g.position, g.answers["goal"]) for g in draft.local_goals] == [
        (1, 1, "A"),
        (1, 2, "B"),
        (1, 3, "C"),
        (2, 1, "X"),
    ]
    assert draft.version == 4
    assert draft.institution_name == "Ærø Skole"
    assert [g.updated_by for g in draft.goals_under(1)] == ["Åse Ørsted", "Åse Ørsted", "Bo Æbelø"]


async def test_answers_of_every_kind_round_trip_through_load_draft(db: Database) -> None:
    board = await f.board(db)

    async def fill(w: DraftWriter) -> None:  # in the same transaction as the goal is added
        await w.add_local_goal(1, "kladde")
        for key, value in ANSWERS.items():
            await w.set_answer(1, 1, key, value)

    await _writer_tx(db, board.chair_id, board.registration_id, fill)
    async with db.transaction() as s:
        draft = await load_draft(s, board.registration_id, KINDS)
    lg = draft.local_goal(1, 1)
    assert lg is not None
    assert lg.answers == ANSWERS
    assert draft.version == 1 + len(ANSWERS)

    shorter = {"interventions": ["Årlig trivselsdag"], "measure": {**MEASURE, "dates": ["2026-03-01"]}}

    async def change(w: DraftWriter) -> None:  # in a later transaction: replace list items and dates
        for key, value in shorter.items():
            await w.set_answer(1, 1, key, value)

    await _writer_tx(db, board.member_id, board.registration_id, change)
    async with db.transaction() as s:
        lg = (await load_draft(s, board.registration_id, KINDS)).local_goal(1, 1)
    assert lg is not None and lg.answers == {**ANSWERS, **shorter}
    assert lg.updated_by == "Bo Æbelø"


async def test_setting_an_unchanged_value_is_a_no_op(db: Database) -> None:
    board = await f.board(db)

    async def fill(w: DraftWriter) -> None:
        await w.add_local_goal(1, ANSWERS["goal"])
        for key, value in ANSWERS.items():
            await w.set_answer(1, 1, key, value)

    await _writer_tx(db, board.chair_id, board.registration_id, fill)
    version, audit = await _version(db, board.registration_id), await _audit(db)

    async def same(w: DraftWriter) -> None:  # equal values, new objects
        for key, value in json.loads(json.dumps(ANSWERS)).items():
            await w.set_answer(1, 1, key, value)

    await _writer_tx(db, board.member_id, board.registration_id, same)
    assert await _version(db, board.registration_id) == version
    assert await _audit(db) == audit
    async with db.transaction() as s:
        lg = (await load_draft(s, board.registration_id, KINDS)).local_goal(1, 1)
    assert lg is not None and lg.updated_by == "Åse Ørsted"


@SQLITE_ONLY
async def test_every_change_bumps_the_version_once_and_is_audited(db: Database) -> None:
    board = await f.board(db)

    async def first(w: DraftWriter) -> None:
        await w.add_local_goal(2, "Mål")
        await w.set_answer(2, 1, "interventions", ["Æblehave"])
        await w.set_answer(2, 1, "measure", MEASURE)

    async def second(w: DraftWriter) -> None:
        await w.set_answer(2, 1, "goal", "Mål, skærpet")
        await w.set_answer(2, 1, "interventions", ["Æblehave", "Ølejr"])
        await w.set_answer(2, 1, "involve", "Forældre")
        await w.set_answer(2, 1, "involve", None)

    await _writer_tx(db, board.chair_id, board.registration_id, first)
    await _writer_tx(db, board.member_id, board.registration_id, second)
    assert await _version(db, board.registration_id) == 7
    measure_json = json.dumps(MEASURE, ensure_ascii=False)
    rows = [row[2:] for row in await _audit(db)]  # (person, version, goal, field, before, after)
    c, m = board.chair_id, board.member_id
    assert rows == [
        (c, 1, 2, "goal 2/local goal 1/goal", None, "Mål"),
        (c, 2, 2, "goal 2/local goal 1/interventions", None, '["Æblehave"]'),
        (c, 3, 2, "goal 2/local goal 1/measure", None, measure_json),
        (m, 4, 2, "goal 2/local goal 1/goal", "Mål", "Mål, skærpet"),
        (m, 5, 2, "goal 2/local goal 1/interventions", '["Æblehave"]', '["Æblehave", "Ølejr"]'),
        (m, 6, 2, "goal 2/local goal 1/involve", None, "Forældre"),
        (m, 7, 2, "goal 2/local goal 1/involve", "Forældre", None),
    ]
    assert json.loads(rows[2][5]) == MEASURE
    async with db.transaction() as s:
        lg = (await load_draft(s, board.registration_id, KINDS)).local_goal(2, 1)
    assert lg is not None and "involve" not in lg.answers


async def test_delete_local_goal_renumbers_later_positions(db: Database) -> None:
    board = await f.board(db)

    async def fill(w: DraftWriter) -> None:
        for text in ("A", "B", "C", "D"):
            await w.add_local_goal(1, text)
        await w.set_answer(1, 3, "interventions", ["c1", "c2"])
        await w.set_answer(1, 4, "measure", MEASURE)
        await w.add_local_goal(2, "X")

    await _writer_tx(db, board.chair_id, board.registration_id, fill)
    version = await _version(db, board.registration_id)
    await _writer_tx(db, board.member_id, board.registration_id, lambda w: w.delete_local_goal(1, 2))
    async with db.transaction() as s:
        draft = await load_draft(s, board.registration_id, KINDS)
    assert draft.version == version + 1
    assert [(g.goal_number, g.position, g.answers) for g in draft.local_goals] == [
        (1, 1, {"goal": "A"}),
        (1, 2, {"goal": "C", "interventions": ["c1", "c2"]}),  # answers move with their goal
        (1, 3, {"goal": "D", "measure": MEASURE}),
        (2, 1, {"goal": "X"}),
    ]
    assert (await _audit(db))[-1][2:] == (board.member_id, version + 1, 1, "goal 1/local goal 2", "B", None)

    await _writer_tx(db, board.member_id, board.registration_id, lambda w: w.delete_local_goal(1, 1))
    async with db.transaction() as s:
        draft = await load_draft(s, board.registration_id, KINDS)
    assert [(g.goal_number, g.position, g.answers["goal"]) for g in draft.local_goals] == [
        (1, 1, "C"),
        (1, 2, "D"),
        (2, 1, "X"),
    ]
    with pytest.raises(LookupError):
        await _writer_tx(db, board.member_id, board.registration_id, lambda w: w.delete_local_goal(1, 3))


async def test_submitting_records_who_and_when(db: Database) -> None:
    board = await f.board(db)
    before = datetime.now(UTC)
    await _writer_tx(
        db,
        board.chair_id,
        board.registration_id,
        lambda w: w.add_local_goal(1, "A"),
        lambda w: w.mark_ready(),
        lambda w: w.set_status(RegistrationStatus.SUBMITTED),
    )
    async with db.transaction() as s:
        draft = await load_draft(s, board.registration_id, KINDS)
        reg = await s.get(Registration, board.registration_id)
    assert reg is not None and reg.submitted_by_id == board.chair_id
    assert draft.status == RegistrationStatus.SUBMITTED.value
    assert draft.submitted_by == "Åse Ørsted"
    assert draft.submitted_at is not None and before <= draft.submitted_at <= datetime.now(UTC)
    assert not draft.ready_for_chair
    assert draft.version == 3
    assert (await _audit(db))[-1][5:] == ("status", "draft", "submitted")


@SQLITE_ONLY
async def test_an_approved_registration_is_locked_against_content_changes(db: Database) -> None:
    board = await f.board(db)
    await _writer_tx(
        db,
        board.chair_id,
        board.registration_id,
        lambda w: w.add_local_goal(1, "A"),
        lambda w: w.set_status(RegistrationStatus.SUBMITTED),
    )
    await _writer_tx(db, None, board.registration_id, lambda w: w.set_status(RegistrationStatus.APPROVED))
    version, audit = await _version(db, board.registration_id), await _audit(db)
    for op in (
        lambda w: w.add_local_goal(1, "B"),
        lambda w: w.set_answer(1, 1, "goal", "A2"),
        lambda w: w.set_answer(1, 1, "interventions", ["i"]),
        lambda w: w.delete_local_goal(1, 1),
        lambda w: w.mark_ready(),
    ):
        with pytest.raises(LockedRegistration):
            await _writer_tx(db, board.chair_id, board.registration_id, op)
    assert await _version(db, board.registration_id) == version
    assert await _audit(db) == audit
    async with db.transaction() as s:
        draft = await load_draft(s, board.registration_id, KINDS)
    assert [g.answers for g in draft.local_goals] == [{"goal": "A"}]


@SQLITE_ONLY
async def test_a_writer_holding_an_old_version_gets_stale_registration(db: Database) -> None:
    board = await f.board(db)
    async with db.transaction() as s:  # tx A: both writers read version 0
        seen = await lock_registration(s, board.registration_id)
    assert seen.version == 0
    async with db.transaction() as s:  # tx B: the first writer changes the draft
        first = DraftWriter(s, await lock_registration(s, board.registration_id), KINDS, board.chair_id)
        await first.add_local_goal(1, "Åses mål")
    with pytest.raises(StaleRegistration):
        async with db.transaction() as s:  # tx C: the second writer still holds version 0
            second = DraftWriter(s, seen, KINDS, board.member_id)
            await second.add_local_goal(1, "Bos mål")
    async with db.transaction() as s:
        draft = await load_draft(s, board.registration_id, KINDS)
    assert draft.version == 1
    assert [g.answers["goal"] for g in draft.local_goals] == ["Åses mål"]
    assert len(await _audit(db)) == 1


async def test_lock_registration_returns_the_row_as_committed_when_the_lock_is_granted(db: Database) -> None:
    """As in a message: `ensure_registration` reads the row, then `lock_registration` waits for
    another member's transaction. The writer must start from that transaction's version."""
    board = await f.board(db)
    started, read = asyncio.Event(), asyncio.Event()

    async def other_member() -> None:
        async with db.transaction() as s:
            w = DraftWriter(s, await lock_registration(s, board.registration_id), KINDS, board.chair_id)
            await w.add_local_goal(1, "Åses mål")
            started.set()
            if not db.is_sqlite:  # SQLite: BEGIN IMMEDIATE keeps the other transaction out anyway
                await read.wait()

    async def me() -> None:
        await started.wait()
        async with db.transaction() as s:
            held = await ensure_registration(s, board.institution_id, board.strategy_id)  # kept in the session
            assert held.version == (1 if db.is_sqlite else 0)
            read.set()
            reg = await lock_registration(s, board.registration_id)  # waits for the other member
            assert reg is held and reg.version == 1
            await DraftWriter(s, reg, KINDS, board.member_id).add_local_goal(1, "Bos mål")

    await asyncio.gather(other_member(), me())
    async with db.transaction() as s:
        draft = await load_draft(s, board.registration_id, KINDS)
    assert draft.version == 2
    assert [g.answers["goal"] for g in draft.local_goals] == ["Åses mål", "Bos mål"]


@SQLITE_ONLY
async def test_changes_by_others_are_the_other_peoples_entries_after_a_version(db: Database) -> None:
    board = await f.board(db)
    await _writer_tx(db, board.chair_id, board.registration_id, lambda w: w.add_local_goal(1, "A"))
    await _writer_tx(
        db,
        board.member_id,
        board.registration_id,
        lambda w: w.add_local_goal(1, "B"),
        lambda w: w.set_answer(1, 2, "interventions", ["Ø"]),
    )
    seen = await _version(db, board.registration_id)
    await _writer_tx(
        db,
        board.member_id,
        board.registration_id,
        lambda w: w.add_local_goal(3, "C"),
        lambda w: w.set_answer(1, 2, "why", "Fordi"),
    )
    await _writer_tx(db, board.chair_id, board.registration_id, lambda w: w.set_answer(1, 1, "why", "Derfor"))
    await _writer_tx(db, None, board.registration_id, lambda w: w.set_status(RegistrationStatus.RETURNED))
    async with db.transaction() as s:
        for_chair = await changes_by_others(s, board.registration_id, seen, board.chair_id)
        for_member = await changes_by_others(s, board.registration_id, seen, board.member_id)
        everything = await changes_by_others(s, board.registration_id, 0, board.chair_id)
    assert [(c.person_name, c.goal_number, c.position, c.field, c.after) for c in for_chair] == [
        ("Bo Æbelø", 3, 1, "goal 3/local goal 1/goal", "C"),
        ("Bo Æbelø", 1, 2, "goal 1/local goal 2/why", "Fordi"),
        (None, None, None, "status", "returned"),  # nobody's (the administration's) changes count too
    ]
    assert [(c.person_name, c.position, c.field) for c in for_member] == [
        ("Åse Ørsted", 1, "goal 1/local goal 1/why"),
        (None, None, "status"),
    ]
    assert [c.after for c in everything[:2]] == ["B", '["Ø"]']


# --- conversations ----------------------------------------------------------------------------------


async def test_lock_state_creates_one_row_per_person_and_platform(db: Database) -> None:
    async with db.transaction() as s:
        aase = await f.person(s, "Åse", "aase@x.dk")
    async with db.transaction() as s:
        first = await conversations.lock_state(s, aase.id, "slack")
        again = await conversations.lock_state(s, aase.id, "slack")
        assert again is first
    async with db.transaction() as s:
        later = await conversations.lock_state(s, aase.id, "slack")
        teams = await conversations.lock_state(s, aase.id, "teams")
        assert await f.count(s, ConversationState) == 2
    assert later.id == first.id and later.data == {}
    assert teams.id != first.id


async def test_concurrent_first_messages_share_one_state_row(db: Database) -> None:
    async with db.transaction() as s:
        aase = await f.person(s, "Åse", "aase@x.dk")

    async def message(n: int) -> int:
        async with db.transaction() as s:
            row = await conversations.lock_state(s, aase.id, "slack")
            conversations.save_state(row, {**row.data, f"m{n}": n})
            await asyncio.sleep(0.01)
            return row.id

    ids = await asyncio.gather(*(message(n) for n in range(4)))
    assert len(set(ids)) == 1
    async with db.transaction() as s:
        row = await conversations.lock_state(s, aase.id, "slack")
    assert row.data == {"m0": 0, "m1": 1, "m2": 2, "m3": 3}  # the lock serialised the four updates


async def test_save_state_round_trips(db: Database) -> None:
    async with db.transaction() as s:
        aase = await f.person(s, "Åse", "aase@x.dk")
    data = {"step": "answer", "registration_id": 7, "draft": {"text": "Æbler på ø", "items": ["å", 2, None]}}
    async with db.transaction() as s:
        conversations.save_state(await conversations.lock_state(s, aase.id, "console"), data)
    async with db.transaction() as s:
        row = await conversations.lock_state(s, aase.id, "console")
        assert row.data == data
        stamped = row.updated_at
        mutated = row.data  # the dialogs may change the loaded dict in place and save it
        mutated["draft"]["items"].append("ny")
        mutated["step"] = "done"
        conversations.save_state(row, mutated)
    async with db.transaction() as s:
        row = await conversations.lock_state(s, aase.id, "console")
        assert row.data["step"] == "done" and row.data["draft"]["items"] == ["å", 2, None, "ny"]
        assert row.updated_at >= stamped


@SQLITE_ONLY
async def test_notices_are_delivered_once(db: Database) -> None:
    async with db.transaction() as s:
        aase = await f.person(s, "Åse", "aase@x.dk")
        bo = await f.person(s, "Bo", "bo@x.dk")
    async with db.transaction() as s:
        await conversations.add_notice(s, aase.id, "ready_for_chair", {"institution": "Ærø Skole"})
        await conversations.add_notice(s, aase.id, "returned", {"comment": "Uddyb mål 2"})
        await conversations.add_notice(s, bo.id, "returned", {})
    async with db.transaction() as s:
        taken = await conversations.take_notices(s, aase.id)
    assert [(n.kind, n.params) for n in taken] == [
        ("ready_for_chair", {"institution": "Ærø Skole"}),
        ("returned", {"comment": "Uddyb mål 2"}),
    ]
    assert all(n.delivered_at is not None for n in taken)
    async with db.transaction() as s:
        assert await conversations.take_notices(s, aase.id) == []
        assert [n.kind for n in await conversations.take_notices(s, bo.id)] == ["returned"]


async def test_concurrent_takes_deliver_each_notice_once(db: Database) -> None:
    async with db.transaction() as s:
        aase = await f.person(s, "Åse", "aase@x.dk")
        for n in range(3):
            await conversations.add_notice(s, aase.id, "n", {"n": n})

    async def take() -> list[int]:
        async with db.transaction() as s:
            taken = await conversations.take_notices(s, aase.id)
            await asyncio.sleep(0.01)  # e.g. the Slack and the console message at the same moment
            return [n.params["n"] for n in taken]

    results = await asyncio.gather(*(take() for _ in range(4)))
    assert sorted(n for r in results for n in r) == [0, 1, 2]


# --- events -----------------------------------------------------------------------------------------


async def test_first_time_is_true_once(db: Database) -> None:
    assert await events.first_time(db, "slack", "Ev1")
    assert not await events.first_time(db, "slack", "Ev1")
    assert await events.first_time(db, "teams", "Ev1")  # per platform
    assert await events.first_time(db, "slack", "ev1")  # ids are exact


async def test_concurrent_first_time_calls_give_exactly_one_true(db: Database) -> None:
    results = await asyncio.gather(*(events.first_time(db, "slack", "Ev-race") for _ in range(10)))
    assert sorted(results) == [False] * 9 + [True]
    async with db.transaction() as s:
        assert await f.count(s, ProcessedEvent) == 1


async def test_forget_before_deletes_only_old_records(db: Database) -> None:
    now = datetime.now(UTC)
    async with db.transaction() as s:
        s.add(ProcessedEvent(platform="slack", event_id="old", received_at=now - timedelta(days=3)))
        s.add(ProcessedEvent(platform="teams", event_id="older", received_at=now - timedelta(days=30)))
    assert await events.first_time(db, "slack", "new")
    assert await events.forget_before(db, now - timedelta(days=1)) == 2
    assert await events.forget_before(db, now - timedelta(days=1)) == 0
    assert not await events.first_time(db, "slack", "new")
    assert await events.first_time(db, "slack", "old")  # forgotten, so new again


# --- audit log ----------------------------------------------------------------------------------------


async def test_the_audit_log_only_grows(db: Database) -> None:
    board = await f.board(db)
    reg = board.registration_id
    steps: list[tuple[int | None, Any]] = [
        (board.chair_id, lambda w: w.add_local_goal(1, "A")),
        (board.chair_id, lambda w: w.add_local_goal(1, "B")),
        (board.member_id, lambda w: w.set_answer(1, 2, "interventions", ["x", "y"])),
        (board.member_id, lambda w: w.set_answer(1, 2, "interventions", ["x", "y"])),  # no-op
        (board.member_id, lambda w: w.set_answer(1, 2, "measure", MEASURE)),
        (board.member_id, lambda w: w.set_answer(1, 2, "measure", None)),
        (board.chair_id, lambda w: w.delete_local_goal(1, 1)),
        (board.member_id, lambda w: w.mark_ready()),
        (board.chair_id, lambda w: w.set_status(RegistrationStatus.SUBMITTED)),
        (None, lambda w: w.set_status(RegistrationStatus.RETURNED, comment="Uddyb")),
        (board.chair_id, lambda w: w.delete_local_goal(1, 1)),
    ]
    log = await _audit(db)
    for person_id, op in steps:
        await _writer_tx(db, person_id, reg, op)
        async with db.transaction() as s:  # reading must not touch the log either
            await load_draft(s, reg, KINDS)
            await changes_by_others(s, reg, 0, board.chair_id)
            await ensure_registration(s, board.institution_id, board.strategy_id)
        grown = await _audit(db)
        assert grown[: len(log)] == log  # earlier entries unchanged and still there
        log = grown
    assert len(log) == len(steps) - 1  # all but the no-op
    assert [entry[3] for entry in log] == list(range(1, len(log) + 1))  # versions, in order
    async with db.transaction() as s:
        assert await f.count(s, AuditEntry) == len(log)
