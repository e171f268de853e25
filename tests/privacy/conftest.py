"""Fixtures for the data protection tests: the demo municipality with the default strategy, on both
backends (`world`), and a status page app over the same database (`status_client`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from storage.db import Database
from storage.models import Person
from tests.dialogs.conftest import create_world
from tests.dialogs.talk import World
from tests.web.conftest import Site, status_app

StatusClient = tuple[TestClient[web.Request, web.Application], Callable[..., str]]


@pytest.fixture
async def world(db: Database) -> World:
    return await create_world(db)


@pytest.fixture
async def status_client(world: World, tmp_path: Path) -> AsyncIterator[StatusClient]:
    """A client for the status page and `link(login)`: a signed status link for a demo person, made
    now (so it still names the person after they are removed)."""
    async with world.db.transaction() as s:
        people = {email.split("@")[0]: pid for email, pid in (await s.execute(select(Person.email, Person.id))).all()}
    site = Site(world.db, people, {})
    async with TestClient(TestServer(status_app(site, tmp_path))) as client:
        yield client, site.link
