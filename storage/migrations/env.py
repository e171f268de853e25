"""Alembic environment for maalbot.

Normal use is `storage.migrate.upgrade(db)`: it opens one connection (and transaction) on the
application's engine and hands it over in `config.attributes["connection"]`, so migrations run
inside an already running event loop (the Alembic cookbook recipe "Programmatic API use
(connection sharing) with asyncio"). Without a connection, for example from the `alembic` command
line with `-x url=...` or `sqlalchemy.url`, this file makes its own engine and runs it with
`asyncio.run`. Offline mode (`--sql`) renders SQL for the URL's dialect.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from storage.models import Base
from storage.types import UTCDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Render our column types as plain SQLAlchemy types so migration files never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure_options(dialect_name: str) -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "compare_type": True,
        "render_as_batch": dialect_name == "sqlite",
        "render_item": _render_item,
    }


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    url = url or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("no database URL: pass -x url=..., set sqlalchemy.url or DATABASE_URL")
    return url


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, **_configure_options(connection.dialect.name))
    # When the caller's connection is already in a transaction, Alembic leaves it alone and the
    # caller commits or rolls back: the whole upgrade is one transaction.
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine(url: str) -> None:
    from storage.db import Database  # the same engine set-up (SQLite pragmas, BEGIN IMMEDIATE)

    db = Database(url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await db.dispose()


def run_migrations_offline() -> None:
    from sqlalchemy.engine import make_url

    from storage.db import normalise_url

    url = normalise_url(_url())
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **_configure_options(make_url(url).get_backend_name()),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        asyncio.run(_run_with_own_engine(_url()))
    else:
        do_run_migrations(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
