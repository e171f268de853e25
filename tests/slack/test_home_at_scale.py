"""The App Home of someone on many boards: within Slack's 100 blocks, a valid view, and never cut
silently (it says how many local goals are left out and where to see them)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.views import View
from sqlalchemy import insert, select

from bot.web import DB_KEY
from storage.models import Institution, Membership, Person, Registration, Role
from tests.slack.test_answers_at_scale import big  # noqa: F401  (the 300-institution workspace)
from tests.slack.test_home import open_home, view_text
from tests.slack.workspace import Workspace

BOARDS = 40  # submitted boards with four local goals each: 160 local goals, far over 100 blocks


def valid_view(view: dict[str, Any]) -> None:
    """The view as slack_sdk's models check it (block count, text lengths, element shapes)."""
    View(**view).to_dict()  # raises SlackObjectFormationError on what Slack would refuse


async def test_someone_on_many_boards_gets_a_whole_home_that_says_what_is_left_out(big: Workspace) -> None:  # noqa: F811
    async with big.client.app[DB_KEY].transaction() as s:
        admin_id = await s.scalar(select(Person.id).where(Person.email == "admin@stor.dk"))
        submitted = (
            await s.scalars(
                select(Institution.id)
                .join(Registration, Registration.institution_id == Institution.id)
                .where(Registration.status == "submitted")
                .order_by(Institution.name)
                .limit(BOARDS)
            )
        ).all()
        await s.execute(
            insert(Membership),
            [{"person_id": admin_id, "institution_id": i, "role": Role.CHAIR.value} for i in submitted],
        )
    big.person("U0ADMIN", "admin@stor.dk", "Anne")
    view = await open_home(big, "U0ADMIN")
    valid_view(view)
    assert len(view["blocks"]) <= 100
    text = view_text(view)
    assert "100 af 300 har sendt ind." in text and "https://maal.stor.dk/status?" in text  # the admin's totals
    edits = [b for b in view["blocks"] if b.get("accessory", {}).get("action_id") == "maalbot:edit"]
    assert 40 < len(edits) < 4 * BOARDS
    left_out = 4 * BOARDS - len(edits)
    assert view["blocks"][-1]["type"] == "context"
    assert f"Der er {left_out} lokale mål mere, som der ikke er plads til her." in text
    assert "«gennemgang»" in text


async def test_a_board_member_with_room_to_spare_sees_no_note(big: Workspace) -> None:  # noqa: F811
    big.person("U0F000", "f000@stor.dk", "Formand")
    view = await open_home(big, "U0F000")
    valid_view(view)
    assert "Institution 000" in view_text(view) and "ikke er plads til her" not in view_text(view)
