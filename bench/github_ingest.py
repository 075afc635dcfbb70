"""github_ingest_efficiency: rows/s of the growth load (Dagster + dlt) / a bare httpx loop.

Runs with the growth location's interpreter. The GitHub sandbox runs in its own process (its
rate limits raised so neither side waits on them: the figure is about the pipeline). Both
sides read the same pages (repositories, every stargazer page with star+json, releases;
per_page=100); the bare loop only parses the JSON, the growth load types the rows into Arrow,
validates, extracts, normalizes and merges them into a fresh DuckDB inside a Dagster run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from common import WORK, dagster_home, log, write_json

STAR_JSON = "application/vnd.github.star+json"
LIMIT = 10_000_000


def serve(scale: int, ready: Path) -> None:
    """The GitHub sandbox only, limits raised; writes its env to `ready`, serves until killed."""
    from fernway_sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(
        scale=scale,
        services=("github",),
        github_rate_limit=LIMIT,
        github_secondary_per_minute=LIMIT,
    )
    sandbox = Sandbox(config).start()
    ready.write_text(json.dumps({"env": sandbox.env(), "truth": sandbox.truth["github"]}))
    while True:
        time.sleep(3600)


def bare_loop(env: dict[str, str]) -> dict[str, Any]:
    """Every page with httpx, following `Link: rel="next"`; rows counted, nothing stored."""
    headers = {"Authorization": f"Bearer {env['FERNWAY_GITHUB_TOKEN']}"}
    rows = requests = 0
    started = time.perf_counter()
    with httpx.Client(base_url=env["FERNWAY_GITHUB_URL"], headers=headers, timeout=60) as http:
        for repo in env["FERNWAY_GITHUB_REPOS"].split(","):
            http.get(f"/repos/{repo}").raise_for_status().json()
            rows += 1
            requests += 1
            for path, accept in (
                (f"/repos/{repo}/stargazers", STAR_JSON),
                (f"/repos/{repo}/releases", None),
            ):
                extra = {"Accept": accept} if accept else {}
                response = http.get(
                    path, params={"per_page": 100}, headers=extra
                ).raise_for_status()
                rows += len(response.json())
                requests += 1
                while "next" in response.links:
                    response = http.get(response.links["next"]["url"], headers=extra)
                    rows += len(response.raise_for_status().json())
                    requests += 1
    seconds = time.perf_counter() - started
    return {"rows": rows, "requests": requests, "seconds": seconds, "rows_per_s": rows / seconds}


def growth_load(env: dict[str, str]) -> dict[str, Any]:
    """One run of `github_load_job` in process (as the demo runs it) into a fresh DuckDB."""
    data_dir = Path(tempfile.mkdtemp(dir=WORK, prefix="github-"))
    os.environ.update(env)
    os.environ["FERNWAY_DATA_DIR"] = str(data_dir)
    os.environ["FERNWAY_ENV_FILE"] = ""
    os.environ["DAGSTER_HOME"] = str(dagster_home(WORK / "github_dagster_home"))
    import dagster as dg

    from fernway_devtools.locations import load_location

    started = time.perf_counter()
    defs = load_location("fernway_growth.definitions")
    loaded = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        job = defs.resolve_job_def("github_load_job")
        result = job.execute_in_process(instance=instance)
    seconds = time.perf_counter() - loaded
    meta = {
        m.asset_key.path[-1]: {k: v.value for k, v in m.metadata.items()}
        for m in result.asset_materializations_for_node("github")
    }
    rows = sum(m["rows_read"] for m in meta.values())
    stages = {
        k.removeprefix("seconds_"): v
        for k, v in meta["stargazers"].items()
        if k.startswith("seconds_")
    }
    stages["dagster_and_checks"] = seconds - sum(stages.values())
    return {
        "rows": rows,
        "rows_loaded": {name: m["dagster/row_count"] for name, m in meta.items()},
        "seconds": seconds,
        "definitions_load_s": loaded - started,
        "rows_per_s": rows / seconds,
        "where_time_goes_s": stages,
    }


def main() -> int:
    """Serve, or measure both sides against one sandbox and write the figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stars", type=int, default=200_000)
    parser.add_argument("--serve-scale", type=int)
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.serve_scale:
        serve(args.serve_scale, args.ready)
        return 0
    scale = int(args.stars / 0.04 / 0.92) + 1  # scale x 0.04 stars, ~8% of them unstarred
    WORK.mkdir(parents=True, exist_ok=True)
    ready = WORK / "github_ready.json"
    ready.unlink(missing_ok=True)
    log(f"github: sandbox with ~{args.stars:,} stars (scale {scale:,}) in its own process")
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve-scale", str(scale), "--ready", str(ready)]
    )
    try:
        while not ready.exists():
            if proc.poll() is not None:
                raise RuntimeError("the GitHub sandbox did not start")
            time.sleep(0.5)
        served = json.loads(ready.read_text())
        env = served["env"]
        stars = sum(r["stargazers_count"] for r in served["truth"]["repos"].values())
        log("github: bare httpx loop")
        bare = bare_loop(env)
        log(f"github: bare loop {bare['rows']:,} rows in {bare['seconds']:.1f} s; growth load")
        growth = growth_load(env)
        log(f"github: growth load {growth['rows']:,} rows in {growth['seconds']:.1f} s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    if growth["rows"] != bare["rows"]:
        raise RuntimeError(f"the two sides read different rows: {growth['rows']} vs {bare['rows']}")
    write_json(
        args.out,
        {
            "github_ingest_efficiency": growth["rows_per_s"] / bare["rows_per_s"],
            "target": ">= 0.7",
            "stars": stars,
            "baseline_httpx": bare,
            "growth_dagster_dlt": growth,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
