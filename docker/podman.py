#!/usr/bin/env python3
"""Build and run ``docker/Dockerfile`` with Debian's podman, from base images made here
with debootstrap from Debian's packages: no container registry is involved.

    python3 docker/podman.py build [--tag TAG] [--fresh]  base images (cached), then the image
    python3 docker/podman.py podman ARGS...               podman with this configuration
    python3 docker/podman.py env                          that configuration as shell exports
    python3 docker/podman.py check                        exit 0 if podman can run here, 3 if not

The Dockerfile is built unchanged: the base images go in through its ``PYTHON_IMAGE``
and ``NODE_IMAGE`` build arguments. What it takes on machines like the CI's (Debian 12
in a VM, cgroups v1 in hybrid mode, outbound HTTPS through a proxy with its own CA):

* ``runc`` as the OCI runtime, not ``crun``, with the ``cgroupfs`` cgroup manager;
* default ulimits the VM allows (``nofile``: this process's hard limit; ``nproc``: at
  most ``kernel.pid_max``, above which runc's setrlimit is refused here);
* the host's own CA certificates (``/usr/local/share/ca-certificates``) trusted in the
  base images, so that pip and npm inside the build get through the proxy;
* images kept in a storage of this project's own (``--state``, by default
  ``~/.cache/negotiations-kg/podman``), with no registry to search.

Base images are remade when their recipe, the host's CA certificates or the ISO week
change (a weekly refresh brings Debian's security updates); otherwise they are reused.
Making them needs root (debootstrap, chroot); podman, runc, debootstrap and uidmap are
Debian packages, which ``python3 dev.py test`` installs when it runs as root.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "docker" / "Dockerfile"
STATE = (
    Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "negotiations-kg" / "podman"
)
CANNOT_RUN = 3  # the exit status of ``check`` (and of every command) where podman cannot run

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
SOURCES = f"""\
deb {MIRROR} {SUITE} main
deb {MIRROR} {SUITE}-updates main
deb http://deb.debian.org/debian-security {SUITE}-security main
"""
HOST_CAS = Path("/usr/local/share/ca-certificates")
ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
# Each base image: the build argument it is passed as, its Debian packages, its
# configuration (Dockerfile instructions, as `podman import --change` takes them).
BASES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "python": (
        "PYTHON_IMAGE",
        ("python3", "python3-venv", "python-is-python3"),
        ('CMD ["python3"]',),
    ),
    "node": (
        "NODE_IMAGE",
        ("nodejs", "npm"),
        ("ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt", 'CMD ["node"]'),
    ),
}
TRIMMED = (
    "var/lib/apt/lists",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
)


class CannotRun(Exception):
    """Podman cannot build or run images on this machine; the message says why."""


class Podman:
    """podman with a configuration and a storage of this project's own."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.conf = state / "conf"

    def env(self) -> dict[str, str]:
        return {
            "CONTAINERS_CONF": str(self.conf / "containers.conf"),
            "CONTAINERS_STORAGE_CONF": str(self.conf / "storage.conf"),
            "CONTAINERS_REGISTRIES_CONF": str(self.conf / "registries.conf"),
        }

    def configure(self) -> None:
        """Write the configuration files (again: the limits may differ between hosts)."""
        if shutil.which("podman") is None:
            raise CannotRun(
                "podman is not installed (Debian packages podman, runc, debootstrap, uidmap; "
                "`python3 dev.py test` installs them when it runs as root with apt-get)"
            )
        if shutil.which("runc") is None:
            raise CannotRun("runc is not installed (Debian package runc)")
        self.conf.mkdir(parents=True, exist_ok=True)
        nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        nproc = min(resource.getrlimit(resource.RLIMIT_NPROC)[1], _pid_max())
        _write(
            self.conf / "containers.conf",
            "[containers]\n"
            f'default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]\n'
            "[engine]\n"
            'runtime = "runc"\n'
            'cgroup_manager = "cgroupfs"\n'
            'events_logger = "file"\n',
        )
        run_root = Path(tempfile.gettempdir()) / f"negotiations-kg-podman-{os.getuid()}"
        _write(
            self.conf / "storage.conf",
            "[storage]\n"
            'driver = "overlay"\n'
            f'graphroot = "{self.state / "storage"}"\n'
            f'runroot = "{run_root}"\n',
        )
        _write(
            self.conf / "registries.conf",
            'unqualified-search-registries = []\nshort-name-mode = "enforcing"\n',
        )

    def __call__(
        self, *args: str, capture: bool = False, stdin: int | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["podman", *args],
            env=os.environ | self.env(),
            text=True,
            capture_output=capture,
            stdin=stdin,
            check=check,
        )

    def has(self, image: str) -> bool:
        return self("image", "exists", image, check=False).returncode == 0

    def check(self) -> None:
        """Raise CannotRun unless this machine can make base images and run podman."""
        self.configure()
        if os.geteuid() != 0:
            raise CannotRun("the base images are made with debootstrap and chroot, which need root")
        if shutil.which("debootstrap") is None:
            raise CannotRun("debootstrap is not installed (Debian package debootstrap)")
        info = self("info", "--format", "{{.Host.OCIRuntime.Name}}", capture=True, check=False)
        if info.returncode != 0:
            raise CannotRun(f"`podman info` failed: {_last_line(info.stderr)}")


