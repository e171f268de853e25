"""A strategy answered by the institutions' leadership teams (seed 003's cluster vision) nudges the
leaders, not the parents on the boards; the policy says so for every occasion about the answers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.delivery import RecordingNotifier
from storage import policy
from storage.db import Database
from storage.models import Membership, Role
from tests.reminders.conftest import Demo, load_demo, local, write_strategy


def strategy_answered_by(tmp_path: Path, respondent: str) -> Path:
    path = write_strategy(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["respondent"] = respondent
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


async def user_keys(db: Database, *roles: Role) -> set[str]:
    """The Slack user keys (see `load_demo`) of everyone holding one of `roles` at an institution."""
    async with db.transaction() as s:
        ids = await s.scalars(select(Membership.person_id).where(Membership.role.in_([r.value for r in roles])))
        return {f"U{i}" for i in ids}


@pytest.mark.parametrize("respondent", ["board", "leadership"])
async def test_nudges_go_to_whoever_answers_the_strategy(sqlite_db: Database, tmp_path: Path, respondent: str) -> None:
    await load_demo(sqlite_db, strategy_answered_by(tmp_path, respondent))
    demo = Demo(sqlite_db, RecordingNotifier("slack"), RecordingNotifier("teams"), [])
    parents_only = await user_keys(sqlite_db, Role.MEMBER, Role.CHAIR) - await user_keys(sqlite_db, Role.LEADER)
    leaders_only = await user_keys(sqlite_db, Role.LEADER) - await user_keys(sqlite_db, Role.MEMBER, Role.CHAIR)
    assert parents_only and leaders_only

    await demo.tick(local(2026, 3, 2, 9, 0))  # a Monday inside the period: every institution is behind
    assert await demo.rows("nudge"), "the tick planned nudges"
    nudged = {s.target for s in demo.slack.sent}
    if respondent == "board":
        assert parents_only <= nudged
        assert not leaders_only & nudged
    else:
        assert leaders_only <= nudged
        assert not parents_only & nudged, "a parent was nudged about the leadership's strategy"


def test_the_policy_tells_the_leaders_on_every_occasion_about_the_answers() -> None:
    holders = [("chair", policy.CHAIR), ("member", policy.MEMBER), ("leader", policy.LEADER)]
    for occasion in policy.Occasion:
        board_default = policy.told_on_board(occasion, holders)
        leadership = policy.told_on_board(occasion, holders, leadership=True)
        if occasion in policy.ABOUT_THE_ANSWERS:
            assert leadership == ["leader"], occasion
        else:
            assert leadership == board_default, occasion
    assert policy.told_on_board(policy.Occasion.NUDGE, holders) != ["leader"]  # the board's default differs
