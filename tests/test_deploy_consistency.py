"""Every file that names the code locations names the same ones, wired the same way.

projects/<team>/ is the truth; workspace.yaml, dg.toml, the Makefile, deploy/workspace.prod.yaml
and deploy/docker-compose.yaml must agree with it and with each other. Parsing only.
"""

from pathlib import PurePosixPath

import pytest

from tests.conftest import ROOT
from tests.deploy_files import (
    COMPOSE,
    DOCKERFILE,
    compose_code_servers,
    compose_services,
    dg_project_paths,
    dockerfile_stages,
    expand,
    lock_packages,
    makefile_locations,
    prod_grpc_servers,
    project_locations,
    pyproject,
    root_module,
    workspace_entries,
    workspace_names,
)

LOCATIONS = project_locations()

LISTINGS = {
    "workspace.yaml": workspace_names,
    "dg.toml": lambda: [PurePosixPath(p).name for p in dg_project_paths()],
    "Makefile LOCATIONS": makefile_locations,
    "deploy/workspace.prod.yaml": lambda: [s["location_name"] for s in prod_grpc_servers()],
    "deploy/docker-compose.yaml": lambda: list(compose_code_servers().values()),
}


def test_the_projects_folder_holds_the_code_locations():
    assert LOCATIONS, "no projects/<team>/pyproject.toml found"
    for location in LOCATIONS:
        assert pyproject(location)["tool"]["dg"]["directory_type"] == "project", location


@pytest.mark.parametrize("listing", LISTINGS)
def test_each_listing_names_every_project_once(listing):
    names = LISTINGS[listing]()
    assert sorted(names) == LOCATIONS, f"{listing} lists {names}, projects/ holds {LOCATIONS}"


def test_dg_toml_points_at_the_project_folders():
    assert sorted(dg_project_paths()) == [f"projects/{loc}" for loc in LOCATIONS]


@pytest.mark.parametrize("location", LOCATIONS)
def test_workspace_yaml_loads_the_root_module_in_the_locations_own_venv(location):
    entry = workspace_entries()[location]
    module = f"{root_module(location)}.definitions"
    assert entry["module_name"] == module
    assert PurePosixPath(entry["working_directory"]) == PurePosixPath("projects", location)
    assert PurePosixPath(entry["executable_path"]) == PurePosixPath(
        "projects", location, ".venv", "bin", "python"
    )
    source = ROOT / "projects" / location / "src" / module.replace(".", "/")
    assert source.with_suffix(".py").is_file(), f"{module} has no source file"


def _location_image_variables(location: str) -> dict[str, str]:
    return dockerfile_stages()["location"].variables(LOCATION=location)


@pytest.mark.parametrize("location", LOCATIONS)
def test_the_location_image_serves_the_same_module_and_name_as_workspace_yaml(location):
    stage = dockerfile_stages()["location"]
    variables = _location_image_variables(location)
    (cmd,) = stage.all("CMD")
    words = cmd.words()
    assert words[words.index("code-server") + 1] == "start", cmd.args
    module = expand(words[words.index("-m") + 1], variables)
    assert module == workspace_entries()[location]["module_name"]
    assert words[words.index("-a") + 1] == workspace_entries()[location]["attribute"]
    assert variables["DAGSTER_LOCATION_NAME"] == location


@pytest.mark.parametrize("location", LOCATIONS)
def test_the_prod_workspace_reaches_each_location_on_its_code_server(location):
    (server,) = [s for s in prod_grpc_servers() if s["location_name"] == location]
    services = compose_code_servers()
    assert services.get(server["host"]) == location, (
        f"workspace.prod.yaml sends {location} to host {server['host']!r}; compose code servers: "
        f"{services}"
    )
    assert str(server["port"]) == _location_image_variables(location)["DAGSTER_CODE_SERVER_PORT"]


def _orchestrators() -> dict[str, dict]:
    return {
        name: s for name, s in compose_services().items() if "dagster-" in str(s.get("command", ""))
    }


def test_compose_runs_one_webserver_and_one_daemon_over_the_baked_prod_workspace():
    stages = dockerfile_stages()
    baked = [
        dest
        for _, sources, dest in stages["orchestrator"].copies()
        if sources == ["deploy/workspace.prod.yaml"]
    ]
    assert len(baked) == 1, "the orchestrator image must hold deploy/workspace.prod.yaml"
    programs = []
    for name, service in _orchestrators().items():
        command = service["command"]
        programs.append(command[0])
        assert service["build"]["target"] == "orchestrator", name
        assert command[command.index("-w") + 1] == baked[0], name
        assert set(compose_code_servers()) <= set(service.get("depends_on", {})), name
    assert sorted(programs) == ["dagster-daemon", "dagster-webserver"]


def test_every_compose_build_uses_deploy_dockerfile_and_one_of_its_stages():
    stages = dockerfile_stages()
    for name, service in compose_services().items():
        build = service.get("build")
        if build is None:
            continue
        dockerfile = (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve()
        assert dockerfile == DOCKERFILE, name
        assert build.get("target") in stages, f"{name}: target {build.get('target')!r}"
        if build["target"] == "location":
            assert name == build["args"]["LOCATION"], "service name is the gRPC host name"


@pytest.mark.parametrize("location", LOCATIONS)
def test_the_orchestrator_runs_the_dagster_release_of_every_code_server(location):
    orchestrator = lock_packages(ROOT / "uv.lock")["dagster"]["version"]
    code_server = lock_packages(ROOT / "projects" / location / "uv.lock")["dagster"]["version"]
    assert code_server == orchestrator
