"""A municipality of 300 institutions: «status» and «hvem mangler?» for an admin or a big area answer in
one short message (totals, the furthest behind, the status-page link), and the admin's App Home stays
within Slack's 100 blocks with the totals and the way to the rest."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import yaml
from sqlalchemy import insert, select

from dialogs.strategy import DEFAULT_STRATEGY_FILE
from storage.db import Database
from storage.models import Institution, LocalGoal, Registration, Strategy
from storage.org import import_org
from storage.org_file import parse_org_yaml
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import load_strategy, start_workspace
from tests.slack.test_home import open_home, view_text
from tests.slack.workspace import Workspace
from tests.snapshots import seed_once

INSTITUTIONS, AREAS = 300, 6  # 50 in each area


def municipality() -> str:
    areas = []
    for a in range(AREAS):
        institutions = [
            {
                "name": f"Institution {i:03d}",
                "kind": "skole",
                "board": [{"name": f"Formand {i:03d}", "email": f"f{i:03d}@stor.dk", "role": "chair"}],
            }
            for i in range(a * 50, (a + 1) * 50)
        ]
        leaders = [{"name": f"Leder {a}", "email": f"a{a}@stor.dk"}]
        areas.append({"name": f"Område {a}", "leaders": leaders, "institutions": institutions})
    admins = [{"name": "Anne Admin", "email": "admin@stor.dk"}]
    return yaml.safe_dump({"municipality": "Storkommune", "admins": admins, "areas": areas}, allow_unicode=True)


async def progress_rows(db: Database) -> None:
    """Institution n: n % 3 == 0 submitted with a local goal under every goal, n % 3 == 1 a draft with
    one local goal (n < 30: two), the rest not started."""
    async with db.transaction() as s:
        strategy_id = (await s.scalars(select(Strategy.id))).one()
        ids = {name: i for i, name in (await s.execute(select(Institution.id, Institution.name))).all()}
        regs = []
        for n in range(INSTITUTIONS):
            if n % 3 == 2:
                continue
            status = "submitted" if n % 3 == 0 else "draft"
            regs.append({"institution_id": ids[f"Institution {n:03d}"], "strategy_id": strategy_id, "status": status})
        await s.execute(insert(Registration), regs)
        goals = []
        for reg_id, inst_id, status in (
            await s.execute(select(Registration.id, Registration.institution_id, Registration.status))
        ).all():
            n = int(next(name for name, i in ids.items() if i == inst_id).split()[-1])
            numbers = (1, 2, 3, 4) if status == "submitted" else ((1, 2) if n < 30 else (1,))
            goals += [{"registration_id": reg_id, "goal_number": g, "position": 1, "text": "Mål"} for g in numbers]
        await s.execute(insert(LocalGoal), goals)


@pytest.fixture
async def big(
    slack_env: None, sqlite_db: Database, fake_slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Workspace]:
    monkeypatch.setenv("MAALBOT_LINK_SECRET", "a-secret-of-enough-length-for-the-tests-0123456789")
    monkeypatch.setenv("MAALBOT_PUBLIC_URL", "https://maal.stor.dk")

    async def seed(db: Database) -> None:
        await load_strategy(db, DEFAULT_STRATEGY_FILE)
        await import_org(db, parse_org_yaml(municipality()))
        await progress_rows(db)

    await seed_once(sqlite_db, "slack.test_answers_at_scale.big", seed)  # tests/snapshots.py
    async for ws in start_workspace(sqlite_db, fake_slack):
        yield ws


def named_institutions(text: str) -> list[str]:
    return re.findall(r"Institution \d{3}", text)


async def test_admin_status_is_one_short_message(big: Workspace) -> None:
    admin = big.person("U0ADMIN", "admin@stor.dk", "Anne")
    messages = await admin.say("status")
    assert len(messages) == 1 and len(messages[0]["blocks"]) <= 30
    admin.expect(
        "100 af 300 har sendt ind.",
        "sendt ind: 100, i gang: 100, sendt retur: 0, ikke startet: 100.",
        "Længst bagud",
        "og 190 til",
        "https://maal.stor.dk/status?",
    )
    worst = named_institutions(admin.text)
    assert len(worst) == 10
    assert worst == [f"Institution {n:03d}" for n in range(2, 30, 3)]  # not started, by name


async def test_admin_who_is_missing_is_one_short_message(big: Workspace) -> None:
    admin = big.person("U0ADMIN", "admin@stor.dk", "Anne")
    messages = await admin.say("hvem mangler?")
    assert len(messages) == 1
    admin.expect("200 bestyrelser har ikke sendt ind endnu.", "og 190 til", "https://maal.stor.dk/status?")
    worst = named_institutions(admin.text)
    assert len(worst) == 10 and all(int(name.split()[-1]) % 3 == 2 for name in worst)  # not started first


async def test_a_big_area_gets_the_short_answer_for_its_own_area_only(big: Workspace) -> None:
    leader = big.person("U0LEDER", "a1@stor.dk", "Leder")
    messages = await leader.say("status")
    assert len(messages) == 1
    leader.expect("17 af 50 har sendt ind.", "i gang: 16", "ikke startet: 17", "og 23 til")
    assert named_institutions(leader.text) == [f"Institution {n:03d}" for n in range(50, 80, 3)]
    leader_in_chat = await leader.say("hvem mangler?")
    assert len(leader_in_chat) == 1 and "33 bestyrelser har ikke sendt ind endnu." in leader.text


async def test_admin_home_shows_totals_and_the_way_to_the_rest(big: Workspace) -> None:
    big.person("U0ADMIN", "admin@stor.dk", "Anne")
    view = await open_home(big, "U0ADMIN")
    assert len(view["blocks"]) <= 100
    text = view_text(view)
    assert "100 af 300 har sendt ind." in text and "Længst bagud" in text
    assert "https://maal.stor.dk/status?" in text
