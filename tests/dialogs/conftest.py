"""Fixtures for the conversation tests: the demo municipality with a strategy, and its people.

- `world`: the demo organisation and the default strategy (almen.yaml) in a fresh SQLite database.
- `world_on_both`: the same on each backend (SQLite and PostgreSQL), for concurrency and end-to-end.
- `soeren` (chair of Solsikken), `fatima` (member of Solsikken), `camilla` (on two boards),
  `lone` (leader of Solsikken): a `Talk` each, identified by email on first contact.

The world is seeded once per session and copied (tests/snapshots.py), and so is the first contact of
the people a test asks for (`world` links them in the seed, in the order the test names them: the same
rows as identifying them one by one, for a file copy instead of a write transaction each).
"""

from __future__ import annotations

import pytest

from storage.db import Database
from tests.dialogs.talk import Talk, World, new_service
from tests.snapshots import seed_once

TALKERS = {"soeren": "soeren.oestergaard", "fatima": "fatima.ali", "camilla": "camilla.dahl", "lone": "lone.baek"}
_NAMES: dict[str, str] = {}  # login -> the person's name, as the seed's first contact found it


async def create_world(db: Database, talkers: tuple[str, ...] = ()) -> World:
    """`World.create(db)`, then a first contact of each of `talkers` (logins), seeded once per session
    and copied (tests/snapshots.py)."""

    async def seed(db: Database) -> None:
        world = await World.create(db)
        for login in talkers:
            _NAMES[login] = (await world.talk(login)).name

    key = "dialogs.World.create(demo, almen)" + (f", then talk({', '.join(talkers)})" if talkers else "")
    await seed_once(db, key, seed)
    return World(db, new_service(db), seed_key=key)


def _talk(world: World, login: str) -> Talk:
    """The `Talk` that `world.talk(login)` made in the seed (same user key, same name)."""
    talk = Talk(world, f"U-{login}", _NAMES[login])
    world.talks[login] = talk
    return talk


@pytest.fixture
async def world(sqlite_db: Database, request: pytest.FixtureRequest) -> World:
    return await create_world(sqlite_db, tuple(TALKERS[name] for name in request.fixturenames if name in TALKERS))


@pytest.fixture
async def world_on_both(db: Database) -> World:
    return await create_world(db)


@pytest.fixture
def soeren(world: World) -> Talk:
    return _talk(world, TALKERS["soeren"])


@pytest.fixture
def fatima(world: World) -> Talk:
    return _talk(world, TALKERS["fatima"])


@pytest.fixture
def camilla(world: World) -> Talk:
    return _talk(world, TALKERS["camilla"])


@pytest.fixture
def lone(world: World) -> Talk:
    return _talk(world, TALKERS["lone"])
