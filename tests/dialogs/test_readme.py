"""dialogs/README.md tells a newcomer where to add a question type, a command, a reminder rule, a platform
and a flow, and every module it points to exists (a rename that leaves the guide behind fails here)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "dialogs" / "README.md"


def test_the_guide_says_where_to_add_each_kind_of_thing() -> None:
    where = GUIDE.read_text(encoding="utf-8").split("## Where to add…", 1)[1]
    for thing in ("A question type", "A command", "A reminder rule", "A platform", "A flow"):
        assert f"**{thing}**" in where, thing


def test_every_module_the_guide_names_exists() -> None:
    named = set(re.findall(r"`([\w/]+\.py)`", GUIDE.read_text(encoding="utf-8")))
    assert len(named) > 10  # the guide is read (a sanity check)
    places = (ROOT, ROOT / "dialogs", ROOT / "tests" / "dialogs" / "engine")  # code, and the tests it points to
    missing = [n for n in sorted(named) if not any((place / n).exists() for place in places)]
    assert missing == []
