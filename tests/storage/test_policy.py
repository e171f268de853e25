"""The policy (storage/policy.py) as tables: who may do what, and who is told what, for a board
member, a chair, an institution leader, an area leader, an admin and a person with several roles; then
the same table read through the places that use it (the reminder snapshot, the storage functions over
the demo municipality)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.reminders.model import MembershipInfo, PersonInfo, Snapshot
from storage import approval, people, policy, progress
from storage.db import Database
from storage.org import import_org
from storage.org_file import parse_org_file
from storage.policy import ADMIN, AREA_LEADER, CHAIR, LEADER, MEMBER, Action, Grant, Occasion

# A small world: area 1 holds institutions 10 and 11, area 2 holds institution 20.
AREA_OF = {10: 1, 11: 1, 20: 2}
PERSONAS: dict[str, tuple[Grant, ...]] = {
    "member": (Grant(MEMBER, 10),),
    "chair": (Grant(CHAIR, 10),),
    "leader": (Grant(LEADER, 10),),
    "area_leader": (Grant(AREA_LEADER, area_id=1),),
    "admin": (Grant(ADMIN),),
    # a parent on two boards (member of 10, chair of 20) who also leads area 2
    "several": (Grant(MEMBER, 10), Grant(CHAIR, 20), Grant(AREA_LEADER, area_id=2)),
    "member_and_leader": (Grant(MEMBER, 10), Grant(LEADER, 10)),  # the strongest role counts
    "nobody": (),
}

#            persona:            member chair  leader area   admin  several m+l    nobody
MAY: dict[tuple[Action, int | None], tuple[bool, ...]] = {
    (Action.ANSWER, 10): (True, True, True, False, False, True, True, False),
    (Action.ANSWER, 20): (False, False, False, False, False, True, False, False),
    (Action.SUBMIT, 10): (False, True, True, False, False, False, True, False),
    (Action.SUBMIT, 20): (False, False, False, False, False, True, False, False),
    (Action.SEE, 10): (True, True, True, True, True, True, True, False),
    (Action.SEE, 11): (False, False, False, True, True, False, False, False),
    (Action.SEE, 20): (False, False, False, False, True, True, False, False),
    (Action.DECIDE, None): (False, False, False, False, True, False, False, False),
}
CASES = [
    pytest.param(persona, action, inst, expected[i], id=f"{persona}-{action.value}-{inst}")
    for (action, inst), expected in MAY.items()
    for i, persona in enumerate(PERSONAS)
]


@pytest.mark.parametrize(("persona", "action", "institution", "expected"), CASES)
def test_who_may_do_what(persona: str, action: Action, institution: int | None, expected: bool) -> None:
    area = AREA_OF.get(institution) if institution is not None else None
    assert policy.may(PERSONAS[persona], action, institution_id=institution, area_id=area) is expected


@pytest.mark.parametrize(
    ("persona", "board_only", "everything"),
    [
        ("member", True, False),
        ("chair", True, False),
        ("leader", False, False),
        ("area_leader", False, False),
        ("admin", False, True),
        ("several", False, False),
        ("nobody", True, False),
    ],
)
def test_scope_kind(persona: str, board_only: bool, everything: bool) -> None:
    scope = policy.scope(PERSONAS[persona])
    assert (scope.board_only, scope.everything) == (board_only, everything)


def test_an_action_on_an_institution_needs_the_institution() -> None:
    with pytest.raises(ValueError, match="institution"):
        policy.may(PERSONAS["chair"], Action.SUBMIT)


def test_strongest_board_role() -> None:
    assert policy.board_role(PERSONAS["member_and_leader"], 10) == LEADER
    assert policy.board_role(PERSONAS["several"], 20) == CHAIR
    assert policy.board_role(PERSONAS["area_leader"], 10) is None
    rows = [(MEMBER, 10, "Solsikken", "Nord"), (LEADER, 10, "Solsikken", "Nord"), (CHAIR, 20, "Ærøvej", "Syd")]
    boards = people.best_boards(rows)
    assert [(b.institution_id, b.role, b.can_submit) for b in boards] == [(10, LEADER, True), (20, CHAIR, True)]


# -- who is told ------------------------------------------------------------------------------------------
# Everyone, as (person id, grant): 1 member, 2 chair, 3 leader of 10; 4 leads area 1; 5 admin; 6 several
# (member of 10, chair of 20, leads area 2); 11 has no chair: 7 member, 8 leader.
WORLD: list[tuple[int, Grant]] = [
    (1, Grant(MEMBER, 10)),
    (2, Grant(CHAIR, 10)),
    (3, Grant(LEADER, 10)),
    (4, Grant(AREA_LEADER, area_id=1)),
    (5, Grant(ADMIN)),
    (6, Grant(MEMBER, 10)),
    (6, Grant(CHAIR, 20)),
    (6, Grant(AREA_LEADER, area_id=2)),
    (7, Grant(MEMBER, 11)),
    (8, Grant(LEADER, 11)),
]
TOLD: dict[tuple[Occasion, int], set[int]] = {
    (Occasion.SUBMITTED, 10): {1, 2, 3, 6},
    (Occasion.READY_FOR_CHAIR, 10): {2, 3},
    (Occasion.DECISION, 10): {1, 2, 3, 6},
    (Occasion.NUDGE, 10): {1, 2, 6},
    (Occasion.NUDGE, 20): {6},
    (Occasion.ESCALATION, 10): {2, 3},
    (Occasion.ESCALATION, 11): {8},
    (Occasion.FOLLOWUP, 10): {2},  # the chair answers for the board
    (Occasion.FOLLOWUP, 11): {7, 8},  # no chair: the rest of the board
    (Occasion.FOLLOWUP_SUMMARY, 10): {3},
    (Occasion.INVITE, 10): {1, 2, 6},
    (Occasion.AREA_DIGEST, 10): {4},
    (Occasion.OVERDUE, 10): {4, 5},
    (Occasion.OVERDUE, 20): {5, 6},
    (Occasion.ADMIN_DIGEST, 10): {5},
    (Occasion.FOR_DECISION, 10): {5},  # the deciders: the administration
    (Occasion.CHANGED_AFTER_SUBMIT, 10): {2},  # the chair, who sends it in again
    (Occasion.CHANGED_AFTER_SUBMIT, 11): {8},  # no chair: the leader
}


@pytest.mark.parametrize(("occasion", "institution"), list(TOLD), ids=lambda v: str(v))
def test_who_is_told(occasion: Occasion, institution: int) -> None:
    told = policy.told(occasion, WORLD, institution_id=institution, area_id=AREA_OF[institution])
    assert told == TOLD[(occasion, institution)]


def test_every_occasion_has_a_row_in_the_table() -> None:
    assert {o for o, _ in TOLD} == set(Occasion) == set(policy.AUDIENCES)


@pytest.mark.parametrize(("occasion", "institution"), list(TOLD), ids=lambda v: str(v))
def test_the_reminder_snapshot_tells_whom_the_policy_names(occasion: Occasion, institution: int) -> None:
    snap = Snapshot(
        strategy=None,
        people={i: PersonInfo(i, f"Person {i}") for i in range(1, 9)},
        memberships=tuple(MembershipInfo(pid, g.role, g.institution_id, g.area_id) for pid, g in WORLD),
    )
    audience = policy.AUDIENCES[occasion]
    if audience.board:
        found = {p.id for p in snap.told(occasion, institution)}
    else:
        found = {p.id for p in snap.audience(occasion, AREA_OF[institution])}
    assert found == TOLD[(occasion, institution)]


# -- the same table through storage, over the demo municipality --------------------------------------------
DEMO_ORG = Path(__file__).resolve().parents[2] / "bot" / "data" / "demo_org.yaml"
SOLSIKKEN_TOLD = {  # Solsikken: chair Søren; members Fatima, Camilla, Peter; leader Lone
    Occasion.SUBMITTED: ["Camilla Dahl", "Fatima Ali", "Lone Bæk", "Peter Holm", "Søren Østergaard"],
    Occasion.READY_FOR_CHAIR: ["Lone Bæk", "Søren Østergaard"],
    Occasion.DECISION: ["Camilla Dahl", "Fatima Ali", "Lone Bæk", "Peter Holm", "Søren Østergaard"],
    Occasion.INVITE: ["Camilla Dahl", "Fatima Ali", "Peter Holm", "Søren Østergaard"],
    Occasion.FOLLOWUP: ["Søren Østergaard"],
    Occasion.FOLLOWUP_SUMMARY: ["Lone Bæk"],
}


async def test_storage_reads_the_board_audience_from_the_policy(sqlite_db: Database) -> None:
    await import_org(sqlite_db, parse_org_file(DEMO_ORG))
    async with sqlite_db.transaction() as s:
        solsikken = await people.institution_id_named(s, "solsikken")
        assert solsikken is not None
        for occasion, names in SOLSIKKEN_TOLD.items():
            assert [p.name for p in await people.told_on_board(s, solsikken, occasion)] == names, occasion


SCOPES = {  # email (before @) -> (may approve, board only, institutions seen)
    "soeren.oestergaard": (False, True, {"Solsikken"}),
    "fatima.ali": (False, True, {"Solsikken"}),
    "camilla.dahl": (False, True, {"Solsikken", "Ærøvej Skole"}),
    "lone.baek": (False, False, {"Solsikken"}),
    "mette.noergaard": (False, False, {"Solsikken", "Mælkebøtten", "Ærøvej Skole"}),
    "admin": (True, False, None),  # None: every institution
}


@pytest.mark.parametrize("who", list(SCOPES))
async def test_scope_and_approval_rights_of_the_demo_people(sqlite_db: Database, who: str) -> None:
    """The scope the policy gives each demo person, applied by the progress query in SQL."""
    await import_org(sqlite_db, parse_org_file(DEMO_ORG))
    may_approve, board_only, seen = SCOPES[who]
    async with sqlite_db.transaction() as s:
        person = await people.person_by_email(s, f"{who}@demo.maalbot.dk")
        assert person is not None
        scope = await progress.scope_of(s, person.id)
        assert await approval.is_admin(s, person.id) is may_approve
        visible = {row.name for row in await progress.progress(s, 0, scope)}  # no strategy: every row not started
        everything = set(await approval.institution_names(s))
    assert scope.board_only is board_only
    assert visible == (seen if seen is not None else everything)
