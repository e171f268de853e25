"""App Home: published when opened, with the person's boards and progress, and buttons that work."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from bot.web import DB_KEY
from storage.export import build_export
from tests.slack.conftest import DEMO
from tests.slack.test_registration import register_one_goal
from tests.slack.workspace import Workspace, block_text, unescape


async def open_home(workspace: Workspace, user: str) -> dict[str, Any]:
    before = len(workspace.fake.calls_to("views.publish"))
    event = {"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home", "event_ts": "1.2"}
    assert await workspace.event(event) == 200
    publishes = workspace.fake.calls_to("views.publish")
    assert len(publishes) == before + 1
    call = publishes[-1].params
    assert call["user_id"] == user and call["view"]["type"] == "home"
    view: dict[str, Any] = call["view"]
    return view


def view_text(view: dict[str, Any]) -> str:
    return unescape("\n".join(block_text(view["blocks"])))


async def test_home_shows_the_board_and_its_progress(workspace: Workspace) -> None:
    workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}", "Søren")
    text = view_text(await open_home(workspace, "U0SOEREN"))
    assert "Hej Søren Østergaard!" in text
    assert "Solsikken" in text and "Mælkebøtten" not in text
    assert "Fortsæt" in text and "Se gennemgangen" in text and "Hjælp" in text


async def test_home_after_submitting(workspace: Workspace) -> None:
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}", "Søren")
    await register_one_goal(chair, typed=True)
    text = view_text(await open_home(workspace, "U0SOEREN"))
    assert "1 af 1 har sendt ind." in text


async def test_home_button_continues_the_conversation_in_the_dm(workspace: Workspace) -> None:
    workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}", "Søren")
    view = await open_home(workspace, "U0SOEREN")
    payload = {
        "type": "block_actions",
        "team": {"id": "T0DEMO"},
        "user": {"id": "U0SOEREN"},
        "api_app_id": "A0MAALBOT",
        "trigger_id": "t1",
        "container": {"type": "view", "view_id": "VHOME"},
        "view": {"id": "VHOME", **view},
        "actions": [{"type": "button", "action_id": "start", "block_id": "b", "value": "start", "action_ts": "1.3"}],
    }
    assert await workspace.interaction(payload) == 200
    said = unescape("\n".join(line for m in workspace.fake.posted("DU0SOEREN") for line in block_text(m["blocks"])))
    assert "Hvilke lokale mål skal der til for at opnå mål 1?" in said
    assert len(workspace.fake.calls_to("views.publish")) == 2  # the Home tab is brought up to date


async def test_home_for_an_unknown_user(workspace: Workspace) -> None:
    workspace.person("U0X", "x@elsewhere.example")
    assert "kan ikke finde dig" in view_text(await open_home(workspace, "U0X"))


async def test_messages_tab_opened_is_not_the_home(workspace: Workspace) -> None:
    event = {"type": "app_home_opened", "user": "U0X", "channel": "DU0X", "tab": "messages", "event_ts": "1.2"}
    assert await workspace.event(event) == 200
    assert not workspace.fake.calls_to("views.publish")


def edit_payload(user: str, value: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": "T0DEMO"},
        "user": {"id": user},
        "api_app_id": "A0MAALBOT",
        "trigger_id": "trigger-edit",
        "container": {"type": "view", "view_id": "VHOME"},
        "actions": [{"type": "button", "action_id": "maalbot:edit", "block_id": "b", "value": value, "action_ts": "1"}],
    }


def submission(user: str, modal: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": "T0DEMO"},
        "user": {"id": user},
        "api_app_id": "A0MAALBOT",
        "view": {
            "id": "VMODAL",
            "type": "modal",
            "callback_id": modal["callback_id"],
            "private_metadata": modal["private_metadata"],
            "state": {"values": {"answer": {"text": {"type": "plain_text_input", "value": text}}}},
        },
    }


async def submit_modal(workspace: Workspace, payload: dict[str, Any]) -> tuple[int, str]:
    body = urlencode({"payload": json.dumps(payload)})
    headers = {"Content-Type": "application/x-www-form-urlencoded", **workspace.signed_headers(body)}
    response = await workspace.client.post("/slack/events", data=body, headers=headers)
    text = await response.text()
    await workspace.settle()
    return response.status, text


async def open_edit_modal(workspace: Workspace) -> dict[str, Any]:
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}", "Søren")
    await register_one_goal(chair, typed=True)
    view = await open_home(workspace, "U0SOEREN")
    assert "1.1 Alle børn har en fast ven" in view_text(view).replace("*", "")
    (edit,) = [b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("action_id") == "maalbot:edit"]
    assert edit["text"]["text"] == "Ret"
    assert await workspace.interaction(edit_payload("U0SOEREN", edit["value"])) == 200
    (opened,) = workspace.fake.calls_to("views.open")
    assert opened.params["trigger_id"] == "trigger-edit"
    modal: dict[str, Any] = opened.params["view"]
    assert modal["title"]["text"] == "Ret lokalt mål"
    (field,) = [b for b in modal["blocks"] if b["type"] == "input"]
    assert field["element"]["initial_value"] == "Alle børn har en fast ven"
    assert field["label"]["text"] == "Hvilke lokale mål skal der til for at opnå mål 1?"
    return modal


async def test_modal_edit_is_saved_through_the_engine(workspace: Workspace) -> None:
    modal = await open_edit_modal(workspace)
    status, body = await submit_modal(workspace, submission("U0SOEREN", modal, "Alle børn har to faste venner"))
    assert status == 200 and "errors" not in body
    export = await build_export(workspace.client.app[DB_KEY])
    solsikken = next(i for i in export["institutions"] if i["name"] == "Solsikken")
    assert "Alle børn har to faste venner" in str(solsikken) and "Alle børn har en fast ven" not in str(solsikken)
    assert "Alle børn har to faste venner" in view_text(workspace.fake.calls_to("views.publish")[-1].params["view"])


async def test_modal_edit_that_the_engine_refuses_shows_the_error_in_the_modal(workspace: Workspace) -> None:
    modal = await open_edit_modal(workspace)
    status, body = await submit_modal(workspace, submission("U0SOEREN", modal, "x" * 2500))
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert "2500 tegn" in answer["errors"]["answer"]


async def test_edit_button_for_someone_elses_board_opens_nothing(workspace: Workspace) -> None:
    await open_edit_modal(workspace)
    workspace.person("U0HANNE", f"hanne.krogh@{DEMO}", "Hanne")  # leader of Mælkebøtten
    value = workspace.fake.calls_to("views.open")[0].params["view"]["private_metadata"]
    assert await workspace.interaction(edit_payload("U0HANNE", value)) == 200
    assert len(workspace.fake.calls_to("views.open")) == 1
