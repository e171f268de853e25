"""Settings from the environment (pydantic-settings). Secrets never have defaults and are never logged."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:  # SQLAlchemy and storage are imported where used: `maalbot --help` starts without them
    from storage.retention import Ages

_PASSWORD_PARAM = re.compile(r"(?i)(password=)[^&]*")  # a password in the URL's query string


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
    # retention (see the README's «Privacy and data protection»): must match the municipality's archive rules
    keep_events_days: int = Field(default=30, ge=1, alias="MAALBOT_KEEP_EVENTS_DAYS")
    keep_messages_days: int = Field(default=90, ge=1, alias="MAALBOT_KEEP_MESSAGES_DAYS")
    keep_periods_years: int = Field(default=5, ge=1, alias="MAALBOT_KEEP_PERIODS_YEARS")
    # seconds every call to Slack or Teams may take before it counts as failed (and is retried)
    platform_timeout: float = Field(default=10.0, gt=0, le=120, alias="MAALBOT_PLATFORM_TIMEOUT")
    municipality: str = Field(default="", max_length=200, alias="MAALBOT_MUNICIPALITY")  # on the committee document
    metrics_token: str | None = Field(default=None, alias="MAALBOT_METRICS_TOKEN")  # /metrics: see bot.metrics
    log_format: Literal["text", "json"] = Field(default="text", alias="MAALBOT_LOG_FORMAT")

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
        from sqlalchemy.engine import make_url

        from storage.db import normalise_url

        try:
            url = normalise_url(value)
            parsed = make_url(value)
            in_memory = parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")
        except Exception as exc:  # sqlalchemy raises several kinds for a malformed URL
            reason = "the port is not a number" if "invalid literal for int()" in str(exc) else str(exc)
            raise ValueError(f"cannot use {_redact(value)!r}: {hide_password(reason, value)}") from None
        if in_memory:
            raise ValueError(f"cannot use {_redact(value)!r}: use a SQLite file, not an in-memory database")
        return url

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'maalbot.db').resolve()}"

    @property
    def database_for_display(self) -> str:
        """Where the database is, without user name or password (for banners and error messages)."""
        return _PASSWORD_PARAM.sub(r"\1***", self.resolved_database_url.split("@")[-1])

    @property
    def retention(self) -> Ages:
        from storage.retention import Ages

        return Ages(
            events=timedelta(days=self.keep_events_days),
            messages=timedelta(days=self.keep_messages_days),
            periods_years=self.keep_periods_years,
        )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _redact(url: str) -> str:
    """Hide the password in a database URL, also a malformed one, before it is shown anywhere."""
    url = _PASSWORD_PARAM.sub(r"\1***", url)
    if "@" not in url:
        return url
    creds, host = url.rsplit("@", 1)
    scheme, sep, userinfo = creds.rpartition("://")
    user = userinfo.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


def hide_password(message: str, url: str) -> str:
    """`message` with anything that may be the password of `url` replaced by ***."""
    secrets = [m.group(0).split("=", 1)[1] for m in _PASSWORD_PARAM.finditer(url)]
    for before_at in (url.split("@", 1)[0], url.rsplit("@", 1)[0]) if "@" in url else ():
        userinfo = before_at.rpartition("://")[2]
        if ":" in userinfo:
            secrets.append(userinfo.split(":", 1)[1])
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        message = message.replace(secret, "***")
    return message


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
