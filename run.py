#!/usr/bin/env python3
"""The two commands of the README, with nothing but Python 3.11 installed.

    python3 run.py start   # install what the product needs, then start it
    python3 run.py test    # install what the tests need, then lint, type-check and test

Each creates `.venv` on first use and reinstalls only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _run(*args: str | Path) -> int:
    print("+", " ".join(str(a) for a in args), flush=True)
    child = subprocess.Popen([str(a) for a in args], cwd=ROOT)
    while True:
        try:
            code = child.wait()
            return 128 - code if code < 0 else code  # killed by a signal: the shell's 128+N
        except KeyboardInterrupt:
            # Ctrl-C reaches the child too (same terminal): let it finish its own way out,
            # then leave quietly with the child's status instead of a traceback of ours.
            continue


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py may be started by an older python3
        sys.exit("iso20k needs Python 3.11 or newer")
    if not (BIN / "python").exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{extras or 'base'}-{digest}"
    if stamp.exists():
        return
    spec = f".[{extras}]" if extras else "."
    quiet = ["--quiet", "--disable-pip-version-check"]
    if _run(BIN / "python", "-m", "pip", "install", *quiet, "--upgrade", "pip") != 0:
        sys.exit("could not upgrade pip")
    if _run(BIN / "python", "-m", "pip", "install", *quiet, "--editable", spec) != 0:
        sys.exit("could not install the project")
    stamp.touch()


# Chinese text in the PDF report and the charts needs a CJK font from the system (too big
# to ship in the package: iso20k_core/report/fonts.py); this one is 5 MB.
CJK_FONT_PACKAGE = "fonts-wqy-microhei"


def _has_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    found = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def _quietly(command: list[str]) -> int:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False).returncode


def ensure_cjk_font() -> None:
    """Install a CJK font where this user may (root with apt-get), else say how."""
    if not sys.platform.startswith("linux") or _has_cjk_font():
        return
    apt = shutil.which("apt-get")
    if apt and os.geteuid() == 0:
        print(f"installing {CJK_FONT_PACKAGE} (Chinese text in the PDF report)", flush=True)
        install = [apt, "install", "-y", "-qq", "--no-install-recommends", CJK_FONT_PACKAGE]
        if _quietly(install) != 0:  # a new machine has no package lists yet
            _quietly([apt, "update", "-qq"])
            _quietly(install)
        if _has_cjk_font():
            return
    print(
        f"note: no Chinese font is installed, so Chinese PDF reports are refused; "
        f"install {CJK_FONT_PACKAGE} (sudo apt-get install {CJK_FONT_PACKAGE})",
        flush=True,
    )


def start(args: list[str]) -> int:
    ensure_venv("")
    ensure_cjk_font()
    return _run(BIN / "iso20k", *(args or ["start"]))


def test(args: list[str]) -> int:
    ensure_venv("dev")
    ensure_cjk_font()
    steps: list[tuple[str | Path, ...]] = [
        (BIN / "ruff", "check", "."),
        (BIN / "ruff", "format", "--check", "."),
        (BIN / "mypy", "iso20k_core", "bot"),
        (BIN / "python", "-m", "pytest", *args),
    ]
    for step in steps:
        code = _run(*step)
        if code != 0:
            # pytest's 5 (no tests collected) is a failure too: nothing was verified.
            print(f"failed: {' '.join(str(s) for s in step)} (exit {code})", flush=True)
            return code or 1
    return 0


def main() -> int:
    commands = {"start": start, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C while setting up .venv: stop quietly
        print(file=sys.stderr)
        sys.exit(130)
