#!/usr/bin/env python3
"""Set everything up, then run the main job or the tests: the README's two commands.

    python3 dev.py up      build the graph if the seeds changed, then serve it on :8000
    python3 dev.py test    ruff, mypy and pytest

Needs only Python 3.11+. It creates ``.venv`` and installs the project with the
versions pinned in ``constraints.txt``; it reinstalls only when those files change.
Where npm is found it also runs ``npm ci`` for the query UI (YASGUI), once per change of
``package-lock.json``; without npm the server runs and /query says how to add it.
``test`` needs Debian packages: Chromium for the browser test, Virtuoso for the tests
of ``kg publish --to``, podman (runc, debootstrap, uidmap) for the container test. Run as
root with apt-get, it installs them once; where it cannot, the browser test fails unless
``KG_SKIP_BROWSER=1``, and the others are skipped with the reason.
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
BIN = VENV / "bin"
PINNED = ("pyproject.toml", "constraints.txt")
NODE_MODULES = ROOT / "node_modules"
CHROMIUM = Path("/usr/bin/chromium")


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
        run(
            BIN / "python",
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-c",
            "constraints.txt",
            "-e",
            ".[test]",
        )
        stamp.write_text(digest)
    install_ui()


def install_ui() -> None:
    """``npm ci`` for the query UI, once per change of ``package-lock.json``."""
    digest = hashlib.sha256((ROOT / "package-lock.json").read_bytes()).hexdigest()
    stamp = NODE_MODULES / ".kg-installed"
    if stamp.exists() and stamp.read_text() == digest:
        return
    npm = shutil.which("npm")
    if npm is None:
        print(
            "note: npm is not installed, so neither is the query UI (YASGUI). The server "
            "runs without it and /query says how to add it: install Node.js with npm, then "
            "run this command again.",
            flush=True,
        )
        return
    # --ignore-scripts: YASGUI ships built files; no package needs to run code to install.
    command = (npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")
    if run(*command, check=False) != 0:
        print("note: `npm ci` failed, so the query UI is not installed; see above", flush=True)
        return
    stamp.write_text(digest)


# Debian packages the tests use, by the command each provides: Chromium for the browser
# test; Virtuoso, a second SPARQL store for `kg publish --to`; podman (with runc,
# debootstrap and uidmap) to build and run the image (docker/podman.py).
DEBIAN_PACKAGES: dict[str, tuple[str, ...]] = {
    str(CHROMIUM): ("chromium",),
    "virtuoso-t": ("virtuoso-opensource",),
    "podman": ("podman", "runc", "debootstrap", "uidmap", "slirp4netns"),
}


def install_debian_packages() -> None:
    """The Debian packages the tests need, installed quietly, once, when this runs as
    root with apt-get. Where they cannot be, the tests that need them say why: the
    browser test fails (``KG_SKIP_BROWSER=1`` skips it on purpose), the Virtuoso and
    container tests are skipped."""
    wanted = {
        command: packages
        for command, packages in DEBIAN_PACKAGES.items()
        if shutil.which(command) is None
        and not (command == str(CHROMIUM) and os.environ.get("KG_SKIP_BROWSER") == "1")
    }
    missing = [package for packages in wanted.values() for package in packages]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        print(
            f"note: {', '.join(missing)} not installed, and only root with apt-get installs "
            "them here: the browser test will fail (KG_SKIP_BROWSER=1 skips it), the "
            "Virtuoso and container tests will be skipped",
            flush=True,
        )
        return
    log = VENV / "apt.log"
    print(f"installing Debian's {', '.join(missing)} for the tests (log: {log})", flush=True)
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    with log.open("w") as out:
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        ):
            if subprocess.run(command, stdout=out, stderr=out, env=env).returncode:
                print(f"note: `{' '.join(command)}` failed; see {log}", flush=True)
                return


def up(args: list[str]) -> int:
    kg = BIN / "kg"
    status = subprocess.run([str(kg), "build", "--if-needed"], cwd=ROOT).returncode
    if status:
        return status
    return subprocess.run([str(kg), "serve", *args], cwd=ROOT).returncode


def test(args: list[str]) -> int:
    steps: list[list[str | Path]] = [
        [BIN / "ruff", "check", "."],
        [BIN / "ruff", "format", "--check", "."],
        [BIN / "mypy"],
        [BIN / "pytest", *args],
    ]
    install_debian_packages()
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
