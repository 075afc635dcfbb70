"""`make setup`'s dbt step: parse every dbt project exactly the way Dagster will run it.

dbt records the project root it was given in `manifest.json` and `partial_parse.msgpack`, and
partial parsing reuses those nodes later without checking the root again. Parsing from the repo
root with a relative `--project-dir` therefore left seeds pointing at a path that only existed
from the repo root, and `make demo` (dbt run from the project directory) failed on a fresh clone.
Here every project is parsed from its own directory with its absolute path, the way dagster-dbt
invokes dbt, and the absolute path is stamped beside the manifest: a project that was moved or
copied elsewhere is parsed again instead of reusing another directory's state.

Every project reads the one profile in `libs/dbt-shared` and depends on that local dbt package
(`packages.yml`); `dbt deps` links it under the project's `dbt_packages/` without the network.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

from fernway_core.dbt_shared import dbt_env, shared_dbt_dir
from fernway_core.settings import find_repo_root, get_settings
from fernway_core.warehouse import Warehouse

STAMP = ".prepared_for"
# Folders dbt writes into; a change there does not make the manifest stale.
_OUTPUTS = {"target", "logs", "dbt_packages"}


def dbt_projects(root: Path) -> list[Path]:
    """Every dbt project of every location: `projects/<team>/dbt/<name>/`."""
    return sorted(p.parent.resolve() for p in root.glob("projects/*/dbt/*/dbt_project.yml"))


def location_dbt(project: Path) -> Path:
    """The dbt executable of the location that owns `project` (`projects/<team>/.venv`)."""
    return project.parents[1] / ".venv" / "bin" / "dbt"


def local_packages(project: Path) -> list[Path]:
    """The local dbt packages `project` depends on (`- local: <path>` in its `packages.yml`)."""
    packages_yml = project / "packages.yml"
    if not packages_yml.exists():
        return []
    packages = (yaml.safe_load(packages_yml.read_text()) or {}).get("packages") or []
    return [(project / p["local"]).resolve() for p in packages if "local" in p]


def _newest_source(project: Path) -> float:
    """Newest modification time of the project's files and of its local packages' files."""
    newest = 0.0
    for root in (project, *local_packages(project)):
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in _OUTPUTS]
            for name in filenames:
                newest = max(newest, (Path(dirpath) / name).stat().st_mtime)
    return newest


def is_stale(project: Path) -> str | None:
    """Why `project` must be parsed again, or None when its prepared state is current."""
    target = project / "target"
    manifest, stamp = target / "manifest.json", target / STAMP
    if not manifest.exists() or not (target / "partial_parse.msgpack").exists():
        return "no manifest yet"
    if not stamp.exists() or stamp.read_text().strip() != str(project):
        return "prepared in another directory"
    if (project / "packages.yml").exists() and not (project / "dbt_packages").is_dir():
        return "packages not installed"
    if _newest_source(project) > manifest.stat().st_mtime:
        return "sources changed"
    return None


def prepare(project: Path, dbt: Path | None = None) -> None:
    """Install packages and parse `project` from its own directory, by absolute path; stamp it."""
    project = project.resolve()
    dbt = dbt or location_dbt(project)
    # Run the way dagster-dbt runs dbt: cwd = the project, absolute --project-dir, shared profile.
    args = ["--project-dir", str(project), "--profiles-dir", str(shared_dbt_dir(project))]
    target = project / "target"
    # A full parse: dbt's partial parsing keeps the root of the directory it last parsed in,
    # even across an explicit `dbt parse` from a new directory (tested).
    for state in (STAMP, "partial_parse.msgpack"):
        (target / state).unlink(missing_ok=True)
    # The profile's connection as Dagster will pass it (the configured warehouse): dbt keeps a
    # partial-parse file only for the connection it was parsed with, so a parse with the profile's
    # fallback path made every run of `make demo` parse the whole project again.
    warehouse = Warehouse(url=get_settings().resolved_warehouse_url)
    env = {**os.environ, **dbt_env(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    if (project / "packages.yml").exists():
        subprocess.run([str(dbt), "deps", "--quiet", *args], cwd=project, env=env, check=True)
    subprocess.run([str(dbt), "parse", "--quiet", *args], cwd=project, env=env, check=True)
    (target / STAMP).write_text(f"{project}\n")


def main(argv: list[str] | None = None) -> int:
    """Prepare every stale dbt project of the repo (or the ones named)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("projects", nargs="*", type=Path, help="default: every project")
    args = parser.parse_args(argv)
    for project in [p.resolve() for p in args.projects] or dbt_projects(find_repo_root()):
        reason = is_stale(project)
        if reason is None:
            continue
        started = time.perf_counter()
        print(f"dbt parse {os.path.relpath(project)} ({reason})", flush=True)
        try:
            prepare(project)
        except subprocess.CalledProcessError as exc:
            print(f"dbt failed on {project}: exit {exc.returncode}", file=sys.stderr)
            return 1
        print(f"   done in {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
