"""Settings from the environment: defaults, validation in one line, and no password ever shown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

PASSWORD = "Hemmelig-42"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets: the settings are case-insensitive, so drop every spelling."""
    for name in list(os.environ):
        if name.upper().startswith("MAALBOT_") or name.upper() == "DATABASE_URL":
            monkeypatch.delenv(name)


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert (settings.locale, settings.timezone, settings.host, settings.port) == (
        "da",
        "Europe/Copenhagen",
        "127.0.0.1",
        3978,
    )
    assert settings.contact == "forvaltningen"
    assert settings.database_url is None
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path.resolve() / 'maalbot.db'}"
    assert settings.tz.key == "Europe/Copenhagen"


def test_values_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MAALBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MAALBOT_LOCALE", "en")
    monkeypatch.setenv("maalbot_timezone", "UTC")  # not case-sensitive
    monkeypatch.setenv("MAALBOT_PORT", "8080")
    monkeypatch.setenv("MAALBOT_CONTACT", "Børne- og Ungeforvaltningen")
    settings = load_settings()
    assert (settings.locale, settings.timezone, settings.port) == ("en", "UTC", 8080)
    assert settings.contact == "Børne- og Ungeforvaltningen"
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path.resolve() / 'maalbot.db'}"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://maal:pw@db.example.dk/maal", "postgresql+asyncpg://maal:pw@db.example.dk/maal"),
        ("postgresql://maal@db.example.dk:5433/maal", "postgresql+asyncpg://maal@db.example.dk:5433/maal"),
        ("sqlite:////var/lib/maalbot/maalbot.db", "sqlite+aiosqlite:////var/lib/maalbot/maalbot.db"),
    ],
)
def test_database_url_gets_an_async_driver(monkeypatch: pytest.MonkeyPatch, url: str, expected: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    settings = load_settings()
    assert settings.database_url == expected
    assert settings.resolved_database_url == expected
    assert "pw" not in settings.database_for_display


def test_an_empty_database_url_means_the_sqlite_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.setenv("MAALBOT_DATA_DIR", str(tmp_path))
    assert load_settings().resolved_database_url.endswith(f"{tmp_path.resolve()}/maalbot.db")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MAALBOT_TIMEZONE", "Mars/Olympus", "MAALBOT_TIMEZONE: unknown time zone 'Mars/Olympus'"),
        ("MAALBOT_TIMEZONE", "../../etc/passwd", "MAALBOT_TIMEZONE: unknown time zone"),
        ("MAALBOT_LOCALE", "fr", "MAALBOT_LOCALE: "),
        ("MAALBOT_PORT", "0", "MAALBOT_PORT: "),
        ("MAALBOT_PORT", "http", "MAALBOT_PORT: "),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: cannot use 'mysql://x': unsupported database 'mysql'"),
        ("DATABASE_URL", "sqlite:///:memory:", "DATABASE_URL: cannot use 'sqlite:///:memory:': use a SQLite file"),
        ("DATABASE_URL", "not a url", "DATABASE_URL: cannot use 'not a url'"),
        (
            "DATABASE_URL",
            "postgresql://db.example.dk:54x/maal",
            "DATABASE_URL: cannot use 'postgresql://db.example.dk:54x/maal': the port is not a number",
        ),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    text = str(caught.value)
    assert text.startswith(message)
    assert "\n" not in text
    assert "Value error" not in text


@pytest.mark.parametrize(
    "url",
    [
        f"mysql://maal:{PASSWORD}@db.example.dk/maal",
        f"mysql://maal:{PASSWORD}@db.example.dk/maal?password={PASSWORD}",
        f"postgresql//maal:{PASSWORD}@db.example.dk/maal",  # malformed: the URL parser gives up
        f"maal:{PASSWORD}@db.example.dk",
        f"postgresql://maal:{PASSWORD}@db.example.dk:5432x/maal",  # the port is not a number
        f"postgresql://maal:p@ss:{PASSWORD}@db.example.dk:x/maal",  # '@' and ':' in the password
    ],
)
def test_a_bad_database_url_never_shows_the_password(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith("DATABASE_URL: cannot use ")
    assert PASSWORD not in str(caught.value)
    assert "***" in str(caught.value)


def test_the_displayed_database_hides_user_and_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://maal@db.example.dk/maal?password={PASSWORD}")
    shown = load_settings().database_for_display
    assert shown == "db.example.dk/maal?password=***"


def test_settings_can_also_be_built_directly(tmp_path: Path) -> None:
    settings = Settings(MAALBOT_DATA_DIR=tmp_path, MAALBOT_LOCALE="en")
    assert settings.locale == "en"
    assert settings.resolved_database_url.endswith("/maalbot.db")
