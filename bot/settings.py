"""Settings from the environment (pydantic-settings). Secrets never have defaults and are never logged."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import normalise_url


class SettingsError(ValueError):
    """A bad setting, explained in one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    data_dir: Path = Field(default=Path("."), alias="MAALBOT_DATA_DIR")
    locale: Literal["da", "en"] = Field(default="da", alias="MAALBOT_LOCALE")
    timezone: str = Field(default="Europe/Copenhagen", alias="MAALBOT_TIMEZONE")
    host: str = Field(default="127.0.0.1", alias="MAALBOT_HOST")
    port: int = Field(default=3978, ge=1, le=65535, alias="MAALBOT_PORT")
    contact: str = Field(default="forvaltningen", alias="MAALBOT_CONTACT")  # who unknown users should ask

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Copenhagen)") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _usable_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        try:
            return normalise_url(value)
        except Exception as exc:  # sqlalchemy raises several kinds for a malformed URL
            raise ValueError(f"cannot use {_redact(value)!r}: {exc}") from None

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'maalbot.db').resolve()}"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _redact(url: str) -> str:
    """Hide the password in a database URL before it is shown anywhere."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url


def load_settings() -> Settings:
    """Read the environment; a bad value raises SettingsError with a one-line explanation."""
    try:
        return Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else "setting"
        env_names = {f.alias: f.alias for f in Settings.model_fields.values() if f.alias}
        env = env_names.get(name, name.upper())
        raise SettingsError(f"{env}: {err['msg'].removeprefix('Value error, ')}") from None
