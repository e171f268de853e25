"""The manifest names exactly what the app listens to, at the address given."""

from __future__ import annotations

import pytest
import yaml

from bot.slack.manifest import render_manifest


def test_manifest_with_the_address_filled_in() -> None:
    manifest = yaml.safe_load(render_manifest("https://maalbot.kommune.dk/"))
    url = "https://maalbot.kommune.dk/slack/events"
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    assert manifest["settings"]["interactivity"]["request_url"] == url
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/maal" and command["url"] == url
    assert sorted(manifest["settings"]["event_subscriptions"]["bot_events"]) == [
        "app_home_opened",
        "app_mention",
        "message.im",
    ]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == [
        "app_mentions:read",
        "chat:write",
        "commands",
        "im:history",
        "im:write",
        "users:read",
        "users:read.email",
    ]
    assert "example.org" not in render_manifest("https://maalbot.kommune.dk")
    assert len(manifest["display_information"]["long_description"]) >= 175  # Slack's minimum


def test_scopes_are_explained_in_the_docs() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for scope in yaml.safe_load(render_manifest("https://x.dk"))["oauth_config"]["scopes"]["bot"]:
        assert f"`{scope}`" in docs


@pytest.mark.parametrize("bad", ["http://maalbot.kommune.dk", "maalbot.kommune.dk", "https://", "https://x.dk/?a=1"])
def test_manifest_needs_a_public_https_address(bad: str) -> None:
    with pytest.raises(ValueError):
        render_manifest(bad)
