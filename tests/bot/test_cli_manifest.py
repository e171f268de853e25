"""`maalbot manifest slack|teams`: the app manifest and package a municipality installs."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import yaml

from bot.cli import main


def test_slack_manifest_has_the_request_urls(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "slack", "--url", "https://maal.kommune.dk/"]) == 0
    manifest = yaml.safe_load(capsys.readouterr().out)
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"] == "https://maal.kommune.dk/slack/events"
    assert settings["interactivity"]["request_url"] == "https://maal.kommune.dk/slack/events"
    assert manifest["features"]["slash_commands"][0]["url"] == "https://maal.kommune.dk/slack/events"


def test_teams_package_has_the_app_id_and_the_icons_at_the_root(tmp_path: Path) -> None:
    out = tmp_path / "maalbot-teams.zip"
    app_id = "11111111-2222-3333-4444-555555555555"
    assert main(["manifest", "teams", "--app-id", app_id, "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
    assert manifest["id"] == app_id
    assert manifest["bots"][0]["botId"] == app_id


def test_serve_refuses_half_configured_teams_without_dev(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.serve import serve
    from bot.settings import load_settings

    monkeypatch.setenv("MAALBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MICROSOFT_APP_ID", "11111111-2222-3333-4444-555555555555")
    monkeypatch.delenv("MICROSOFT_APP_PASSWORD", raising=False)
    assert serve(load_settings(), dev=False) == 2
    assert "MICROSOFT_APP" in capsys.readouterr().err
