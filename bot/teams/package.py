"""The Teams app package: manifest.json (with the bot's app id filled in) and the two icons, zipped
at the root of the archive as Teams requires. `maalbot manifest teams --app-id ID --out FILE.zip`."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

MANIFEST_DIR = Path(__file__).resolve().parents[1] / "manifest" / "teams"  # package data
PLACEHOLDER = "{{MICROSOFT_APP_ID}}"
ICONS = ("color.png", "outline.png")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def render_manifest(app_id: str, source: Path = MANIFEST_DIR) -> dict[str, Any]:
    """The manifest template with the Azure Bot's app id (a GUID) as app id and bot id."""
    if not _GUID.match(app_id):
        raise ValueError(f"the app id must be the Azure Bot's Microsoft App ID (a GUID), not {app_id!r}")
    text = (source / "manifest.json").read_text(encoding="utf-8").replace(PLACEHOLDER, app_id)
    manifest: dict[str, Any] = json.loads(text)
    return manifest


def build_package(app_id: str, out: Path, source: Path = MANIFEST_DIR) -> None:
    """Write the zip to upload in Teams (Apps → Manage your apps → Upload an app)."""
    manifest = render_manifest(app_id, source)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        for icon in ICONS:
            archive.write(source / icon, arcname=icon)
