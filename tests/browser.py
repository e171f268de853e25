"""What the browser tests share: Debian's Chromium driven by Playwright, and axe-core (npm, installed into
.cache/axe on first use; `.ci/run` does it too) for the accessibility checks. The `browser` and
`axe_source` fixtures in tests/conftest.py use these."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "test-output"
AXE_DIR = ROOT / ".cache" / "axe"
AXE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_VERSION = "4"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
WCAG_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt install chromium)")


def load_axe() -> str:
    """axe-core's browser script, installed with npm into .cache/axe when absent (skips without npm);
    a lock file keeps two pytest-xdist workers from installing it at the same time."""
    if not AXE.exists():
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        with (AXE_DIR / ".install.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            _install_axe()
    return AXE.read_text(encoding="utf-8")


def _install_axe() -> None:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("axe-core is not installed and npm is missing (install Node.js and npm)")
        done = subprocess.run(
            [npm, "install", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund", "--no-package-lock",
             "--cache", str(ROOT / ".cache" / "npm"), f"axe-core@{AXE_VERSION}"],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if done.returncode != 0 or not AXE.exists():
            pytest.skip(f"could not install axe-core with npm: {done.stderr.strip()[-300:]}")


async def axe_violations(page: Page, source: str, tags: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now: every rule axe runs by default, or only `tags`."""
    await page.add_script_tag(content=source)
    violations: list[dict[str, Any]] = await page.evaluate(
        """async (tags) => (await axe.run(document, tags.length ? {runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"]} : {resultTypes: ["violations"]})).violations.map(
            v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))""",
        list(tags),
    )
    return violations
