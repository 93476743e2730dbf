"""docker/Dockerfile and docker/compose.yaml, read: the stages and what each does, a
non-root user, the health check (run for real against a server), every file, path and
setting the files name, and the base images docker/podman.py passes in. The image
itself is built and run by tests/test_container.py (with podman: there is no Docker
engine on these machines)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from kg.config import settings_table
from kg.server import ui, vendor

from .conftest import ROOT, ServerProcess

DOCKERFILE = ROOT / "docker" / "Dockerfile"
COMPOSE = ROOT / "docker" / "compose.yaml"
DOCKERIGNORE = ROOT / ".dockerignore"


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]]

    def all(self, keyword: str) -> list[str]:
        return [args for kind, args in self.instructions if kind == keyword]


def parse(path: Path) -> list[Stage]:
    """The Dockerfile's stages, each with its instructions (continuations joined)."""
    lines: list[str] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.lstrip().startswith("#") or not raw.strip():
            continue
        pending += raw.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        lines.append(pending.strip())
        pending = ""
    stages: list[Stage] = []
    for line in lines:
        keyword, _, args = line.partition(" ")
        keyword, args = keyword.upper(), args.strip()
        if keyword == "FROM":
            match = re.fullmatch(r"(\S+)(?:\s+AS\s+(\S+))?", args, re.IGNORECASE)
            assert match, line
            stages.append(Stage(match.group(2) or str(len(stages)), match.group(1), []))
        elif stages:
            stages[-1].instructions.append((keyword, args))
    return stages


@pytest.fixture(scope="module")
def stages() -> dict[str, Stage]:
    return {stage.name: stage for stage in parse(DOCKERFILE)}


def test_three_stages_and_the_runtime_last(stages: dict[str, Stage]) -> None:
    assert list(stages) == ["ui", "build", "runtime"]
    assert stages["runtime"].base == stages["build"].base == "${PYTHON_IMAGE}"
    args = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.1[1-9]-slim", args, re.MULTILINE)
    assert re.search(r"^ARG NODE_IMAGE=node:\d+", args, re.MULTILINE)


