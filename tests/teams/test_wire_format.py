"""What goes over the wire to the Bot Connector: activities the Agents SDK's own schema accepts (no
null fields), and cards under Teams' size limit counted in UTF-16, also for a large municipality."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from microsoft_agents.activity import Activity
from sqlalchemy import select

from bot.teams.render import MAX_CARD_BYTES, card_activities, utf16_size
from dialogs.messages import Reply
from dialogs.overview import LeaderQuery, Overview
from dialogs.strategy import DEFAULT_STRATEGY_FILE
from dialogs.texts import texts
from storage.db import Database
from storage.models import Person
from storage.org import import_org
from storage.org_file import parse_org_yaml
from tests.slack.conftest import load_strategy
from tests.teams.conftest import Teams
from tests.teams.test_notifier import known


def nulls(node: Any, path: str = "") -> list[str]:
    if node is None:
        return [path or "<root>"]
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in nulls(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [p for n, v in enumerate(node) for p in nulls(v, f"{path}[{n}]")]
    return []


def sent_activities(teams: Teams) -> list[dict[str, Any]]:
    out = []
    for call in teams.connector.calls:
        if call.method != "POST" or not isinstance(call.body, dict):
            continue
        out.append(call.body["activity"] if call.path == "/v3/conversations" else call.body)
    return out


async def test_replies_and_proactive_messages_have_no_null_fields(teams: Teams) -> None:
    soeren, person_id = await known(teams)
    await soeren.say("Alle børn har en fast ven")  # a reply in the personal chat
    await teams.notifier.to_person(person_id, [Reply("Husk at registrere jeres lokale mål.")])  # proactive
    activities = sent_activities(teams)
    assert len(activities) >= 2
    for body in activities:
        assert nulls(body) == [], body
        Activity.model_validate(body)  # the Agents SDK's schema (it refuses "locale": null)
        assert "id" not in body


def municipality(institutions: int) -> str:
    lines = ["municipality: Stor Kommune", "admins: [{name: Anne Admin, email: admin@stor.dk}]", "areas:"]
    for a in range(10):
        lines.append(f"  - name: Område {a + 1:02d} Ærøskøbing-Nørrebæk")
        lines.append("    institutions:")
        for i in range(a, institutions, 10):
            lines.append(f"      - name: Børnehuset Æblehaven og Søstjernen nr. {i:03d}")
            lines.append("        kind: dagtilbud")
            lines.append(f"        board: [{{name: Søren Østergaard {i:03d}, email: s{i:03d}@stor.dk, role: chair}}]")
    return "\n".join(lines) + "\n"


async def test_admin_cards_for_400_institutions_stay_under_the_limit_in_utf16(
    sqlite_db: Database, tmp_path: Path
) -> None:
    await import_org(sqlite_db, parse_org_yaml(municipality(400)))
    await load_strategy(sqlite_db, DEFAULT_STRATEGY_FILE)
    async with sqlite_db.transaction() as s:
        admin = await s.scalar(select(Person).where(Person.email_key == "admin@stor.dk"))
    assert admin is not None
    overview = Overview(sqlite_db)
    for query in (LeaderQuery("missing"), LeaderQuery("status")):
        replies = await overview.answer(admin.id, query, "da")
        activities = card_activities(replies, texts("da"))
        assert sum("Børnehuset" in str(a.attachments) for a in activities) >= 1
        for activity in activities:
            body = activity.model_dump(mode="json", by_alias=True, exclude_none=True)
            assert utf16_size(body) < MAX_CARD_BYTES, utf16_size(body)
