"""`maalbot serve` as a real subprocess, for crash tests: start it against a database and the fake
platforms, send it signed Slack events and Teams activities, and kill it with SIGKILL. The process is
forked from a server that has imported the bot already (tests/durability/forkserver.py)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from slack_sdk.signature import SignatureVerifier

from tests.durability.forkserver import ForkedProcess, fork_server
from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID
from tests.slack.workspace import SIGNING_SECRET

_STRIPPED = ("SLACK_", "MICROSOFT_APP", "DATABASE_URL", "MAALBOT_")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Serve:
    database_url: str
    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    dev: bool = False
    port: int = field(default_factory=free_port)
    process: ForkedProcess | None = None
    runs: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, *, timeout: float = 120.0) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_STRIPPED)}
        env.update(DATABASE_URL=self.database_url, MAALBOT_PORT=str(self.port), MAALBOT_REMINDERS="off", **self.env)
        self.runs += 1
        argv = ["serve", *(["--dev"] if self.dev else [])]  # forked from a process that has the imports
        self.process = fork_server().start(argv, env, self.log_dir / f"serve-{self.port}-{self.runs}.log")
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"maalbot serve exited: {self.log()}")
                try:
                    async with session.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)
        raise RuntimeError(f"maalbot serve did not answer /healthz: {self.log()}")

    def log(self) -> str:
        return (self.log_dir / f"serve-{self.port}-{self.runs}.log").read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no drain: what a crash or an OOM kill does."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    # -- Slack ------------------------------------------------------------------------------------------
    async def slack_dm(self, session: aiohttp.ClientSession, event_id: str, user: str, text: str) -> int:
        event = {
            "type": "message", "channel_type": "im", "channel": "D" + user, "user": user, "text": text,
            "ts": f"{time.time():.6f}", "event_ts": f"{time.time():.6f}",
        }  # fmt: skip
        body = json.dumps(
            {
                "token": "unused", "team_id": TEAM_ID, "api_app_id": "A0MAALBOT", "type": "event_callback",
                "event_id": event_id, "event_time": int(time.time()), "event": event,
                "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
            }
        )  # fmt: skip
        ts = str(int(time.time()))
        signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body)
        assert signature is not None
        headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}
        async with session.post(f"{self.url}/slack/events", data=body.encode(), headers=headers) as response:
            await response.read()
            return response.status

    # -- Teams ------------------------------------------------------------------------------------------
    async def teams_activity(
        self, session: aiohttp.ClientSession, activity: dict[str, Any], *, timeout: float = 60.0
    ) -> int:
        async with session.post(
            f"{self.url}/api/messages", json=activity, timeout=aiohttp.ClientTimeout(total=timeout)
        ) as response:
            await response.read()
            return response.status


async def until(condition: Any, *, timeout: float = 120.0, what: str = "") -> Any:
    """Poll `condition` (sync or async) until it is truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await asyncio.sleep(0.05)
