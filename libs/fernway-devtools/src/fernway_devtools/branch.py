"""Branch deployments in open-source Dagster: `make branch NAME=x`, `make branch-drop NAME=x`.

A branch lives in `.dagster-branches/<name>/`: its own Dagster instance (`dagster_home/`, SQLite),
its own data dir (`data/`), a full copy of the production warehouse (DuckDB: `COPY FROM DATABASE`
into `data/warehouse.duckdb`; Postgres: `CREATE DATABASE <prod>__<name> TEMPLATE <prod>`) and the
production dbt manifests it compares against (`state/<team>__<project>/manifest.json`, copied from
each project's prepared `target/` when the branch is created). `build` asks dbt which models
changed relative to that state (`state:modified+`) and materializes exactly those dbt assets
through the location's own definitions, in process, with `FERNWAY_ENV=branch`, so the branch's
instance records the runs. Nothing unchanged is rebuilt; the copy holds every upstream table, so
the changed models read production's data without `--defer`.

Usage (repo root venv): python -m fernway_devtools.branch {create,build,up,drop} NAME
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import duckdb
import psycopg
from psycopg import sql

from fernway_core.dbt_shared import dbt_env, shared_dbt_dir
from fernway_core.duckdb_lock import writer_lock
from fernway_core.settings import find_repo_root, get_settings
from fernway_core.warehouse import Warehouse
from fernway_devtools.dbt_projects import dbt_projects, location_dbt
from fernway_devtools.instance import write_instance

BRANCHES_DIR = ".dagster-branches"
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,29}")
UNIQUE_ID = "dagster_dbt/unique_id"  # dagster-dbt's metadata key on every dbt asset spec
RESULT = "@branch-result "  # prefix of the JSON line a location run prints for `build`


class BranchError(RuntimeError):
    """A branch command cannot go on; the message is one line saying why."""


@dataclass(frozen=True)
class Branch:
    """Where branch `name` of the checkout at `root` keeps its instance, data and state."""

    name: str
    root: Path

    def __post_init__(self) -> None:
        if not NAME_PATTERN.fullmatch(self.name):
            raise BranchError(
                f"branch name {self.name!r}: use 1-30 of a-z 0-9 _, starting with a letter"
            )

    @property
    def dir(self) -> Path:
        return self.root / BRANCHES_DIR / self.name

    @property
    def home(self) -> Path:
        return self.dir / "dagster_home"

    @property
    def data_dir(self) -> Path:
        return self.dir / "data"

    @property
    def state_dir(self) -> Path:
        return self.dir / "state"

    @property
    def meta_path(self) -> Path:
        return self.dir / "branch.json"

    def meta(self) -> dict[str, str]:
        """What `create` recorded: the production and branch warehouse URLs."""
        if not self.meta_path.exists():
            raise BranchError(f"no branch {self.name!r} (create it: make branch NAME={self.name})")
        meta: dict[str, str] = json.loads(self.meta_path.read_text())
        return meta

    def env(self) -> dict[str, str]:
        """The environment a branch process runs with, as a deployment of the branch sets it."""
        return {
            "FERNWAY_ENV": "branch",
            "FERNWAY_DATA_DIR": str(self.data_dir),
            "FERNWAY_WAREHOUSE_URL": self.meta()["warehouse_url"],
            "DAGSTER_HOME": str(self.home),
        }


def project_id(project: Path) -> str:
    """`<team>__<dbt project>` for `projects/<team>/dbt/<name>`."""
    return f"{project.parents[1].name}__{project.name}"


def branch_warehouse_url(prod_url: str, branch: Branch) -> str:
    """The branch copy's URL: `data/warehouse.duckdb` of the branch, or `<prod db>__<name>`."""
    if Warehouse(url=prod_url).dialect == "duckdb":
        return f"duckdb://{branch.data_dir / 'warehouse.duckdb'}"
    parts = urlparse(prod_url)
    database = f"{parts.path.lstrip('/') or 'postgres'}__{branch.name}"
    if len(database) > 63:
        raise BranchError(f"Postgres database name {database!r} is longer than 63 characters")
    return urlunparse(parts._replace(path=f"/{database}"))


def _database(url: str) -> str:
    return urlparse(url).path.lstrip("/") or "postgres"


