"""The Slack app manifest with the municipality's own address filled in (`maalbot manifest slack`)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

MANIFEST_FILE = Path(__file__).resolve().parents[1] / "manifest" / "slack" / "manifest.yaml"  # package data
PLACEHOLDER = "https://maalbot.example.org"


def render_manifest(base_url: str) -> str:
    """bot/manifest/slack/manifest.yaml with every request URL at `base_url` + /slack/events.

    Slack only sends to public https addresses; use Socket Mode (SLACK_APP_TOKEN) without one."""
    url = base_url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise ValueError(f"the Slack request URL must be a public https address, not {base_url!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"give the address without ?query or #fragment: {base_url!r}")
    return MANIFEST_FILE.read_text(encoding="utf-8").replace(PLACEHOLDER, url)
