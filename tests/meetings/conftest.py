"""Fixtures for the meeting tests: the demo municipality (tests/dialogs/talk.py's `World`) in a fresh
SQLite database, with the meetings of a small plan file."""

from __future__ import annotations

import pytest

from storage.db import Database
from tests.dialogs.conftest import create_world
from tests.dialogs.talk import World

DOMAIN = "demo.maalbot.dk"
PLAN = f"""institution,date,template,participants,time
Solsikken,2027-03-15,dialogmoede,lone.baek@{DOMAIN}; admin@{DOMAIN},09:00
Ærøvej Skole,15-03-2027,dialogmoede,kasper.aaberg@{DOMAIN} admin@{DOMAIN},
Område Nord,2027-02-10,omraademoede,mette.noergaard@{DOMAIN},13:00
,2027-05-20,tvaersmoede,admin@{DOMAIN},
"""


@pytest.fixture
async def world(sqlite_db: Database) -> World:
    return await create_world(sqlite_db)  # seeded once per session and copied (tests/snapshots.py)
