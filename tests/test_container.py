"""The image, built and run: ``docker/podman.py`` builds ``docker/Dockerfile`` unchanged
with Debian's podman over base images made with debootstrap (no registry), and two
replicas of it run read-only as uid 10001 and answer the same ETags.

Skipped, with the reason, only where podman cannot build and run images (it needs
root, podman, runc and debootstrap, which ``python3 dev.py test`` installs as root).
Only invariants of the seeds are checked: the image holds whatever they are."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator

import httpx2
import pytest

from tests.conftest import ROOT, free_port

SCRIPT = ROOT / "docker" / "podman.py"
CANNOT_RUN = 3
BUILD_TIMEOUT = 1800.0  # seconds, base images and image from scratch
PODMAN_TIMEOUT = 300.0  # seconds, any other podman command

pytestmark = pytest.mark.slow


def podman(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "podman", *args],
        capture_output=True,
        text=True,
        timeout=PODMAN_TIMEOUT,
    )
    if check and done.returncode:
        raise AssertionError(f"podman {' '.join(args)}: {done.stderr.strip()}")
    return done


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    check = subprocess.run(
        [sys.executable, str(SCRIPT), "check"],
        capture_output=True,
        text=True,
        timeout=PODMAN_TIMEOUT,
    )
    if check.returncode == CANNOT_RUN:
        pytest.skip(check.stderr.strip())
    assert check.returncode == 0, check.stderr
    tag = f"localhost/negotiations-kg:test-{uuid.uuid4().hex[:8]}"
    # Bounded: from scratch it takes minutes (debootstrap, then pip and npm in the build),
    # not half an hour, even on a loaded machine; a hung download fails here, not the CI.
    built = subprocess.run(
        [sys.executable, str(SCRIPT), "build", "--tag", tag],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    try:
        yield tag
    finally:
        podman("rmi", "--force", tag, check=False)


class Replica:
    """One container of the image: read-only, no capabilities, on a loopback port."""

    def __init__(self, image: str) -> None:
        self.name = f"kg-test-{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        podman(
            "run", "--detach", "--name", self.name, "--read-only", "--tmpfs", "/tmp",
            "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
            "--publish", f"127.0.0.1:{self.port}:8000",
            "--env", "KG_WORKERS=1", "--env", "KG_QUERY_WORKERS=1", image,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx2.get(self.url + "/sparql", timeout=2)
                return
            except httpx2.HTTPError as error:
                state = podman("inspect", "--format", "{{.State.Status}}", self.name).stdout
                if state.strip() != "running" or time.monotonic() > deadline:
                    logs = podman("logs", self.name, check=False)
                    self.stop()
                    message = f"the container is {state.strip()}:\n{logs.stderr}"
                    raise AssertionError(message) from error
                time.sleep(0.2)

    def get(self, path: str, **headers: str) -> httpx2.Response:
        return httpx2.get(self.url + path, headers=headers, timeout=30)

    def exec(self, *command: str) -> subprocess.CompletedProcess[str]:
        return podman("exec", self.name, *command, check=False)

    def stop(self) -> None:
        podman("rm", "--force", "--time", "5", self.name, check=False)


@pytest.fixture(scope="module")
def replicas(image: str) -> Iterator[Callable[[], Replica]]:
    started: list[Replica] = []

    def start() -> Replica:
        started.append(Replica(image))
        return started[-1]

    yield start
    for replica in started:
        replica.stop()


@pytest.fixture(scope="module")
def replica(replicas: Callable[[], Replica]) -> Replica:
    return replicas()


def test_the_image_runs_as_uid_10001_with_a_health_check(image: str) -> None:
    inspected = json.loads(podman("image", "inspect", image).stdout)[0]
    assert inspected["Config"]["User"] == "10001:10001"
    assert inspected["Config"]["Cmd"][:2] == ["kg", "serve"]
    assert inspected["Healthcheck"]["Test"][:2] == ["CMD", "python"]  # kept: --format docker


def test_the_server_runs_read_only_as_uid_10001(replica: Replica) -> None:
    assert replica.exec("id", "-u").stdout.strip() == "10001"
    users = podman("top", replica.name, "huser", "args").stdout.splitlines()[1:]
    assert users and all(line.split()[0] == "10001" for line in users), users
    written = replica.exec("python", "-c", "open('/app/var/x', 'w')")
    assert written.returncode != 0 and "Read-only file system" in written.stderr


def test_the_health_check_passes(replica: Replica) -> None:
    assert podman("healthcheck", "run", replica.name, check=False).returncode == 0


def test_home_sparql_and_dumps(replica: Replica) -> None:
    home = replica.get("/")
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    ask = replica.get("/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D")
    assert ask.status_code == 200 and ask.json()["boolean"] is True
    listing = replica.get("/dumps/", Accept="application/json").json()
    files = {entry["name"]: entry for entry in listing["files"]}
    assert {"manifest.json", "SHA256SUMS", "negotiations-kg.ttl"} <= set(files)
    dump = replica.get("/dumps/negotiations-kg.ttl")
    assert hashlib.sha256(dump.content).hexdigest() == files["negotiations-kg.ttl"]["sha256"]


def test_the_query_ui_and_its_files(replica: Replica) -> None:
    page = replica.get("/query")
    assert page.status_code == 200 and "query/yasgui/yasgui.min.js" in page.text
    for name, media in (("yasgui.min.js", "text/javascript"), ("yasgui.min.css", "text/css")):
        answer = replica.get(f"/query/yasgui/{name}")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media)
        assert len(answer.content) > 10_000


def test_a_second_replica_answers_the_same_etags(
    replica: Replica, replicas: Callable[[], Replica]
) -> None:
    other = replicas()
    paths = (
        "/",
        "/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
        "/dumps/",
        "/dumps/negotiations-kg.nt",
        "/.well-known/void",
        "/query/config.json",
    )
    for path in paths:
        first, second = replica.get(path), other.get(path)
        assert first.status_code == second.status_code == 200, path
        assert first.headers["etag"] == second.headers["etag"], path
        assert first.content == second.content, path
        again = other.get(path, **{"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, path
