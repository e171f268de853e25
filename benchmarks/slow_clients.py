"""Slow clients against `maalbot serve`'s server settings: N connections that never finish their
headers, /healthz latency while they hang, and how long until the server has closed them all.

    .venv/bin/python benchmarks/slow_clients.py --clients 300
    .venv/bin/python benchmarks/slow_clients.py --clients 300 --aiohttp-defaults   # before issue 10

The app is `bot.web.build_app` on a fresh SQLite file, served on 127.0.0.1 with `server_options()`
(or aiohttp's run_app defaults) exactly as `maalbot serve` does."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.http_limits import server_options
from bot.settings import Settings
from bot.web import build_app
from storage.db import Database, sqlite_url_for
from storage.migrate import upgrade


async def run(clients: int, defaults: bool, give_up: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(sqlite_url_for(Path(tmp) / "bench.db"))
        await upgrade(db)
        options: dict[str, Any] = {"keepalive_timeout": 75.0} if defaults else server_options()
        runner = web.AppRunner(build_app(Settings(), db), **options)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = int(runner.addresses[0][1])
        started = time.perf_counter()
        slow = [await asyncio.open_connection("127.0.0.1", port) for _ in range(clients)]
        for _, writer in slow:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: maalbot\r\nX-Slow: ")
        latencies: list[float] = []
        async with aiohttp.ClientSession() as session:
            for _ in range(20):
                t0 = time.perf_counter()
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    await response.read()
                    assert response.status == 200
                latencies.append((time.perf_counter() - t0) * 1000)

        async def closed(reader: asyncio.StreamReader) -> float | None:
            try:
                await asyncio.wait_for(reader.read(), give_up)
            except TimeoutError:
                return None
            return time.perf_counter() - started

        times = await asyncio.gather(*(closed(reader) for reader, _ in slow))
        for _, writer in slow:
            writer.close()
        await runner.cleanup()
        done = [t for t in times if t is not None]
        print(f"settings: {'aiohttp run_app defaults' if defaults else 'maalbot server_options()'} {options}")
        print(
            f"slow clients: {clients}; /healthz while they hang: p50 {statistics.median(latencies):.1f} ms, "
            f"max {max(latencies):.1f} ms"
        )
        if done:
            print(f"closed by the server: {len(done)}/{clients}, the last after {max(done):.1f} s")
        print(f"still open after {give_up:.0f} s: {clients - len(done)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--aiohttp-defaults", action="store_true", help="run_app's defaults instead of maalbot's")
    parser.add_argument("--give-up", type=float, default=40.0, help="seconds to wait for the server to close them")
    args = parser.parse_args()
    asyncio.run(run(args.clients, args.aiohttp_defaults, args.give_up))


if __name__ == "__main__":
    main()
