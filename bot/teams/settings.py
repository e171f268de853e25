"""Teams settings from the environment: the Azure Bot registration's app id, secret, tenant and type.

The names are the ones a botbuilder bot used, so an existing Azure Bot registration works unchanged."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

AppType = Literal["SingleTenant", "MultiTenant", "UserAssignedMSI"]


class TeamsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    app_id: str | None = Field(default=None, alias="MICROSOFT_APP_ID")
    app_password: SecretStr | None = Field(default=None, alias="MICROSOFT_APP_PASSWORD")
    tenant_id: str | None = Field(default=None, alias="MICROSOFT_APP_TENANT_ID")
    app_type: AppType | None = Field(default=None, alias="MICROSOFT_APP_TYPE")
    roster_refresh_hours: float = Field(default=12.0, gt=0, alias="MAALBOT_TEAMS_ROSTER_HOURS")

    @property
    def effective_app_type(self) -> AppType:
        return self.app_type or "MultiTenant"

    @property
    def mentioned(self) -> bool:
        """Whether any Teams setting is present at all (then Teams is meant to run)."""
        return any((self.app_id, self.app_password, self.tenant_id, self.app_type))

    def credential_problem(self) -> str | None:
        """What is missing for authenticated operation, or None when the credentials are complete."""
        if not self.app_id:
            return "MICROSOFT_APP_ID is not set"
        if self.effective_app_type != "UserAssignedMSI" and not (
            self.app_password and self.app_password.get_secret_value()
        ):
            return "MICROSOFT_APP_PASSWORD is not set"
        if self.effective_app_type in ("SingleTenant", "UserAssignedMSI") and not self.tenant_id:
            return f"MICROSOFT_APP_TENANT_ID is required for MICROSOFT_APP_TYPE={self.effective_app_type}"
        return None

    @property
    def has_credentials(self) -> bool:
        return self.credential_problem() is None


def teams_startup_problem(settings: TeamsSettings, dev: bool) -> str | None:
    """Why `serve` must not start, or None.

    Without credentials `/api/messages` would accept anyone's requests, so that is allowed only in
    `--dev` (bound to 127.0.0.1). Teams settings that are present but incomplete are a mistake, not
    a request for development mode."""
    if dev or not settings.mentioned:
        return None
    problem = settings.credential_problem()
    if problem is None:
        return None
    return (
        f"Teams is configured but {problem}: without complete credentials /api/messages would accept "
        "unauthenticated requests. Complete the MICROSOFT_APP_* settings, or run `maalbot serve --dev` locally."
    )


def load_teams_settings() -> TeamsSettings:
    """The Teams settings; a bad value raises SettingsError with a one-line explanation."""
    from bot.settings import SettingsError

    try:
        return TeamsSettings()
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else "setting"
        raise SettingsError(f"{name}: {err['msg']}") from None
