"""Durable storage: SQLAlchemy models, repositories, migrations and export. No platform code here."""
