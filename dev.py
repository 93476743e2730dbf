#!/usr/bin/env python3
"""Set everything up, then run the main job or the tests: the README's two commands.

    python3 dev.py up      build the graph if the seeds changed, then print its summary
    python3 dev.py test    ruff, mypy and pytest

Needs only Python 3.11+. It creates ``.venv`` and installs the project with the
versions pinned in ``constraints.txt``; it reinstalls only when those files change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PINNED = ("pyproject.toml", "constraints.txt")


def run(*command: str | Path, check: bool = True) -> int:
    print("+", " ".join(str(c) for c in command), flush=True)
    return subprocess.run([str(c) for c in command], cwd=ROOT, check=check).returncode


def setup() -> None:
    """Create the virtual environment and install the project into it, once per change
    of its pinned inputs."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script must run on any Python
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(b"".join((ROOT / f).read_bytes() for f in PINNED)).hexdigest()
    stamp = VENV / ".installed"
    if not stamp.exists() or stamp.read_text() != digest:
        run(BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "-c", "constraints.txt", "-e", ".[test]")
        stamp.write_text(digest)


def up(args: list[str]) -> int:
    kg = BIN / "kg"
    return subprocess.run([str(kg), "build", "--if-needed", *args], cwd=ROOT).returncode


def test(args: list[str]) -> int:
    steps: list[list[str | Path]] = [
        [BIN / "ruff", "check", "."],
        [BIN / "ruff", "format", "--check", "."],
        [BIN / "mypy"],
        [BIN / "pytest", *args],
    ]
    for step in steps:
        if run(*step, check=False):
            return 1
    return 0


def main() -> int:
    commands = {"up": up, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    setup()
    os.chdir(ROOT)
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