def base_images(podman: Podman, fresh: bool = False) -> dict[str, str]:
    """The base images, made if missing: build argument -> image name."""
    digest = hashlib.sha256(json.dumps([SUITE, SOURCES, BASES, TRIMMED, ENV]).encode())
    for ca in sorted(HOST_CAS.rglob("*.crt")) if HOST_CAS.is_dir() else []:
        digest.update(ca.read_bytes())
    year, week, _ = dt.date.today().isocalendar()
    key = f"{year}w{week:02d}-{digest.hexdigest()[:12]}"
    images = {
        arg: f"localhost/negotiations-kg-base/{name}:{key}" for name, (arg, _, _) in BASES.items()
    }
    with _lock(podman.state / "bases.lock"):
        if fresh or not all(podman.has(image) for image in images.values()):
            started = time.monotonic()
            _make_bases(podman, images)
            seconds = time.monotonic() - started
            say(f"base images made in {seconds:.0f} s: {', '.join(images.values())}")
        else:
            say(f"base images reused: {', '.join(images.values())}")
    return images


def _make_bases(podman: Podman, images: dict[str, str]) -> None:
    work = Path(tempfile.mkdtemp(prefix="bases-", dir=podman.state))
    try:
        base = work / "debian"
        _quiet(
            [
                "debootstrap",
                "--variant=minbase",
                "--include=ca-certificates",
                SUITE,
                str(base),
                MIRROR,
            ],
            work / "debootstrap.log",
        )
        (base / "etc" / "apt" / "sources.list").write_text(SOURCES)
        if HOST_CAS.is_dir():
            shutil.copytree(HOST_CAS, base / HOST_CAS.relative_to("/"), dirs_exist_ok=True)
        _chroot(base, "update-ca-certificates", log=work / "ca.log")
        _chroot(base, "apt-get update -qq && apt-get upgrade -y -qq", log=work / "upgrade.log")
        for name, (arg, packages, changes) in BASES.items():
            rootfs = work / name
            subprocess.run(["cp", "-a", str(base), str(rootfs)], check=True)
            _chroot(
                rootfs,
                "apt-get install -y -qq --no-install-recommends " + " ".join(packages),
                log=work / f"{name}.log",
            )
            _chroot(rootfs, "apt-get clean", log=work / f"{name}.log")
            for folder in TRIMMED:
                for entry in (rootfs / folder).glob("*"):
                    shutil.rmtree(
                        entry
                    ) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
            options = [f"--change=ENV {k}={v}" for k, v in ENV.items()]
            options += [f"--change={change}" for change in changes]
            tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
            assert tar.stdout is not None
            podman(
                "import",
                "--quiet",
                *options,
                "-",
                images[arg],
                capture=True,
                stdin=tar.stdout.fileno(),
            )
            tar.stdout.close()
            if tar.wait():
                raise RuntimeError(f"tar of {rootfs} failed")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def build(podman: Podman, tag: str, fresh: bool = False) -> None:
    """The image from docker/Dockerfile, unchanged, over the local base images."""
    images = base_images(podman, fresh)
    started = time.monotonic()
    arguments = [f"--build-arg={arg}={image}" for arg, image in images.items()]
    podman(
        "build", "--format", "docker", "--pull=never", *(["--no-cache"] if fresh else []),
        *arguments, "--file", str(DOCKERFILE), "--tag", tag, str(ROOT),
    )  # fmt: skip
    size = int(podman("image", "inspect", "--format", "{{.Size}}", tag, capture=True).stdout)
    say(f"image {tag} built in {time.monotonic() - started:.0f} s: {size / 1e6:.0f} MB")
    # Old images go: the base images of past weeks, dangling layers of past builds.
    podman("image", "prune", "--force", "--filter", "until=336h", capture=True, check=False)


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _chroot(rootfs: Path, script: str, log: Path) -> None:
    env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": ENV["PATH"], "LANG": "C.UTF-8"}
    _quiet(["chroot", str(rootfs), "sh", "-ec", script], log, env)


def _quiet(command: Sequence[str], log: Path, env: dict[str, str] | None = None) -> None:
    with log.open("a") as out:
        done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    if done.returncode:
        tail = log.read_text(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"`{' '.join(command)}` failed:\n" + "\n".join(tail))


def _write(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _pid_max() -> int:
    try:
        return int(Path("/proc/sys/kernel/pid_max").read_text())
    except (OSError, ValueError):
        return 32768


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else "no message"


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--state", type=Path, default=STATE, help=f"storage and configuration (default {STATE})"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="make the base images if needed, then the image")
    make.add_argument("--tag", default="localhost/negotiations-kg:latest")
    make.add_argument("--fresh", action="store_true", help="remake the base images; no build cache")
    passthrough = commands.add_parser("podman", help="run podman with this configuration")
    passthrough.add_argument("args", nargs=argparse.REMAINDER)
    commands.add_parser("env", help="print this configuration as shell exports")
    commands.add_parser("check", help="exit 0 if podman can build and run here, 3 if not")
    args = parser.parse_args(argv)
    podman = Podman(args.state)
    try:
        if args.command == "podman":
            podman.configure()
            return podman(*args.args, check=False).returncode
        if args.command == "env":
            podman.configure()
            print("".join(f"export {k}={v}\n" for k, v in podman.env().items()), end="")
            return 0
        podman.check()
        if args.command == "build":
            build(podman, args.tag, args.fresh)
        return 0
    except CannotRun as reason:
        say(f"podman cannot run here: {reason}")
        return CANNOT_RUN
    except (RuntimeError, subprocess.CalledProcessError) as error:
        say(f"error: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