def test_the_podman_script_passes_the_base_images_the_dockerfile_takes() -> None:
    """docker/podman.py builds the Dockerfile unchanged: each base image it makes goes
    in through one of the Dockerfile's ARGs, and every FROM uses one of them."""
    spec = importlib.util.spec_from_file_location("podman_script", ROOT / "docker" / "podman.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    passed = {arg for arg, _, _ in script.BASES.values()}
    declared = set(re.findall(r"^ARG (\w+_IMAGE)=", DOCKERFILE.read_text(), re.MULTILINE))
    assert passed == declared == {"PYTHON_IMAGE", "NODE_IMAGE"}
    assert {stage.base for stage in parse(DOCKERFILE)} == {"${PYTHON_IMAGE}", "${NODE_IMAGE}"}


def test_ui_stage_installs_yasgui_from_the_lockfile(stages: dict[str, Stage]) -> None:
    ui_stage = stages["ui"]
    assert any("package-lock.json" in copy for copy in ui_stage.all("COPY"))
    assert any(run.startswith("npm ci") for run in ui_stage.all("RUN"))


def test_build_stage_installs_pinned_and_builds_the_release(stages: dict[str, Stage]) -> None:
    runs = stages["build"].all("RUN")
    assert any("pip install" in r and "constraints.txt" in r for r in runs)
    assert any(re.match(r"kg build\b", r) for r in runs), "the release is built in the image"
    copied = " ".join(stages["build"].all("COPY"))
    for folder in ("seeds", "ontology", "shapes", "queries", "kg"):
        assert re.search(rf"\b{folder}\b", copied), folder


def test_runtime_runs_as_a_user_who_is_not_root(stages: dict[str, Stage]) -> None:
    runtime = stages["runtime"]
    users = runtime.all("USER")
    assert users, "USER is missing: the server would run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    created = " ".join(runtime.all("RUN"))
    assert "useradd" in created and (f"--uid {user}" in created or f" {user}" in created)
    last = runtime.instructions[-1]
    assert last[0] == "CMD"
    position = [kind for kind, _ in runtime.instructions]
    assert position.index("USER") > max(i for i, k in enumerate(position) if k in {"RUN", "COPY"})


def test_runtime_has_no_build_tools(stages: dict[str, Stage]) -> None:
    runs = " ".join(stages["runtime"].all("RUN"))
    assert "pip install" not in runs and "npm" not in runs and "apt-get" not in runs


def test_runtime_copies_the_release_the_queries_and_yasgui(stages: dict[str, Stage]) -> None:
    copies = stages["runtime"].all("COPY")
    assert any("--from=build" in c and "/opt/venv" in c for c in copies)
    assert any("--from=build" in c and "/app/var" in c for c in copies)
    assert any("--from=build" in c and "/app/queries" in c for c in copies)
    yasgui = ui.YASGUI_BUILD.as_posix()
    assert any("--from=ui" in c and c.count(yasgui) == 2 for c in copies), (
        "YASGUI must land where kg.server.ui looks: ./" + yasgui
    )


def test_runtime_copies_every_library_file_the_pages_load(stages: dict[str, Stage]) -> None:
    """Chart.js for the query UI, Cytoscape.js and vis-timeline for the dossier: each
    file the server serves from node_modules/ is in a folder the image copies."""
    copied = [c.split()[-1].removeprefix("./") for c in stages["runtime"].all("COPY")
              if "--from=ui" in c]  # fmt: skip
    needed = [ui.CHART_BUILD.as_posix() + "/chart.umd.js"]
    needed += ["node_modules/" + f.path for f in vendor.FILES.values()]
    for path in needed:
        assert any(path.startswith(folder + "/") for folder in copied), path


def test_serves_on_all_interfaces(stages: dict[str, Stage]) -> None:
    command = json.loads(stages["runtime"].all("CMD")[-1])
    assert command[:2] == ["kg", "serve"]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    assert "8000" in stages["runtime"].all("EXPOSE")


def test_environment_names_only_real_settings(stages: dict[str, Stage]) -> None:
    known = {var for var, _, _ in settings_table().values()}
    text = DOCKERFILE.read_text(encoding="utf-8")
    for name in set(re.findall(r"\b(KG_[A-Z_]+)", text)):
        assert name in known, f"{name} is not a setting"
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    for name in compose["services"]["kg"]["environment"]:
        assert name in known, f"{name} in compose.yaml is not a setting"


def healthcheck_command(stages: dict[str, Stage]) -> list[str]:
    checks = stages["runtime"].all("HEALTHCHECK")
    assert checks, "no HEALTHCHECK"
    options, _, command = checks[-1].partition(" CMD ")
    assert "--interval" in options
    parsed: list[str] = json.loads(command)
    return parsed


def test_healthcheck_uses_python_not_curl(stages: dict[str, Stage]) -> None:
    command = healthcheck_command(stages)
    assert command[0] == "python" and "curl" not in command and "wget" not in command


@pytest.mark.server
def test_healthcheck_passes_against_a_real_server(
    stages: dict[str, Stage], live_server: ServerProcess
) -> None:
    command = [sys.executable, *healthcheck_command(stages)[1:]]
    env = os.environ | {"KG_PORT": str(live_server.port)}
    assert subprocess.run(command, env=env, timeout=30).returncode == 0
    env["KG_PORT"] = "1"  # nothing listens there: the check must fail
    assert subprocess.run(command, env=env, timeout=30, capture_output=True).returncode != 0


def test_context_holds_every_file_the_build_copies(stages: dict[str, Stage]) -> None:
    """Each COPY from the build context names files that exist and .dockerignore keeps."""
    kept = {
        line[1:].strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.startswith("!")
    }
    for stage in stages.values():
        for copy in stage.all("COPY"):
            if "--from=" in copy:
                continue
            *sources, _ = [p for p in copy.split() if not p.startswith("--")]
            for source in sources:
                assert (ROOT / source).exists(), source
                assert source.rstrip("/") in kept, f"{source} is left out by .dockerignore"


def test_compose_builds_this_dockerfile_and_publishes_the_port() -> None:
    service = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]["kg"]
    build = service["build"]
    assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
    assert any(str(port).endswith(":8000") for port in service["ports"])
    assert service.get("read_only") is True
