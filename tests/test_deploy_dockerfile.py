"""deploy/Dockerfile builds what it claims: from the locks, nothing dev-only, failures fail.

The Dockerfile is parsed, not built (no Docker engine here); its dbt step is run as a shell
script against a fake project tree and a fake `dbt`.
"""

import json
import os
import posixpath
import re
import subprocess
import sys
import tomllib
from pathlib import Path, PurePosixPath

import pytest
import yaml

from tests.conftest import ROOT
from tests.deploy_files import (
    DEV_ONLY_DIRS,
    compose_services,
    dockerfile_stages,
    is_ignored,
    production_closure,
    project_locations,
    pyproject,
    resolved_copies,
    stage_lineage,
)

LOCATIONS = project_locations()
APP = "/app"
FINAL_STAGES = sorted({s["build"]["target"] for s in compose_services().values() if "build" in s})
RUNTIME_PACKAGES = ["libs/fernway-core"]
RUNTIME_DIRS = [*RUNTIME_PACKAGES, "libs/dbt-shared"]
HIDDEN_FAILURE = re.compile(r"\|\|\s*(true|:)(\s|;|$)|;\s*true(\s|;|$)|set\s+\+e|\|\|\s*exit\s+0")
GENERATED = {".venv", "__pycache__", "target", "logs", "dbt_packages", ".pytest_cache"}


def _runs(stage: str) -> list[str]:
    return [ins.args for ins in dockerfile_stages()[stage].all("RUN")]


def _all_runs() -> list[str]:
    return [run for stage in dockerfile_stages() for run in _runs(stage)]


def _dbt_projects(location: str) -> list[Path]:
    return sorted(p.parent for p in (ROOT / "projects" / location).glob("dbt/*/dbt_project.yml"))


def _is_dev_only(path: str) -> bool:
    return any(PurePosixPath(path).is_relative_to(d) for d in DEV_ONLY_DIRS)


@pytest.mark.parametrize("location", LOCATIONS)
def test_every_path_the_dockerfile_copies_exists_in_the_build_context(location):
    for stage in dockerfile_stages():
        for copy in resolved_copies(stage, LOCATION=location):
            for source in [] if copy.stage else copy.sources:
                assert (ROOT / source).exists(), f"{stage}: COPY {source}: not in the repo"
                assert not is_ignored(source), f"{stage}: COPY {source}: dockerignored"


@pytest.mark.parametrize("location", LOCATIONS)
def test_the_build_context_keeps_the_locations_code_and_drops_local_state(location):
    project = f"projects/{location}"
    needed = [f"{project}/pyproject.toml", f"{project}/uv.lock"]
    for package in [project, *RUNTIME_PACKAGES]:  # hatchling builds them: metadata and readme
        metadata = tomllib.loads((ROOT / package / "pyproject.toml").read_text())["project"]
        needed += [f"{package}/pyproject.toml"]
        needed += [f"{package}/{metadata['readme']}"] if "readme" in metadata else []
    tops = [ROOT / project / "src", *_dbt_projects(location), ROOT / "libs/dbt-shared"]
    for top in tops + [ROOT / package / "src" for package in RUNTIME_PACKAGES]:
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if d not in GENERATED]
            needed += [(Path(dirpath) / f).relative_to(ROOT).as_posix() for f in filenames]
    for path in needed:
        assert not is_ignored(path), f"the image would miss {path}"
    dbt_dirs = [p.relative_to(ROOT).as_posix() for p in _dbt_projects(location)]
    for local_state in [
        ".env",
        "data/warehouse.duckdb",
        f"{project}/.venv/bin/python",
        f"{project}/tests/conftest.py",
        *(f"{d}/target/manifest.json" for d in dbt_dirs),
        *(f"{d}/target/partial_parse.msgpack" for d in dbt_dirs),
        *(f"{d}/dbt_packages/fernway_shared/profiles.yml" for d in dbt_dirs),
        "sandbox/src/fernway_sandbox/__init__.py",
        "libs/fernway-devtools/src/fernway_devtools/__init__.py",
    ]:
        assert is_ignored(local_state), f"{local_state} would enter the build context"


