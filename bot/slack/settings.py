"""Slack settings from the environment. Secrets have no defaults and are never logged."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.settings import SettingsError

SLACK_API_URL = "https://slack.com/api/"
Mode = Literal["off", "http", "socket"]


class SlackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")  # xapp-…: Socket Mode
    api_url: str = Field(default=SLACK_API_URL, alias="SLACK_API_URL")  # tests point it at a fake

    @property
    def mode(self) -> Mode:
        """off without a bot token; Socket Mode with an app token; else HTTP (Events API)."""
        if not _present(self.bot_token):
            return "off"
        return "socket" if _present(self.app_token) else "http"

    def check(self) -> None:
        """Refuse a half configuration with one clear line (raised before the server starts)."""
        if self.mode == "http" and not _present(self.signing_secret):
            raise SettingsError(
                "SLACK_SIGNING_SECRET is not set: with SLACK_BOT_TOKEN and no SLACK_APP_TOKEN, Slack sends "
                "requests over HTTP and every request must be verified. Copy the signing secret from the "
                "Slack app's «Basic Information» page, or set SLACK_APP_TOKEN to use Socket Mode."
            )
        if _present(self.app_token) and not self.secret("app_token").startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN must be an app-level token (it starts with xapp-)")

    def secret(self, name: Literal["bot_token", "signing_secret", "app_token"]) -> str:
        value: SecretStr | None = getattr(self, name)
        return value.get_secret_value() if value is not None else ""


def _present(value: SecretStr | None) -> bool:
    return value is not None and bool(value.get_secret_value().strip())


def load_slack_settings() -> SlackSettings:
    """Read and check the Slack settings; problems raise SettingsError with a one-line explanation."""
    try:
        settings = SlackSettings()
    except ValidationError as exc:
        err = exc.errors()[0]
        raise SettingsError(f"Slack: {err['msg']}") from None
    settings.check()
    return settings
