"""Where email goes out: `MAALBOT_SMTP_URL` and `MAALBOT_SMTP_FROM` (see the README, «Web chat»).

    smtp://user:password@smtp.example.dk:587   STARTTLS (required unless ?starttls=off, for a local relay)
    smtps://user:password@smtp.example.dk:465  TLS from the first byte

The password may also come from `MAALBOT_SMTP_PASSWORD`, so the URL itself holds no secret. Neither is
ever logged; `for_display` shows the host only."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.settings import SettingsError


class SmtpEnv(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    url: SecretStr | None = Field(default=None, alias="MAALBOT_SMTP_URL")
    sender: str = Field(default="", alias="MAALBOT_SMTP_FROM")
    password: SecretStr | None = Field(default=None, alias="MAALBOT_SMTP_PASSWORD")
    timeout: float = Field(default=20.0, gt=0, le=120, alias="MAALBOT_SMTP_TIMEOUT")


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    use_tls: bool = False  # smtps: TLS from the start
    start_tls: bool | None = True  # True: required; None: when the server offers it (?starttls=auto); False: never
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 20.0

    @property
    def for_display(self) -> str:
        return f"{'smtps' if self.use_tls else 'smtp'}://{self.host}:{self.port}"


def parse_smtp_url(url: str, sender: str, password: str | None = None, timeout: float = 20.0) -> SmtpSettings:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SettingsError("MAALBOT_SMTP_URL: use smtp://host:587 or smtps://host:465")
    if "@" not in sender:
        raise SettingsError("MAALBOT_SMTP_FROM: the address emails are sent from, e.g. maalbot@kommune.dk")
    tls = parts.scheme == "smtps"
    mode = (parse_qs(parts.query).get("starttls") or ["on"])[0].lower()
    start_tls: bool | None = {"on": True, "auto": None, "off": False}.get(mode, True)
    try:
        port = parts.port or (465 if tls else 587)
    except ValueError:
        raise SettingsError("MAALBOT_SMTP_URL: the port is not a number") from None
    return SmtpSettings(
        host=parts.hostname,
        port=port,
        sender=sender,
        use_tls=tls,
        start_tls=False if tls else start_tls,
        username=unquote(parts.username) if parts.username else None,
        password=password if password is not None else (unquote(parts.password) if parts.password else None),
        timeout=timeout,
    )


def smtp_settings() -> SmtpSettings | None:
    """The SMTP settings from the environment, or None when MAALBOT_SMTP_URL is not set."""
    try:
        env = SmtpEnv()
    except ValidationError as exc:
        raise SettingsError(f"MAALBOT_SMTP_*: {exc.errors()[0]['msg']}") from None
    if env.url is None or not env.url.get_secret_value():
        return None
    password = env.password.get_secret_value() if env.password else None
    return parse_smtp_url(env.url.get_secret_value(), env.sender, password, env.timeout)
