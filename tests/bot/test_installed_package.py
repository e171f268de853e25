"""maalbot installed from its wheel (not editable) has what `maalbot manifest slack|teams` needs.

Offline and in seconds: the wheel is built from a copy of the sources by setuptools' build backend
(no build isolation), and installed by pip without dependencies or byte-compiling into a fresh venv
whose only other path is this venv's site-packages (added by a .pth line, so the editable install's
own .pth there is not processed and the source tree is not importable)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "11111111-2222-3333-4444-555555555555"


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin directory of a fresh venv with maalbot installed from its wheel: built once per run, also
    when pytest-xdist runs the two tests on two workers (they share the run's temporary directory)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return install(tmp_path_factory.mktemp("installed"))
    shared = tmp_path_factory.getbasetemp().parent  # this run's, the same for each worker
    with (shared / "installed.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        done = shared / "installed" / "venv" / "bin"
        if (done / "maalbot").exists():
            return done
        shutil.rmtree(shared / "installed", ignore_errors=True)  # a half-made one (a failed build)
        (shared / "installed").mkdir()
        return install(shared / "installed")


def install(tmp: Path) -> Path:
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("bot", "dialogs", "storage"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp / "wheels"
    wheels.mkdir()
    # setuptools' PEP 517 backend itself, as pip would call it without build isolation (~1.5 s less CPU
    # than `pip wheel`, which imports pip as well)
    built = run(sys.executable, "-c", f"import setuptools.build_meta as b; b.build_wheel({str(wheels)!r})", cwd=source)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("maalbot-*.whl")

    venv = tmp / "venv"
    made = run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp).stdout.strip()
    Path(purelib, "_maalbot_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    pip = run(
        sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", "--no-compile",
        "--disable-pip-version-check", wheel, cwd=tmp,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stderr

    where = run(python, "-c", "import bot; print(bot.__file__)", cwd=tmp)
    assert where.stdout.strip().startswith(purelib), where  # the wheel's copy, not the source tree
    return venv / "bin"


def test_the_installed_slack_manifest_command_works(installed: Path, tmp_path: Path) -> None:
    result = run(installed / "maalbot", "manifest", "slack", "--url", "https://maal.kommune.dk", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = yaml.safe_load(result.stdout)
    assert manifest["settings"]["event_subscriptions"]["request_url"] == "https://maal.kommune.dk/slack/events"


def test_the_installed_teams_manifest_command_builds_the_package(installed: Path, tmp_path: Path) -> None:
    out = tmp_path / "maalbot-teams.zip"
    result = run(installed / "maalbot", "manifest", "teams", "--app-id", APP_ID, "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(package.read("manifest.json"))["bots"][0]["botId"] == APP_ID
        assert package.read("color.png").startswith(b"\x89PNG")
