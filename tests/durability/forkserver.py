"""Start `maalbot serve` processes cheaply: a fork server that has imported what `serve` imports.

A fresh `python -m bot.cli serve` spends ~2.5 s of CPU (with Teams ~4 s) importing the bot before it
listens, and the crash tests start it again and again. Instead, one helper process per test session
imports those modules once (`PRELOAD`); each `start` forks it, and the child sets its own environment,
sends its output to its own log file and runs `bot.cli.main(["serve", ...])`, the same function the
console script runs (~0.7 s of CPU to its first /healthz). The child is a real, separate process (its
own pid, killed with SIGKILL by the tests); only the imports are shared. Starting the real console
script is tested elsewhere (tests/bot/test_web.py, tests/bot/test_cli.py).

Protocol (JSON lines): the test process writes {"argv", "env", "log"} to the server's stdin and reads
{"pid"} back; when a child ends, the server writes {"exited": pid, "status": exit status}.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

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
    def __init__(self) -> None:
        root = Path(__file__).resolve().parents[2]
        # what the server itself says (the imports' warnings, a failure); closed in `close`
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVER],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
            env={**os.environ, "PYTHONPATH": str(root)},
        )
        self.exited: dict[int, int] = {}
        self._pids: list[int] = []
        self._ready = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            message = json.loads(line)
            with self._ready:
                if "pid" in message:
                    self._pids.append(message["pid"])
                else:
                    self.exited[message["exited"]] = message["status"]
                self._ready.notify_all()

    def start(self, argv: list[str], env: dict[str, str], log: Path) -> ForkedProcess:
        assert self.process.stdin is not None
        with self._ready:
            self.process.stdin.write(json.dumps({"argv": argv, "env": env, "log": str(log)}) + "\n")
            self.process.stdin.flush()
            if not self._ready.wait_for(lambda: self._pids or self.process.poll() is not None, timeout=120):
                raise RuntimeError("the fork server did not answer")
            if not self._pids:
                self.errors.seek(0)
                said = self.errors.read().decode(errors="replace")
                raise RuntimeError(f"the fork server ended ({self.process.returncode}):\n{said}")
            return ForkedProcess(self, self._pids.pop(0))

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()  # the server waits for its children, then ends
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.errors.close()


_SERVER = f"""
import importlib, json, os, sys, threading, warnings
warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)  # the reaper thread: see below
for name in {PRELOAD!r}:
    importlib.import_module(name)
from sqlalchemy.orm import configure_mappers
configure_mappers()  # what the first query of each child would do (~0.1 s)
out = threading.Lock()
children = set()

def say(message):
    with out:
        sys.stdout.write(json.dumps(message) + "\\n")
        sys.stdout.flush()

def reap():
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            if stdin_closed.is_set():
                return
            stdin_closed.wait(0.05)
            continue
        children.discard(pid)
        say({{"exited": pid, "status": os.waitstatus_to_exitcode(status)}})

stdin_closed = threading.Event()
reaper = threading.Thread(target=reap)
reaper.start()
for line in sys.stdin:
    request = json.loads(line)
    with out:
        pid = os.fork()
    if pid == 0:
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
    children.add(pid)
    say({{"pid": pid}})
stdin_closed.set()
reaper.join()
"""

# The reaper thread only waits for children and writes under `out`, which the main thread holds while
# it forks: no lock the child could need is held by another thread at that moment.

_SERVERS: list[ForkServer] = []


def fork_server() -> ForkServer:
    """The session's fork server, started on first use (`close_fork_server` at the session's end)."""
    if not _SERVERS or _SERVERS[0].process.poll() is not None:
        _SERVERS[:] = [ForkServer()]
    return _SERVERS[0]


def close_fork_server() -> None:
    """End the fork server after its children: their CPU time then counts in this process's children."""
    while _SERVERS:
        _SERVERS.pop().close()