def test_every_install_uses_a_lock_and_every_lock_is_checked():
    runs = " ".join(_all_runs())
    assert re.search(r"\buv sync\b", runs), "no `uv sync` in the Dockerfile"
    for command in re.split(r"&&|;|\n", runs):
        if re.search(r"\buv (sync|export|run)\b", command):
            assert "--locked" in command, command
            assert "--frozen" not in command, command
            assert "--no-sources" not in command, command
        if re.search(r"\buv sync\b", command):
            assert "--no-dev" in command, command
        if re.search(r"\bpip install\b", command):
            assert re.search(r"\buv pip install\b.*--require-hashes.*-r\s", command), command
        assert not re.search(r"\buv lock\b", command), command


@pytest.mark.parametrize("location", LOCATIONS)
def test_uv_sync_runs_in_the_location_against_its_own_lock(location):
    stage = dockerfile_stages()["location-build"]
    variables = stage.variables(LOCATION=location)
    workdir = None
    for ins in stage.instructions:
        if ins.keyword == "WORKDIR":
            workdir = ins.args.replace("${LOCATION}", variables["LOCATION"])
        if ins.keyword == "RUN" and re.search(r"\buv sync\b", ins.args):
            assert workdir == f"{APP}/projects/{location}"
            return
    pytest.fail("location-build runs no `uv sync`")


def test_no_build_step_hides_a_failure():
    for name, stage in dockerfile_stages().items():
        for run in _runs(name):
            assert not HIDDEN_FAILURE.search(run), f"{name}: {run}"
        shells = stage.all("SHELL")
        if stage.all("RUN"):
            flags = [w for w in shells[-1].words() if w.startswith("-")] if shells else []
            assert any("e" in f for f in flags), f"{name}: RUN steps need SHELL with -e"


def test_no_dev_only_code_reaches_an_image():
    stages = dockerfile_stages()
    for name in stages:
        for copy in resolved_copies(name, LOCATION=LOCATIONS[0]):
            for source in [] if copy.stage else copy.sources:
                for dev in DEV_ONLY_DIRS:
                    assert not dev.is_relative_to(source), f"{name}: COPY {source} holds {dev}"
                if _is_dev_only(source):
                    assert PurePosixPath(source).name == "pyproject.toml", f"{name}: {source}"
    for final in FINAL_STAGES:
        lineage = [s.name for s in stage_lineage(stages, final)]
        for name in lineage:
            for copy in resolved_copies(name, LOCATION=LOCATIONS[0]):
                for source in copy.sources:
                    relative = posixpath.relpath(source, APP) if copy.stage else source
                    assert not _is_dev_only(relative), f"{final} (via {name}) copies {source}"
                    if copy.stage:
                        assert relative not in {".", "libs"}, f"{final}: copies all of {source}"


@pytest.mark.parametrize("location", LOCATIONS)
def test_the_production_install_has_no_dev_only_package(location):
    closure = production_closure(location)
    assert closure, location
    for package in ["fernway-sandbox", "fernway-devtools", "pytest"]:
        assert package not in closure, f"{location}: `uv sync --no-dev` installs {package}"


@pytest.mark.parametrize("location", LOCATIONS)
def test_the_production_install_can_open_the_postgres_instance(location):
    """Runs and sensor ticks execute in the code servers, which write the Postgres instance."""
    assert "dagster-postgres" in production_closure(location)


@pytest.mark.parametrize("location", LOCATIONS)
def test_the_build_stage_holds_what_uv_needs_to_check_the_lock(location):
    closure = production_closure(location)
    landed = {
        copy.lands_at(source)
        for copy in resolved_copies("location-build", LOCATION=location)
        for source in copy.sources
    }
    final = {
        source
        for copy in resolved_copies("location", LOCATION=location)
        if copy.stage == "location-build"
        for source in copy.sources
    }
    sources = pyproject(location)["tool"]["uv"]["sources"]
    for package, source in sources.items():
        if "path" not in source:
            continue
        path = posixpath.normpath(posixpath.join("projects", location, source["path"]))
        if package in closure:  # installed: the whole package, kept in the image
            assert f"{APP}/{path}" in landed, f"{package}: COPY {path}/ into the build stage"
            assert f"{APP}/{path}" in final, f"{package}: COPY --from the build stage"
        else:  # dev group: only its metadata, for `--locked`
            assert f"{APP}/{path}/pyproject.toml" in landed, (
                f"{package}: uv sync --locked needs {path}/pyproject.toml"
            )


@pytest.mark.parametrize("location", LOCATIONS)
def test_the_image_keeps_everything_the_build_stage_prepared(location):
    built = {
        copy.dest
        for copy in resolved_copies("location-build", LOCATION=location)
        if not any(_is_dev_only(s) for s in copy.sources)
    }
    kept = {
        copy.dest
        for copy in resolved_copies("location", LOCATION=location)
        if copy.stage == "location-build"
    }
    assert built == kept
    assert {f"{APP}/{d}" for d in RUNTIME_DIRS} <= kept


