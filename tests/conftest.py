"""Shared fixtures.

- `postgres_url` (session): URL of the maintenance database ("postgres") of a throwaway PostgreSQL
  server started with initdb + pg_ctl in a temporary directory, trust auth, 127.0.0.1 only; stopped
  at the end of the session. Skips when no PostgreSQL binaries are installed.
- `sqlite_db`: a fresh SQLite file database at the head revision: a copy of one file migrated with
  `storage.migrate.upgrade` once per session (copying a file is ~100x cheaper than running the migrations;
  the migration tests run them for real on `empty_db`).
- `pg_db`: an empty PostgreSQL database at the head revision: a copy of the migrated template the first
  time, then one that an earlier test of the worker used and that was emptied again (`_pg_reset`: one
  statement on one connection cuts off what was left connected, checks the schema, DELETEs the rows with
  the triggers off and restarts the used sequences; one whose schema a test changed is dropped). That
  costs the server a fraction of CREATE + DROP DATABASE, or of TRUNCATE (tests/storage/test_test_databases.py).
- `db`: parametrised over "sqlite" and "postgresql": a fresh, migrated, empty `Database`.
- `empty_db`: parametrised like `db`, but never migrated (for migration tests); also
  `empty_sqlite_db` and `empty_pg_db`.

Test order (`pytest_collection_modifyitems`): the files in `SLOW_FIRST` run first, longest first, so
that with pytest-xdist (`make test`: `-n auto`, which hands out the tests in this order) the long tests
start at once and the many short ones fill in behind them instead of one long test ending the run.
(`--dist loadfile` would sort the files by their number of tests instead, and `--dist loadgroup` does not
group with pytest 9: xdist 3.8 sets `item._nodeid`, which pytest 9 no longer reads.)
`MAALBOT_TEST_PG_CPU=<file>`: each worker's PostgreSQL server appends its CPU seconds (its own and its
finished backends') to the file when the session ends: `time make test` does not count them (the server
is not a child it waits for).

After collection the garbage collector freezes what the imports made and runs less often
(`pytest_collection_finish`): ~8 % less CPU.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from storage.db import Database, sqlite_url_for
from storage.migrate import upgrade

NO_POSTGRES = "no PostgreSQL binaries (initdb/pg_ctl) found: install the postgresql package"
_TEMPLATE = "maalbot_template"  # migrated once per session; per-test databases are copies of it
_names = itertools.count(1)
_SERVER: dict[str, object] = {}  # how the session's PostgreSQL was started, for `restart_postgres`


# Longest first (CPU and waiting, measured with `--durations`; benchmarks/README.md «Test suite time»).
SLOW_FIRST = (
    "tests/webchat/test_chat_browser.py",
    "tests/meetings/test_schedule.py",
    "tests/durability/test_crash_teams.py",
    "tests/bot/test_installed_package.py",
    "tests/bot/test_web.py",
    "tests/web/test_status_page_browser.py",
    "tests/durability/test_postgres_restart.py",
    "tests/durability/test_crash_slack.py",
    "tests/durability/test_two_instances.py",
    "tests/reports/test_export_scale.py",
    "tests/reminders/test_week.py",
    "tests/reminders/test_delivery.py",
    "tests/web/test_status_page_scale.py",
    "tests/reminders/test_replan_changed.py",
    "tests/reminders/test_incremental.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: n for n, path in enumerate(SLOW_FIRST)}
    order = {id(item): n for n, item in enumerate(items)}
    items.sort(key=lambda item: (rank.get(item.nodeid.split("::", 1)[0], len(rank)), order[id(item)]))


def pytest_collection_finish(session: pytest.Session) -> None:
    gc.collect()
    gc.freeze()  # what the imports made is never garbage: the collector need not walk it again and again
    gc.set_threshold(20_000, 20, 20)


def restart_postgres() -> None:
    """Restart the session's PostgreSQL (blocking; run it in a thread): every open connection is cut.
    `-m fast`, not `immediate`: the test server runs with synchronous_commit=off, where a crash may
    lose the last commits, which production settings would not."""
    if not _SERVER:
        pytest.skip(NO_POSTGRES)
    pg_ctl, data, log = str(_SERVER["pg_ctl"]), str(_SERVER["data"]), str(_SERVER["log"])
    prefix = list(_SERVER["prefix"])  # type: ignore[call-overload]
    _run([pg_ctl, "-D", data, "-m", "fast", "-w", "stop"], prefix)
    _run([pg_ctl, "-D", data, "-l", log, "-o", str(_SERVER["options"]), "-w", "-t", "30", "start"], prefix)


def _pg_binaries() -> tuple[str, str] | None:
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return initdb, pg_ctl
    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        initdb, pg_ctl = os.path.join(bindir, "initdb"), os.path.join(bindir, "pg_ctl")
        if os.access(initdb, os.X_OK) and os.access(pg_ctl, os.X_OK):
            return initdb, pg_ctl
    return None


def _version_key(bindir: str) -> tuple[int, str]:
    version = Path(bindir).parent.name
    return (int(version), version) if version.isdigit() else (0, version)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _run(cmd: list[str], prefix: list[str]) -> None:
    result = subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Start a private PostgreSQL server for the test session; yield the admin URL."""
    binaries = _pg_binaries()
    if binaries is None:
        pytest.skip(NO_POSTGRES)
    initdb, pg_ctl = binaries
    prefix: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="maalbot-pg-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(tmp)
            pytest.skip("running as root and there is no `postgres` user to run PostgreSQL as")
        os.chown(tmp, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, log = tmp / "data", tmp / "server.log"
    started = False
    try:
        _run([initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"], prefix)
        for _attempt in range(3):  # another process may grab the free port before the server does
            port = _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                # a test server's databases live for one test: no autovacuum, no WAL beyond crash safety
                "-c autovacuum=off -c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=1GB"
            )
            result = subprocess.run(
                [*prefix, pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "30", "start"],
                capture_output=True,
                text=True,
                timeout=60,
            )
            if result.returncode == 0:
                started = True
                _SERVER.update(pg_ctl=pg_ctl, data=str(data), log=str(log), options=options, prefix=prefix)
                break
        if not started:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed:\n{result.stdout}{result.stderr}\n{server_log}")
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if started and os.environ.get("MAALBOT_TEST_PG_CPU"):
            _write_server_cpu(data, Path(os.environ["MAALBOT_TEST_PG_CPU"]))
        if started:
            subprocess.run(
                [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                timeout=60,
            )
        # the server's files (~40 MB) are removed by a process of their own: the worker need not wait ~2 s
        subprocess.run(["sh", "-c", 'rm -rf "$0" &', str(tmp)], check=False)


def _write_server_cpu(data: Path, out: Path) -> None:
    """Append the CPU seconds (user + sys) of the server and of its finished backends to `out`: the
    server is not a child that `time make test` waits for, so its CPU is not in `time`'s figures."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        pid = (data / "postmaster.pid").read_text().split()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        seconds = sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime
        with out.open("a", encoding="utf-8") as f:
            f.write(f"{seconds:.2f}\n")


def _dsn(url: str, database: str | None = None) -> str:
    """A plain libpq-style DSN for asyncpg (admin statements), optionally for another database."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _admin(postgres_url: str, *statements: str) -> None:
    conn = await asyncpg.connect(_dsn(postgres_url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def _pg_template(postgres_url: str) -> str:
    """A database migrated to head once; CREATE DATABASE ... TEMPLATE copies it in milliseconds."""
    await _admin(postgres_url, f"CREATE DATABASE {_TEMPLATE}")
    template = Database(make_url(postgres_url).set(database=_TEMPLATE).render_as_string(hide_password=False))
    try:
        await upgrade(template)
    finally:
        await template.dispose()  # no connection may remain: copying needs the template idle
    return _TEMPLATE


@contextlib.asynccontextmanager
async def _pg_database(postgres_url: str, template: str = "template0") -> AsyncIterator[Database]:
    name = f"t_{os.getpid()}_{next(_names)}"
    await _admin(postgres_url, f"CREATE DATABASE {name} TEMPLATE {template}")
    db = Database(make_url(postgres_url).set(database=name).render_as_string(hide_password=False))
    try:
        yield db
    finally:
        await db.dispose()
        await _admin(postgres_url, f"DROP DATABASE {name} WITH (FORCE)")


_SQLITE_FILE = "test.db"


@pytest.fixture(scope="session")
async def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session (checkpointed: no -wal file remains)."""
    directory = tmp_path_factory.mktemp("sqlite-template")
    template = Database(sqlite_url_for(directory / _SQLITE_FILE))
    try:
        await upgrade(template)
    finally:
        await template.dispose()
    assert not (directory / f"{_SQLITE_FILE}-wal").exists() or (directory / f"{_SQLITE_FILE}-wal").stat().st_size == 0
    return directory / _SQLITE_FILE


@contextlib.asynccontextmanager
async def _sqlite_database(directory: Path, *, template: Path | None) -> AsyncIterator[Database]:
    if template is not None:
        shutil.copyfile(template, directory / _SQLITE_FILE)
    db = Database(sqlite_url_for(directory / _SQLITE_FILE))
    try:
        yield db
    finally:
        await db.dispose()


# `sqlite_db` and `pg_db` keep their `Database` for the next test of the worker (the SQLite file is copied
# anew, the PostgreSQL database emptied): the engine's cache of compiled statements outlives the test, where
# a fresh engine compiles every statement again (~17 % of the CPU of the tests that talk to the bot).
# `dispose()` closes the connections between the tests. An engine a test added event listeners to is not
# kept (`_listeners`).
_KEPT: dict[str, Database] = {}


def _listeners(db: Database) -> int:
    """How many event listeners the engines and their pools hold (the product's own, and any a test added)."""
    engines = [db.engine.sync_engine, *([db.reader.sync_engine] if db.is_sqlite else [])]
    dispatchers: list[Any] = [target.dispatch for engine in engines for target in (engine, engine.pool)]
    return sum(len(getattr(d, str(name))) for d in dispatchers for name in d._event_names)


def _kept(url: str) -> tuple[Database, int]:
    db = _KEPT.get(url)
    if db is None:
        db = _KEPT[url] = Database(url)
    if db.is_sqlite:
        db._turns = asyncio.Lock()  # the queue of transactions starts empty
    return db, _listeners(db)


async def _put_back(db: Database, listeners: int, *, keep: bool = True) -> None:
    await db.dispose()
    if not keep or _listeners(db) != listeners:
        _KEPT.pop(db.url, None)


@pytest.fixture
async def sqlite_db(_sqlite_template: Path) -> AsyncIterator[Database]:
    directory = _sqlite_template.parent.parent / "sqlite-db"
    directory.mkdir(exist_ok=True)
    path = directory / _SQLITE_FILE
    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(_sqlite_template, directory / "next.db")
    os.replace(directory / "next.db", path)  # a new file: a connection a test leaked keeps the old one
    db, listeners = _kept(sqlite_url_for(path))
    try:
        yield db
    finally:
        await _put_back(db, listeners)


# Databases at the head revision that a finished test left and that were emptied again (`_pg_reset`):
# CREATE DATABASE + DROP DATABASE cost the PostgreSQL server ~0.1 s of CPU per test, emptying the
# tables a test wrote to a fraction of it, and a database that was used before connects faster.
_PG_FREE: list[str] = []
_PG_SHAPE: dict[str, str] = {}  # the template's schema, as `_PG_SHAPE_SQL` describes it

_PG_SHAPE_SQL = """
SELECT concat_ws(' | ',
  (SELECT string_agg(c.relname || ':' || c.relkind::text, ',' ORDER BY c.relname, c.relkind) FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'),
  (SELECT string_agg(t.tgname, ',' ORDER BY t.tgname) FROM pg_trigger t WHERE NOT t.tgisinternal),
  (SELECT string_agg(p.proname, ',' ORDER BY p.proname) FROM pg_proc p
     JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')),
  (SELECT string_agg(e.extname, ',' ORDER BY e.extname) FROM pg_extension e),
  (SELECT string_agg(version_num, ',') FROM alembic_version))
"""


# Whatever a test left connected (a killed `maalbot serve`, a second engine) is cut off; a schema that is
# no longer the template's raises (the database is then dropped); the tables are emptied with DELETE and
# the triggers off (`session_replication_role = replica`: no foreign-key checks, and the audit log's
# append-only trigger stays out of it), which for a table of a few rows costs a fraction of TRUNCATE (new
# files for the table and each of its indexes); a table that has grown past `_PG_TRUNCATE_PAGES` is
# truncated instead, so that dead rows do not pile up with autovacuum off; the sequences that were used
# start again (`setval(..., false)`: no new file either). One statement on one connection.
_PG_TRUNCATE_PAGES = 16
_PG_RESET_SQL = """
DO $reset$
DECLARE r record;
BEGIN
  PERFORM pg_terminate_backend(pid) FROM pg_stat_activity
   WHERE datname = current_database() AND pid <> pg_backend_pid();
  IF ({shape}) IS DISTINCT FROM {head} THEN
    RAISE EXCEPTION 'maalbot test reset: the schema is not the template''s' USING ERRCODE = 'MB001';
  END IF;
  SET LOCAL session_replication_role = replica;
  FOR r IN SELECT c.oid::regclass AS t, pg_relation_size(c.oid) AS size FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg_toast%' AND c.relname <> 'alembic_version' LOOP
    IF r.size > {pages} * current_setting('block_size')::int THEN
      EXECUTE format('TRUNCATE %s CASCADE', r.t);
    ELSE
      EXECUTE format('DELETE FROM %s', r.t);
    END IF;
  END LOOP;
  PERFORM setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false) FROM pg_sequences
   WHERE last_value IS NOT NULL;
END
$reset$
"""


async def _pg_reset(postgres_url: str, name: str) -> bool:
    """Empty the database `name` again (see `_PG_RESET_SQL`); False when its schema is no longer the
    template's (then it is to be dropped instead)."""
    head = "'" + _PG_SHAPE["head"].replace("'", "''") + "'"
    sql = _PG_RESET_SQL.format(shape=_PG_SHAPE_SQL.strip(), head=head, pages=_PG_TRUNCATE_PAGES)
    conn = await asyncpg.connect(_dsn(postgres_url, name))
    try:
        await conn.execute(sql)
        return True
    except asyncpg.PostgresError:  # MB001, or a table of the check gone (alembic_version): drop it
        return False
    finally:
        await conn.close()


@pytest.fixture
async def pg_db(postgres_url: str, _pg_template: str) -> AsyncIterator[Database]:
    if "head" not in _PG_SHAPE:
        conn = await asyncpg.connect(_dsn(postgres_url, _pg_template))
        try:
            _PG_SHAPE["head"] = await conn.fetchval(_PG_SHAPE_SQL)
        finally:
            await conn.close()
    if _PG_FREE:
        name = _PG_FREE.pop()
    else:
        name = f"t_{os.getpid()}_{next(_names)}"
        await _admin(postgres_url, f"CREATE DATABASE {name} TEMPLATE {_pg_template}")
    db, listeners = _kept(make_url(postgres_url).set(database=name).render_as_string(hide_password=False))
    emptied = False
    try:
        yield db
    finally:
        await db.dispose()
        emptied = await _pg_reset(postgres_url, name)
        await _put_back(db, listeners, keep=emptied)
        if emptied:
            _PG_FREE.append(name)
        else:
            await _admin(postgres_url, f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
async def empty_sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    async with _sqlite_database(tmp_path, template=None) as db:
        yield db


@pytest.fixture
async def empty_pg_db(postgres_url: str) -> AsyncIterator[Database]:
    async with _pg_database(postgres_url) as db:
        yield db


# `db` and `empty_db` are plain fixtures that pick one of the async fixtures above: an async fixture
# cannot call `getfixturevalue` for another async fixture (the event loop is already running).
_BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=_BACKENDS)
def db(request: pytest.FixtureRequest) -> Database:
    """A fresh, migrated, empty database on each backend."""
    database: Database = request.getfixturevalue("sqlite_db" if request.param == "sqlite" else "pg_db")
    return database


@pytest.fixture(params=_BACKENDS)
def empty_db(request: pytest.FixtureRequest) -> Database:
    """A fresh database on each backend with no tables at all (not migrated)."""
    name = "empty_sqlite_db" if request.param == "sqlite" else "empty_pg_db"
    database: Database = request.getfixturevalue(name)
    return database


# -- browser tests (tests/browser.py) ------------------------------------------------------------------
@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    """Headless Debian Chromium through Playwright, one per test session (per xdist worker); a test opens
    its own context, or uses the worker's shared page (tests/web/conftest.py `page`)."""
    from playwright.async_api import async_playwright

    from tests.browser import ARGS, CHROMIUM

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    from tests.browser import load_axe

    return load_axe()
