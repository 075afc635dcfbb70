"""Shared bench helpers: paths, progress lines, timing, JSON results and a temp Dagster home."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# scratch for every piece; the harness test points it at its own tmp dir
WORK = Path(os.environ.get("BENCH_WORK_DIR") or ROOT / "bench" / ".work").resolve()
ANALYTICS_PYTHON = ROOT / "projects" / "analytics" / ".venv" / "bin" / "python"
WEATHER_PYTHON = ROOT / "projects" / "weather" / ".venv" / "bin" / "python"
GROWTH_PYTHON = ROOT / "projects" / "growth" / ".venv" / "bin" / "python"
ANALYTICS_DIR = ROOT / "projects" / "analytics"
LOCATIONS = ("analytics", "weather", "ml", "growth", "couriers")
SEED = 42
DAYS = 92


def log(message: str) -> None:
    """One progress line on stdout, flushed so the driver shows it live."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


@contextmanager
def stopwatch(into: dict[str, float], name: str) -> Iterator[None]:
    """Add the wall seconds spent in the block to `into[name]`."""
    started = time.perf_counter()
    try:
        yield
    finally:
        into[name] = into.get(name, 0.0) + time.perf_counter() - started


def rounded(value: Any, digits: int = 3) -> Any:
    """Floats rounded (recursively) for a readable results file."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v, digits) for v in value]
    return value


def write_json(path: Path, data: Any) -> None:
    """Write `data` as indented JSON, creating the parent directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rounded(data), indent=2, default=str) + "\n")


def dagster_home(path: Path) -> Path:
    """A fresh DAGSTER_HOME under bench/.work with the platform's instance (SQLite) rendered."""
    from fernway_devtools.instance import write_instance

    if WORK not in path.resolve().parents:
        raise ValueError(f"{path} is not under {WORK}")
    shutil.rmtree(path, ignore_errors=True)  # no runs left over from an earlier bench
    write_instance(path, ROOT / "dagster.yaml", postgres=False)
    return path


def in_fresh_process(script: str, args: list[str], out: Path) -> dict[str, Any]:
    """Run `script` with this interpreter in a new process (cold, like a Dagster run worker)."""
    out.unlink(missing_ok=True)
    subprocess.run([sys.executable, script, *args, "--out", str(out)], check=True)
    return json.loads(out.read_text())


def location_python(location: str) -> Path:
    """The interpreter of a location's own environment (`projects/<location>/.venv`)."""
    return ROOT / "projects" / location / ".venv" / "bin" / "python"


def wall_seconds(cmd: list[str], env: dict[str, str], cwd: Path, log_file: Path) -> float:
    """Wall seconds of one process (output appended to `log_file`); fails loudly."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("a") as out:
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env, stdout=out, stderr=out, check=True)
        return time.perf_counter() - t0


def import_dagster_s(python: Path, env: dict[str, str], cwd: Path, log_file: Path) -> float:
    """The floor of any Dagster process: `python -c "import dagster"` in that environment."""
    return wall_seconds([str(python), "-c", "import dagster"], env, cwd, log_file)


def env_versions(python: Path) -> dict[str, str]:
    """`versions()` of another environment, asked of its own interpreter."""
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); "
        "from common import versions; print(json.dumps(versions()))"
    )
    found = subprocess.run(
        [str(python), "-c", code, str(ROOT / "bench")], capture_output=True, text=True, check=True
    )
    return json.loads(found.stdout)


def versions() -> dict[str, str]:
    """Python and library versions of the running interpreter."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": sys.version.split()[0]}
    for package in ("duckdb", "dagster", "dagster-dbt", "dbt-core", "dbt-duckdb", "httpx"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found
