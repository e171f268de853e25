"""What the browser tests share: Debian's Chromium driven by Playwright, and axe-core (npm, installed into
.cache/axe on first use; `.ci/run` does it too) for the accessibility checks. The `browser` and
`axe_source` fixtures in tests/conftest.py use these.

Where the time goes (a 2-core machine): a new context and page cost ~0.5 s of Chromium's CPU, injecting
axe's 650 KB through the protocol ~0.3 s each time, a full-page screenshot (PNG) ~0.2 s, one axe run
0.3-2 s (more elements, more time; colour contrast is the dearest rule). So a context gets axe once, as an
init script (`with_axe`: compiled from V8's cache on every later page, nearly free), tests reuse their
worker's page where nothing of the last test can leak, and screenshots are taken only with
MAALBOT_TEST_SCREENSHOTS=1 (`screenshot`)."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import BrowserContext, Page

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


async def with_axe(context: BrowserContext, source: str) -> BrowserContext:
    """`context` with axe-core in every page it opens from now on (an init script: the pages' Content
    Security Policy does not apply to it, so the test needs no `bypass_csp`)."""
    await context.add_init_script(script=source)
    return context


async def axe_violations(page: Page, source: str, tags: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now: every rule axe runs by default, or only `tags`.
    Injects axe into the page first unless its context has it already (`with_axe`)."""
    if not await page.evaluate("typeof axe !== 'undefined'"):
        await page.evaluate(source)  # through the protocol: the page's Content Security Policy allows it
    violations: list[dict[str, Any]] = await page.evaluate(
        """async (tags) => (await axe.run(document, tags.length ? {runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"]} : {resultTypes: ["violations"]})).violations.map(
            v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))""",
        list(tags),
    )
    return violations


async def fits_the_width(page: Page) -> bool:
    """The page does not scroll sideways at the viewport's width."""
    return bool(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def screenshots() -> bool:
    """Whether to save screenshots to test-output/ (MAALBOT_TEST_SCREENSHOTS=1): PNG encoding a full page
    costs Chromium ~0.2 s of CPU, and nothing is asserted on them."""
    return os.environ.get("MAALBOT_TEST_SCREENSHOTS", "") == "1"


async def screenshot(page: Page, name: str) -> None:
    """A full-page screenshot to test-output/`name`.png, with MAALBOT_TEST_SCREENSHOTS=1 only."""
    if screenshots():
        OUTPUT.mkdir(exist_ok=True)
        await page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
