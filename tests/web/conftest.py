"""Fixtures for the status page: the demo municipality with a few registrations, and its app.

- `site`: the demo organisation and the default strategy in a fresh SQLite database; Solsikken
  (Område Nord) has submitted local goals under goals 1 and 3, Ærøvej Skole (Nord) has a draft,
  Søndermarkskolen (Område Syd) has a draft. `site.link(login, path)` is a signed link for a person.
- `app`: an aiohttp app with only the status page mounted, with a fixed signer and clock.
- `page` (browser tests): the worker's one Chromium page for these tests, Danish, with axe-core in every
  page it opens (tests/browser.py `with_axe`; none when axe cannot be installed), reset to screen media
  and 1280×720. A context and page per test would cost ~0.5 s of Chromium's CPU each; the status pages
  keep nothing in the browser (no cookies, no storage) that one test could leave for the next.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Browser, BrowserContext, Page
from sqlalchemy import select

from bot.settings import Settings
from bot.status_page import mount_status_page
from dialogs.links import LinkSigner
from dialogs.links_chat import person_scope
from dialogs.service import kinds_of, strategy_of
from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
from storage.db import Database
from storage.models import Institution, Person, RegistrationStatus
from storage.org import import_org
from storage.org_file import parse_org_file
from storage.registrations import DraftWriter, ensure_registration
from storage.strategies import save_strategy
from tests.browser import with_axe
from tests.snapshots import seed_once

DEMO_ORG = Path(__file__).resolve().parents[2] / "bot" / "data" / "demo_org.yaml"
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
SIGNER = LinkSigner(b"status-page-test-secret-0123456789", "http://testserver", timedelta(hours=2))
DOMAIN = "demo.maalbot.dk"

# institution -> [(strategic goal, local goal)], and whether the board has submitted
REGISTRATIONS: dict[str, tuple[list[tuple[int, str]], bool]] = {
    "Solsikken": ([(1, "Alle børn har en fast voksen"), (1, "Legegrupper på tværs"), (3, "Børnemøder hver uge")], True),
    "Ærøvej Skole": ([(2, "<script>alert(1)</script> Læsebånd hver dag")], False),
    "Søndermarkskolen": ([(1, "Alle elever har en ven i klassen")], False),
}


@dataclass
class Site:
    db: Database
    people: dict[str, int]  # login -> person id
    registrations: dict[str, int]  # institution -> registration id

    def link(self, login: str, path: str = "/status", *, now: datetime = NOW, signer: LinkSigner = SIGNER) -> str:
        """The path and query of a signed link for the person, as the chat hands it out."""
        url = signer.link(path, person_scope(self.people[login]), now)
        return url.removeprefix(signer.base_url)


async def seed(db: Database) -> Site:
    await import_org(db, parse_org_file(DEMO_ORG))
    async with db.transaction() as s:
        row, _ = await save_strategy(s, load_strategy_file(DEFAULT_STRATEGY_FILE).model_dump(mode="json"))
        kinds = kinds_of(strategy_of(row))
        institutions = dict((await s.execute(select(Institution.name, Institution.id))).all())
        people = {email.split("@")[0]: pid for email, pid in (await s.execute(select(Person.email, Person.id))).all()}
        regs = {}
        for name, (goals, submitted) in REGISTRATIONS.items():
            reg = await ensure_registration(s, institutions[name], row.id)
            await s.flush()
            writer = DraftWriter(s, reg, kinds, people["soeren.oestergaard"])
            for number, text in goals:
                position = await writer.add_local_goal(number, text)
                await writer.set_answer(number, position, "interventions", ["Faste grupper", "Forældremøde"])
                await writer.set_answer(
                    number,
                    position,
                    "measurement",
                    {"method": "Trivselsmåling", "when": "marts", "dates": ["2027-03-01"]},
                )
            if submitted:
                await writer.set_status(RegistrationStatus.SUBMITTED)
            regs[name] = reg.id
    return Site(db, people, regs)


_SEEDED: dict[str, Site] = {}  # the first seeded Site of the session: its ids hold in every copy of the file


@pytest.fixture
async def site(sqlite_db: Database) -> Site:
    """`seed(sqlite_db)`, made once per session and copied (tests/snapshots.py)."""

    async def first(db: Database) -> None:
        _SEEDED["site"] = await seed(db)

    await seed_once(sqlite_db, "web.seed()", first)
    return Site(sqlite_db, dict(_SEEDED["site"].people), dict(_SEEDED["site"].registrations))


def status_app(site: Site, tmp_path: Path, *, now: datetime = NOW) -> web.Application:
    app = web.Application()
    mount_status_page(app, site.db, Settings(MAALBOT_DATA_DIR=tmp_path), signer=SIGNER, clock=lambda: now)
    return app


@pytest.fixture(scope="session")
async def _status_context(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(locale="da-DK")
    with contextlib.suppress(pytest.skip.Exception):  # no axe: the accessibility tests skip, the others run
        await with_axe(context, request.getfixturevalue("axe_source"))
    try:
        yield context
    finally:
        await context.close()


@pytest.fixture
async def page(_status_context: BrowserContext) -> Page:
    page = _status_context.pages[0] if _status_context.pages else await _status_context.new_page()
    await page.emulate_media(media="screen")
    await page.set_viewport_size({"width": 1280, "height": 720})
    return page