def _maintenance_url(url: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/postgres"))


def copy_warehouse(prod_url: str, branch_url: str, lock_timeout_s: float = 600.0) -> None:
    """Copy the whole production warehouse to the branch's (DuckDB file or Postgres database)."""
    prod = Warehouse(url=prod_url, lock_timeout_s=lock_timeout_s)
    if prod.dialect == "duckdb":
        if not Path(prod.duckdb_path).exists():
            raise BranchError(f"no production warehouse at {prod.duckdb_path} (run make demo)")
        target = Warehouse(url=branch_url).duckdb_path
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        # The writer lock keeps production's writers out while the file is read.
        with writer_lock(prod.duckdb_path, lock_timeout_s), duckdb.connect() as con:
            con.execute("attach ? as prod (read_only)", [prod.duckdb_path])
            con.execute("attach ? as branch", [target])
            con.execute("copy from database prod to branch")
        return
    statement = sql.SQL("create database {} template {}").format(
        sql.Identifier(_database(branch_url)), sql.Identifier(_database(prod_url))
    )
    try:
        with psycopg.connect(_maintenance_url(prod_url), autocommit=True) as con:
            con.execute(statement)
    except psycopg.Error as exc:
        raise BranchError(
            f"cannot copy {_database(prod_url)}: {' '.join(str(exc).split())}"
        ) from None


def drop_warehouse(branch_url: str) -> None:
    """Drop the branch's Postgres database (a DuckDB copy goes with the branch's directory)."""
    if Warehouse(url=branch_url).dialect != "postgres":
        return
    statement = sql.SQL("drop database if exists {} with (force)").format(
        sql.Identifier(_database(branch_url))
    )
    with psycopg.connect(_maintenance_url(branch_url), autocommit=True) as con:
        con.execute(statement)


def save_state(branch: Branch, projects: Sequence[Path]) -> list[Path]:
    """Copy each project's prepared production manifest into the branch's state dir."""
    saved = []
    for project in projects:
        manifest = project / "target" / "manifest.json"
        if not manifest.exists():
            raise BranchError(f"no production manifest {manifest} (run make setup first)")
        target = branch.state_dir / project_id(project) / "manifest.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(manifest, target)
        saved.append(target)
    return saved


def create(branch: Branch, prod_url: str | None = None) -> dict[str, str]:
    """Copy the warehouse, render the branch's instance and save production's dbt state."""
    if branch.dir.exists():
        raise BranchError(f"branch {branch.name!r} exists (drop it: make branch-drop NAME=...)")
    prod_url = prod_url or get_settings().resolved_warehouse_url
    meta = {
        "name": branch.name,
        "prod_warehouse_url": prod_url,
        "warehouse_url": branch_warehouse_url(prod_url, branch),
    }
    branch.data_dir.mkdir(parents=True)
    try:
        save_state(branch, dbt_projects(branch.root))
        copy_warehouse(prod_url, meta["warehouse_url"])
        write_instance(branch.home, branch.root / "dagster.yaml", postgres=False)
    except BaseException:
        shutil.rmtree(branch.dir)
        raise
    branch.meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def drop(branch: Branch) -> None:
    """Remove the branch's warehouse copy, instance, data and state."""
    drop_warehouse(branch.meta()["warehouse_url"])
    shutil.rmtree(branch.dir)


def _branch_process_env(branch: Branch, extra: Mapping[str, str] = {}) -> dict[str, str]:
    return {**os.environ, **branch.env(), **extra, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def modified_models(branch: Branch, project: Path) -> list[str]:
    """Unique ids of the models, seeds and snapshots of `project` in `state:modified+`."""
    state = branch.state_dir / project_id(project)
    if not (state / "manifest.json").exists():
        raise BranchError(f"branch {branch.name!r} has no production state for {project}")
    meta = branch.meta()
    # `dbt ls` only compiles, it never connects. On Postgres it is given production's database:
    # a manifest naming the branch's database would show every model as modified (its relation
    # changed). The DuckDB copy has production's file name, hence its database name.
    warehouse = Warehouse(url=meta["warehouse_url"])
    if warehouse.dialect == "postgres":
        warehouse = Warehouse(url=meta["prod_warehouse_url"])
    args = [str(location_dbt(project)), "--quiet", "ls", "--select", "state:modified+"]
    args += ["--state", str(state), "--output", "json", "--output-keys", "unique_id"]
    for kind in ("model", "seed", "snapshot"):
        args += ["--resource-type", kind]
    args += ["--project-dir", str(project), "--profiles-dir", str(shared_dbt_dir(project))]
    # its own target path: the project's prepared target/ stays as `make setup` left it
    args += ["--target-path", str(branch.dir / "target" / project_id(project))]
    done = subprocess.run(
        args,
        cwd=project,
        env=_branch_process_env(branch, dbt_env(warehouse)),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BranchError(f"dbt ls failed on {project}: {(done.stdout + done.stderr).strip()}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return sorted(json.loads(line)["unique_id"] for line in lines)


def build(branch: Branch) -> list[dict[str, Any]]:
    """Materialize, per location, the dbt assets that changed relative to production."""
    by_team: dict[str, list[str]] = {}
    for project in dbt_projects(branch.root):
        ids = modified_models(branch, project)
        print(f"{project_id(project)}: {len(ids)} model(s) in state:modified+", flush=True)
        if ids:
            by_team.setdefault(project.parents[1].name, []).extend(ids)
    reports = []
    for team, ids in by_team.items():
        location = branch.root / "projects" / team
        args = [str(location / ".venv" / "bin" / "python"), "-m", "fernway_devtools.branch"]
        args += ["run", branch.name, "--root", str(branch.root)]
        args += ["--module", f"fernway_{team}.definitions", *ids]
        # the location's own sources first: a copy of the repo builds its own code
        extra = {"PYTHONPATH": str(location / "src")}
        done = subprocess.run(
            args,
            cwd=location,
            env=_branch_process_env(branch, extra),
            capture_output=True,
            text=True,
        )
        results = [line for line in done.stdout.splitlines() if line.startswith(RESULT)]
        if done.returncode != 0 or not results:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
            raise BranchError(f"the {team} branch run failed (exit {done.returncode}):\n{tail}")
        report = json.loads(results[-1].removeprefix(RESULT))
        print(
            f"{team}: run {report['run_id']} {'ok' if report['success'] else 'FAILED'} in "
            f"{report['seconds']} s: {', '.join(report['materialized'])}",
            flush=True,
        )
        reports.append(report)
    if not by_team:
        print("nothing changed relative to production", flush=True)
    return reports


def run_in_location(module: str, unique_ids: Sequence[str]) -> dict[str, Any]:
    """In the location's environment: materialize the dbt assets with these unique ids."""
    import dagster as dg

    from fernway_devtools.locations import load_location
    from fernway_devtools.materialize import summarize

    if get_settings().env != "branch":
        raise BranchError("a branch run needs FERNWAY_ENV=branch")
    defs = load_location(module)
    wanted = set(unique_ids)
    keys = [
        node.key
        for node in defs.resolve_asset_graph().asset_nodes
        if node.is_materializable and node.metadata.get(UNIQUE_ID) in wanted
    ]
    job = defs.resolve_implicit_global_asset_job_def()
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            asset_selection=keys,
            tags={"fernway/branch": Path(os.environ["DAGSTER_HOME"]).parent.name},
            raise_on_error=False,
        )
    return summarize(result, "branch build", time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    """`create`, `build`, `up` (create when missing, then build) or `drop` a branch."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["create", "build", "up", "drop", "run"])
    parser.add_argument("name")
    parser.add_argument("--root", type=Path, default=None, help="checkout (default: this one)")
    parser.add_argument("--module", help="run: the location's definitions module")
    parser.add_argument("unique_ids", nargs="*", help="run: dbt unique ids to materialize")
    args = parser.parse_intermixed_args(argv)
    try:
        branch = Branch(args.name, (args.root or find_repo_root()).resolve())
        if args.command == "run":
            report = run_in_location(args.module, args.unique_ids)
            print(RESULT + json.dumps(report), flush=True)
            return 0 if report["success"] else 1
        if args.command == "drop":
            drop(branch)
            print(f"branch {branch.name!r} dropped", flush=True)
            return 0
        if args.command == "create" or (args.command == "up" and not branch.dir.exists()):
            meta = create(branch)
            print(f"branch {branch.name!r}: {meta['warehouse_url']}, {branch.home}", flush=True)
        if args.command in {"build", "up"}:
            reports = build(branch)
            return 0 if all(r["success"] for r in reports) else 1
    except BranchError as exc:
        print(f"branch: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