@pytest.mark.parametrize("location", LOCATIONS)
def test_each_dbt_package_a_project_installs_is_in_the_image(location):
    kept = {c.dest for c in resolved_copies("location", LOCATION=location)}
    for project in _dbt_projects(location):
        packages = project / "packages.yml"
        entries = yaml.safe_load(packages.read_text())["packages"] if packages.exists() else []
        for entry in entries:
            assert "local" in entry, f"{project.name}: {entry} would be fetched at build time"
            local = (project / entry["local"]).resolve().relative_to(ROOT).as_posix()
            assert f"{APP}/{local}" in kept, f"{project.name} needs {local} in the image"


FAKE_DBT = """#!{python}
import json, os, sys
from pathlib import Path
args = sys.argv[1:]
with open({log!r}, "a") as log:
    call = {{"cwd": os.getcwd(), "target": os.environ.get("FERNWAY_DBT_TARGET"), "args": args}}
    log.write(json.dumps(call) + "\\n")
mode = os.environ.get("FAKE_DBT", "ok")
if args[0] == "parse" and mode == "fail":
    sys.exit(2)
if args[0] == "parse" and mode == "ok":
    target = Path(args[args.index("--project-dir") + 1]) / "target"
    target.mkdir(exist_ok=True)
    (target / "manifest.json").write_text("{{}}")
"""


def _run_dbt_step(tmp_path: Path, location: str, projects: list[str], mode: str = "ok"):
    """Run the Dockerfile's dbt RUN step with /app moved under tmp_path and a fake dbt."""
    stage = dockerfile_stages()["location-build"]
    (step,) = [run for run in _runs("location-build") if "dbt parse" in run]
    app = tmp_path / "app"
    log = tmp_path / "dbt_calls.jsonl"
    log.touch()
    for name in projects:
        (app / "projects" / location / "dbt" / name).mkdir(parents=True)
        (app / "projects" / location / "dbt" / name / "dbt_project.yml").write_text("name: x\n")
    dbt = app / "projects" / location / ".venv" / "bin" / "dbt"
    dbt.parent.mkdir(parents=True)
    dbt.write_text(FAKE_DBT.format(python=sys.executable, log=str(log)))
    dbt.chmod(0o755)
    (shell,) = stage.all("SHELL")
    variables = stage.variables(LOCATION=location)
    env = {"PATH": os.environ["PATH"], "FAKE_DBT": mode, **variables}
    result = subprocess.run(
        [*shell.words(), step.replace(f"{APP}/", f"{app}/")],
        cwd=app / "projects" / location,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    return result, calls, app, variables


@pytest.mark.parametrize("location", LOCATIONS)
def test_dbt_manifests_are_prepared_in_the_project_with_the_shared_profile(tmp_path, location):
    names = [p.name for p in _dbt_projects(location)]
    result, calls, app, variables = _run_dbt_step(tmp_path, location, names)
    assert result.returncode == 0, result.stderr
    expected = []
    for name in names:
        project = str(app / "projects" / location / "dbt" / name)
        for command in ["deps", "parse"]:
            expected.append((project, command, project, str(app / "libs" / "dbt-shared")))
    seen = [
        (
            c["cwd"],
            c["args"][0],
            c["args"][c["args"].index("--project-dir") + 1],
            c["args"][c["args"].index("--profiles-dir") + 1],
        )
        for c in calls
    ]
    assert seen == expected  # no dbt call at all for a location without a dbt project
    assert all(c["target"] == variables["DBT_TARGET"] for c in calls)
    profiles = yaml.safe_load((ROOT / "libs" / "dbt-shared" / "profiles.yml").read_text())
    for project in _dbt_projects(location):
        profile = yaml.safe_load((project / "dbt_project.yml").read_text())["profile"]
        assert variables["DBT_TARGET"] in profiles[profile]["outputs"], project.name


@pytest.mark.parametrize("mode", ["fail", "no-manifest"])
def test_a_failing_dbt_parse_fails_the_image_build(tmp_path, mode):
    result, calls, _, _ = _run_dbt_step(tmp_path, "demo", ["first", "second"], mode)
    assert result.returncode != 0
    assert [c["args"][0] for c in calls] == ["deps", "parse"], "stops at the first failure"
