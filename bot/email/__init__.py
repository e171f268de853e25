"""Email as a delivery platform: SMTP settings, the mailer (aiosmtplib), and messages rendered as
plain text + simple HTML."""
