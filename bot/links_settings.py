"""Where signed links come from: the secret (`MAALBOT_LINK_SECRET`), the public base URL
(`MAALBOT_PUBLIC_URL`) and how long a link lives (`MAALBOT_LINK_TTL_HOURS`); and that their tokens
stay out of the access log.

Without a secret, `--dev` uses a random secret made once per process (links then die with the
process), and production gives no links at all and says so once in the log."""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.settings import SettingsError
from dialogs.links import MIN_SECRET_BYTES, LinkSigner

log = logging.getLogger("maalbot.links")

_DEV_SECRET = secrets.token_bytes(32)  # one per process, so the chat and the pages agree
_said: set[str] = set()

_TOKEN_IN_URL = re.compile(r"([?&]token=)[^&\s\"]+")


class RedactLinkTokens(logging.Filter):
    """The access log writes every request line, query string and all: a token there is a working
    link for anyone who reads the log. This filter keeps the request and drops the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "token=" in message:
            record.msg, record.args = _TOKEN_IN_URL.sub(r"\1[redacted]", message), ()
        line = getattr(record, "first_request_line", None)  # aiohttp's `extra`, for structured logs
        if isinstance(line, str) and "token=" in line:
            setattr(record, "first_request_line", _TOKEN_IN_URL.sub(r"\1[redacted]", line))  # noqa: B010
        return True


def redact_access_log() -> None:
    """Keep link tokens out of aiohttp's access log (once per process)."""
    access = logging.getLogger("aiohttp.access")
    if not any(isinstance(f, RedactLinkTokens) for f in access.filters):
        access.addFilter(RedactLinkTokens())


class LinkSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    link_secret: SecretStr | None = Field(default=None, alias="MAALBOT_LINK_SECRET")
    public_url: str = Field(default="http://127.0.0.1:3978", alias="MAALBOT_PUBLIC_URL")
    ttl_hours: float = Field(default=24, gt=0, le=24 * 31, alias="MAALBOT_LINK_TTL_HOURS")

    @field_validator("link_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if len(value.get_secret_value().encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"use at least {MIN_SECRET_BYTES} characters (e.g. `openssl rand -hex 32`)")
        return value

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")


def link_signer(settings: LinkSettings | None = None, *, dev: bool = False) -> LinkSigner | None:
    """The signer for this process, or None when links are disabled (no secret outside --dev).
    A bad setting raises SettingsError with a one-line explanation."""
    settings = settings or load_link_settings()
    ttl = timedelta(hours=settings.ttl_hours)
    if settings.link_secret is not None:
        return LinkSigner(settings.link_secret.get_secret_value().encode(), settings.public_url, ttl)
    if dev:
        _say_once("dev", "MAALBOT_LINK_SECRET is not set: --dev signs links with a random secret for this process")
        return LinkSigner(_DEV_SECRET, settings.public_url, ttl)
    _say_once("off", "MAALBOT_LINK_SECRET is not set: status page and export links are disabled")
    return None


def load_link_settings() -> LinkSettings:
    try:
        return LinkSettings()
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else "setting"
        raise SettingsError(f"{name}: {err['msg'].removeprefix('Value error, ')}") from None


def _say_once(key: str, message: str) -> None:
    if key not in _said:
        _said.add(key)
        log.warning(message)
