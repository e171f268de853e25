"""Sign-in links and sessions for the web chat.

A sign-in link is a signed link (`dialogs.links`) for `/chat/signin` naming the person and a random
nonce; it expires after `MAALBOT_SIGNIN_MINUTES` (30 by default) and works once (the nonce is stored
when used). A session is a random token in a cookie; the database keeps only its SHA-256, the person,
the session's CSRF token and when it ends (`MAALBOT_SESSION_DAYS`, 30 by default)."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.settings import SettingsError
from dialogs.links import LinkError, LinkSigner, make_link
from storage import web_sessions
from storage.db import Database
from storage.models import Person

SIGNIN_PATH = "/chat/signin"


class WebChatSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    enabled: bool = Field(default=False, alias="MAALBOT_WEBCHAT")
    session_days: float = Field(default=30, gt=0, le=365, alias="MAALBOT_SESSION_DAYS")
    signin_minutes: float = Field(default=30, gt=0, le=24 * 60, alias="MAALBOT_SIGNIN_MINUTES")
    # how long the sign-in link in a reminder email works (it reaches people later than a requested one)
    email_link_hours: float = Field(default=72, gt=0, le=24 * 14, alias="MAALBOT_EMAIL_LINK_HOURS")


def webchat_settings() -> WebChatSettings:
    try:
        return WebChatSettings()
    except ValidationError as exc:
        err = exc.errors()[0]
        raise SettingsError(f"{err['loc'][0] if err['loc'] else 'MAALBOT_WEBCHAT'}: {err['msg']}") from None


@dataclass(frozen=True, slots=True)
class SignedIn:
    person: Person
    csrf: str
    token: str


class SignIns:
    def __init__(self, db: Database, signer: LinkSigner, settings: WebChatSettings) -> None:
        self.db = db
        self.signer = signer
        self.settings = settings

    def link(self, person_id: int, now: datetime, *, for_email: bool = False) -> str:
        hours = self.settings.email_link_hours if for_email else self.settings.signin_minutes / 60
        scope = {"person": str(person_id), "nonce": secrets.token_urlsafe(18)}
        return make_link(self.signer.base_url, SIGNIN_PATH, scope, self.signer.secret, now, timedelta(hours=hours))

    async def redeem(self, token: str | None, now: datetime) -> SignedIn | None:
        """A session for the person a valid, unused link names; None for a link that does not hold
        (tampered, expired, used before, or the person is gone)."""
        try:
            claims = self.signer.verify(SIGNIN_PATH, token, now)
            person_id = int(claims.scope["person"])
            nonce = claims.scope["nonce"]
        except (LinkError, KeyError, ValueError):
            return None
        session_token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        async with self.db.transaction() as s:
            person = await s.get(Person, person_id)
            if person is None or not await web_sessions.use_sign_in(s, nonce, person_id, now, claims.expires_at):
                return None
            await web_sessions.forget_expired(s, now)
            expires = now + timedelta(days=self.settings.session_days)
            web_sessions.start_session(s, person_id, session_token, csrf, now, expires)
        return SignedIn(person, csrf, session_token)

    async def session(self, token: str | None, now: datetime) -> SignedIn | None:
        if not token or len(token) > 200:
            return None
        async with self.db.transaction() as s:
            found = await web_sessions.session_of(s, token, now)
        if found is None:
            return None
        return SignedIn(found[1], found[0].csrf, token)

    async def end(self, token: str) -> None:
        async with self.db.transaction() as s:
            await web_sessions.end_session(s, token)

    def anonymous_csrf(self, anon: str) -> str:
        """The CSRF token of a form shown before sign-in: bound to the browser's anonymous cookie."""
        return hmac.new(self.signer.secret, f"chat-anon:{anon}".encode(), "sha256").hexdigest()


def same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode(), b.encode())
