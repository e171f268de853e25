"""The Teams app package: manifest valid against Microsoft's schema, icons the right size, files at the zip root."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest

from bot.teams.package import MANIFEST_DIR, build_package, render_manifest

APP_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "schemas"


def png_size(data: bytes) -> tuple[int, int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, _depth, color_type = struct.unpack(">IIBB", data[16:26])
    return width, height, color_type


def test_package_has_manifest_and_icons_at_the_root(tmp_path: Path) -> None:
    out = tmp_path / "maalbot-teams.zip"
    build_package(APP_ID, out)
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        assert png_size(archive.read("color.png"))[:2] == (192, 192)
        assert png_size(archive.read("outline.png")) == (32, 32, 6)  # RGBA: white on transparent
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}
    titles = [c["title"] for c in manifest["bots"][0]["commandLists"][0]["commands"]]
    assert titles == ["status", "hvem mangler", "hjælp"]


def test_outline_icon_is_white_on_transparent() -> None:
    import zlib

    data = (MANIFEST_DIR / "outline.png").read_bytes()
    idat = data[data.index(b"IDAT") + 4 : data.index(b"IEND") - 8]
    raw = zlib.decompress(idat)
    rows = [raw[r * (1 + 32 * 4) + 1 : (r + 1) * (1 + 32 * 4)] for r in range(32)]
    pixels = [row[i : i + 4] for row in rows for i in range(0, len(row), 4)]
    assert all(p[:3] == b"\xff\xff\xff" for p in pixels)
    assert any(p[3] == 0 for p in pixels) and any(p[3] == 255 for p in pixels)


def test_app_id_must_be_a_guid() -> None:
    with pytest.raises(ValueError, match="GUID"):
        render_manifest("my-bot")


def test_manifest_matches_the_teams_schema() -> None:
    schema_file = SCHEMAS / "MicrosoftTeams.v1.24.schema.json"
    if not schema_file.exists():
        pytest.skip(f"{schema_file} is absent (the schemas live in ../shared/schemas/ next to the repository)")
    jsonschema = pytest.importorskip(
        "jsonschema", reason="jsonschema is not installed: add it to the dev dependencies to validate the manifest"
    )
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    # Not jsonschema.validate: it first checks the schema itself, and Microsoft's uses \p{L} in
    # patterns that Python's re cannot compile (in parts of the schema our manifest does not use).
    validator = jsonschema.validators.validator_for(schema)(schema)
    manifest = render_manifest(APP_ID)
    assert manifest["manifestVersion"] == schema["properties"]["manifestVersion"]["const"]  # draft-04 ignores const
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(manifest)]
    assert errors == []
