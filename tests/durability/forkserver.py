"""Start `maalbot serve` processes cheaply: a fork server that has imported what `serve` imports.

A fresh `python -m bot.cli serve` spends ~2.5 s of CPU (with Teams ~4 s) importing the bot before it
listens, and the crash tests start it again and again. Instead, one helper process per test run (shared
by the pytest-xdist workers over a Unix socket) imports those modules once (`PRELOAD`); each `start` forks
it, and the child sets its own environment, sends its output to its own log file and runs
`bot.cli.main(["serve", ...])`, the same function the console script runs (~0.5 s of CPU to its first
/healthz). The child is a real, separate process (its own pid, killed with SIGKILL by the tests); only the
imports are shared. Starting the real console script is tested elsewhere (tests/bot/test_web.py,
tests/bot/test_cli.py).

Protocol (JSON lines): the server says {"welcome": true} once it listens; the test process (on the server's
stdin, or on its connection) writes {"argv", "env", "log"} and reads {"pid"} back; when a child ends, the
server writes {"exited": pid, "status": exit status} to the one that started it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

# everything `serve` imports before it listens (bot.cli's parsers, the pages build_app mounts): a child that
# still has to import some of them spends ~0.3 s of CPU more on each start
PRELOAD = (
    "bot.cli", "bot.cli_admin", "bot.cli_meetings", "bot.cli_privacy", "bot.cli_remind", "bot.webchat.invite",
    "bot.serve", "bot.web", "bot.metrics", "bot.outbound", "bot.purge_task", "bot.scheduler", "bot.platforms",
    "bot.links_settings", "bot.notifiers", "bot.status_page", "bot.meeting_page",
    "bot.slack.wiring", "bot.slack.app", "bot.teams.wiring", "bot.teams.app", "bot.webchat.app",
    "slack_bolt.listener_matcher.async_builtins", "storage.migrate", "aiosqlite", "asyncpg",
)  # fmt: skip


class ForkedProcess:
    """The parts of `subprocess.Popen` that tests/durability/serve.py uses, for a forked child."""

    def __init__(self, server: ForkServer, pid: int) -> None:
        self.server, self.pid = server, pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.server.exited.get(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"maalbot serve (pid {self.pid})", timeout or 0)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkServer:
    """The fork server of this test run. The first pytest-xdist worker that needs one starts it (its
    `owner`: requests on the server's stdin); the other workers connect to its Unix socket instead of
    importing the bot a second time (~4 s of CPU each). A lock file keeps a worker from connecting while the
    owner ends the server: the owner removes the socket under the lock, and a worker holds the lock until
    the server has taken its connection."""

    def __init__(self, socket_path: Path | None = None) -> None:
        self.exited: dict[int, int] = {}
        self._pids: list[int] = []
        self._ready = threading.Condition()
        self._ended = False
        self.socket_path = socket_path
        self.process: subprocess.Popen[str] | None = None
        self.errors: IO[bytes] | None = None
        self._connection: socket.socket | None = None
        if socket_path is not None and socket_path.exists():
            self._connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._connection.connect(str(socket_path))
            self._writer: IO[str] = self._connection.makefile("w", encoding="utf-8")
            reader: IO[str] = self._connection.makefile("r", encoding="utf-8")
            if json.loads(reader.readline() or "{}").get("welcome") is not True:
                raise RuntimeError("the fork server did not take the connection")
        else:
            root = Path(__file__).resolve().parents[2]
            # what the server itself says (the imports' warnings, a failure); closed in `close`
            self.errors = tempfile.TemporaryFile()  # noqa: SIM115
            self.process = subprocess.Popen(
                [sys.executable, "-c", _SERVER, str(socket_path or "")],
                cwd=root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.errors,
                text=True,
                env={**os.environ, "PYTHONPATH": str(root)},
            )
            assert self.process.stdin is not None and self.process.stdout is not None
            self._writer, reader = self.process.stdin, self.process.stdout
            if json.loads(reader.readline() or "{}").get("welcome") is not True:  # imported and listening
                raise RuntimeError(f"the fork server did not start:\n{self._said()}")
        self._reader = threading.Thread(target=self._read, args=(reader,), daemon=True)
        self._reader.start()

    def _read(self, reader: IO[str]) -> None:
        for line in reader:
            message = json.loads(line)
            with self._ready:
                if "pid" in message:
                    self._pids.append(message["pid"])
                else:
                    self.exited[message["exited"]] = message["status"]
                self._ready.notify_all()
        with self._ready:
            self._ended = True
            self._ready.notify_all()
        reader.close()

    def _said(self) -> str:
        if self.errors is None:
            return "(the server's output is with the worker that started it)"
        self.errors.seek(0)
        return self.errors.read().decode(errors="replace")

    @property
    def alive(self) -> bool:
        return not self._ended and (self.process is None or self.process.poll() is None)

    def start(self, argv: list[str], env: dict[str, str], log: Path) -> ForkedProcess:
        with self._ready:
            self._writer.write(json.dumps({"argv": argv, "env": env, "log": str(log)}) + "\n")
            self._writer.flush()
            if not self._ready.wait_for(lambda: self._pids or not self.alive, timeout=120):
                raise RuntimeError("the fork server did not answer")
            if not self._pids:
                raise RuntimeError(f"the fork server ended:\n{self._said()}")
            return ForkedProcess(self, self._pids.pop(0))

    def close(self) -> None:
        """A connected worker hangs up; the owner ends the server after every connected worker has hung up
        and every child has ended (their CPU time then counts in the owner's children)."""
        if self.process is None:
            self._writer.close()
            if self._connection is not None:
                self._connection.shutdown(socket.SHUT_WR)  # the server sees the end; it closes its side
            self._reader.join(timeout=60)
            if self._connection is not None:
                self._connection.close()
            return
        with _run_lock():
            if self.socket_path is not None:
                self.socket_path.unlink(missing_ok=True)
            with contextlib.suppress(BrokenPipeError):
                self._writer.close()  # the server takes no new connections, waits for them and its children
        try:
            self.process.wait(timeout=600)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=10)
        if self.errors is not None:
            self.errors.close()


_SERVER = f"""
import importlib, json, os, selectors, socket, sys, threading, warnings
warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)  # the reaper thread: see below
for name in {PRELOAD!r}:
    importlib.import_module(name)
from sqlalchemy.orm import configure_mappers
configure_mappers()  # what the first query of each child would do (~0.1 s)
out = threading.Lock()
owners = {{}}  # pid -> where its "exited" goes
owner = sys.stdout

def say(to, message):
    with out:
        try:
            if to is owner:
                owner.write(json.dumps(message) + "\\n")
                owner.flush()
            else:
                to.sendall((json.dumps(message) + "\\n").encode())
        except OSError:
            pass

def reap():
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            if finished.is_set():
                return
            finished.wait(0.05)
            continue
        with out:
            to = owners.pop(pid, owner)
        say(to, {{"exited": pid, "status": os.waitstatus_to_exitcode(status)}})

def fork(request, to):
    with out:
        pid = os.fork()
        if pid != 0:
            owners[pid] = to
    if pid == 0:
        for held in [*buffers, *([listener] if listener is not None else []), selector]:
            held.close()  # the other workers' connections: they see their end when the server closes it
        fd = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["maalbot", *request["argv"]]
        code = 1
        try:
            from bot.cli import main
            code = main(request["argv"]) or 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    say(to, {{"pid": pid}})

finished = threading.Event()
reaper = threading.Thread(target=reap)
reaper.start()
selector = selectors.DefaultSelector()
listener = None
if sys.argv[1]:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sys.argv[1])
    listener.listen()
    selector.register(listener, selectors.EVENT_READ)
selector.register(sys.stdin, selectors.EVENT_READ)
say(owner, {{"welcome": True}})
buffers = {{}}
pending = b""
owner_open = True
while owner_open or buffers:
    for key, _events in selector.select():
        if key.fileobj is listener:
            connection, _address = listener.accept()
            buffers[connection] = b""
            selector.register(connection, selectors.EVENT_READ)
            say(connection, {{"welcome": True}})
        elif key.fileobj is sys.stdin:
            chunk = os.read(0, 65536)
            if chunk:
                *lines, pending = (pending + chunk).split(b"\\n")
                for line in lines:
                    fork(json.loads(line), owner)
            else:  # the owner is done: no new connections, the open ones are served to their end
                owner_open = False
                selector.unregister(sys.stdin)
                if listener is not None:
                    selector.unregister(listener)
                    listener.close()
                    listener = None
        elif key.fileobj in buffers:
            connection = key.fileobj
            chunk = connection.recv(65536)
            if not chunk:  # the worker hung up (after its children ended)
                selector.unregister(connection)
                del buffers[connection]
                connection.close()
                continue
            *lines, buffers[connection] = (buffers[connection] + chunk).split(b"\\n")
            for line in lines:
                fork(json.loads(line), connection)
finished.set()
reaper.join()
"""

# The reaper thread only waits for children and writes under `out`, which the main thread holds while
# it forks: no lock the child could need is held by another thread at that moment. (A connected worker's
# children are its own to wait for: it hangs up after they ended, tests/durability/conftest.py.)

_SERVERS: list[ForkServer] = []


@contextlib.contextmanager
def _run_lock() -> Iterator[None]:
    with (_run_directory() / "forkserver.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def _run_directory() -> Path:
    """A directory of this test run, the same for each of its pytest-xdist workers."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"
    directory = Path(tempfile.gettempdir(), f"maalbot-forkserver-{run}")
    directory.mkdir(exist_ok=True)
    return directory


def fork_server() -> ForkServer:
    """The run's fork server: this worker's connection to it, made on first use (`close_fork_server` at
    the session's end). Without pytest-xdist, this process's own server."""
    if not _SERVERS or not _SERVERS[0].alive:
        if not os.environ.get("PYTEST_XDIST_WORKER"):
            _SERVERS[:] = [ForkServer()]
        else:
            with _run_lock():
                _SERVERS[:] = [ForkServer(_run_directory() / "forkserver.sock")]
    return _SERVERS[0]


def close_fork_server() -> None:
    while _SERVERS:
        _SERVERS.pop().close()
