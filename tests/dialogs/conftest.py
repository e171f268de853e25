"""Fixtures for the conversation tests: the demo municipality with a strategy, and its people.

- `world`: the demo organisation and the default strategy (almen.yaml) in a fresh SQLite database.
- `world_on_both`: the same on each backend (SQLite and PostgreSQL), for concurrency and end-to-end.
- `soeren` (chair of Solsikken), `fatima` (member of Solsikken), `camilla` (on two boards),
  `lone` (leader of Solsikken): a `Talk` each, identified by email on first contact.
"""

from __future__ import annotations

import pytest

from storage.db import Database
from tests.dialogs.talk import Talk, World, new_service
from tests.snapshots import seed_once


async def create_world(db: Database) -> World:
    """`World.create(db)`, seeded once per session and copied (tests/snapshots.py)."""

    async def seed(db: Database) -> None:
        await World.create(db)

    await seed_once(db, "dialogs.World.create(demo, almen)", seed)
    return World(db, new_service(db))


@pytest.fixture
async def world(sqlite_db: Database) -> World:
    return await create_world(sqlite_db)


@pytest.fixture
async def world_on_both(db: Database) -> World:
    return await create_world(db)


@pytest.fixture
async def soeren(world: World) -> Talk:
    return await world.talk("soeren.oestergaard")


@pytest.fixture
async def fatima(world: World) -> Talk:
    return await world.talk("fatima.ali")


@pytest.fixture
async def camilla(world: World) -> Talk:
    return await world.talk("camilla.dahl")


@pytest.fixture
async def lone(world: World) -> Talk:
    return await world.talk("lone.baek")
