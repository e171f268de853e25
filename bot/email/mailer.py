"""Sending one email over SMTP with aiosmtplib, and the classification the deliverer needs: a server
that is down, slow or says 4xx is transient (tried again later); 5xx for the recipient is permanent."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import aiosmtplib

from bot.delivery import SendResult
from bot.email.settings import SmtpSettings


def build_message(settings: SmtpSettings, to: str, subject: str, text: str, html: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr(("Målbot", settings.sender))
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.sender.rsplit("@", 1)[-1])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


class Mailer:
    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    async def send(self, message: EmailMessage) -> SendResult:
        s = self.settings
        try:
            await aiosmtplib.send(
                message,
                hostname=s.host,
                port=s.port,
                username=s.username,
                password=s.password,
                use_tls=s.use_tls,
                start_tls=s.start_tls,
                timeout=s.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            if codes and all(500 <= c < 600 for c in codes):
                return SendResult.permanent(f"SMTP {codes[0]}")
            return SendResult.transient(f"SMTP {codes[0] if codes else '?'}")
        except aiosmtplib.SMTPResponseException as exc:
            if 500 <= exc.code < 600 and exc.code not in (530, 535):  # authentication: the operator fixes it
                return SendResult.permanent(f"SMTP {exc.code}")
            return SendResult.transient(f"SMTP {exc.code}")
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return SendResult.transient(type(exc).__name__)
        return SendResult.ok()
