"""What a `maalbot` command costs before it does anything: CPU time and peak RSS of light commands.

    .venv/bin/python benchmarks/startup.py
    git archive COMMIT | tar -x -C /tmp/before && .venv/bin/python benchmarks/startup.py --source /tmp/before

Each command runs three times as `python -m bot.cli ARGS` (from `--source`, default this checkout, with
this virtual environment's packages) under GNU time, against a SQLite file holding the demo municipality
(made first with `db upgrade` and `demo`); reported: the median CPU time (user + system) and the largest
peak RSS. For where the time goes: `python -X importtime -m bot --help 2> imports.txt`."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = (
    ["--help"],
    ["strategy", "validate", "dialogs/strategies/almen.yaml"],
    ["manifest", "slack", "--url", "https://x.example"],
    ["strategy", "list"],
    ["db", "upgrade"],
    ["export", "--format", "csv", "--out", "{tmp}/export.csv"],
)


def run(source: Path, env: dict[str, str], args: list[str]) -> tuple[float, float]:
    """(CPU seconds, peak RSS MB) of one command."""
    done = subprocess.run(
        ["/usr/bin/time", "-f", "@@ %U %S %M", sys.executable, "-m", "bot.cli", *args],
        cwd=source, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"maalbot {' '.join(args)} failed: {done.stderr[-2000:]}")
    user, system, rss = next(line for line in done.stderr.splitlines() if line.startswith("@@ ")).split()[1:]
    return float(user) + float(system), int(rss) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT, help="the tree whose `bot` is run (default: this one)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/startup.db"
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(args.source.resolve())}
        run(args.source, env, ["db", "upgrade"])
        run(args.source, env, ["demo"])
        print("\n| command | CPU (median) | peak RSS |\n|---|---|---|")
        for command in COMMANDS:
            argv = [a.format(tmp=tmp) for a in command]
            results = [run(args.source, env, argv) for _ in range(args.runs)]
            cpu = statistics.median(c for c, _ in results)
            shown = " ".join(a if not a.startswith(tmp) else Path(a).name for a in argv)
            print(f"| `maalbot {shown}` | {cpu:.2f} s | {max(r for _, r in results):.0f} MB |", flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
