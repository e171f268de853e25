"""Where signed links come from: the secret (`MAALBOT_LINK_SECRET`), the public base URL
(`MAALBOT_PUBLIC_URL`) and how long a link lives (`MAALBOT_LINK_TTL_HOURS`).

Without a secret, `--dev` uses a random secret made once per process (links then die with the
process), and production gives no links at all and says so once in the log."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.settings import SettingsError
from dialogs.links import MIN_SECRET_BYTES, LinkSigner

log = logging.getLogger("maalbot.links")

_DEV_SECRET = secrets.token_bytes(32)  # one per process, so the chat and the pages agree
_said: set[str] = set()


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
