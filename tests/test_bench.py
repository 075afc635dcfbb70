"""The bench harness at a tiny scale, so it cannot rot unnoticed: figures run, both sides recorded.

No timing is asserted: only that each figure was measured and holds its raw numbers. The daily
chain's figure (`run_overhead_chain_ratio`) is left out: its run builds every dbt model and starts
Spark (~2 minutes here), which `make test` cannot afford; it shares the rest of the code.
"""

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

LOCATIONS = {"analytics", "weather", "ml", "growth", "couriers"}
FIGURES = ("run_overhead_ratio", "definitions_load_ratio")


def test_bench_measures_run_overhead_and_definitions_load_with_both_sides(tmp_path):
    out = tmp_path / "results.json"
    env = {**os.environ, "BENCH_WORK_DIR": str(tmp_path / "work")}
    subprocess.run(
        [sys.executable, "bench/run.py", "--only", *FIGURES, "--scale", "2000", "--repeats", "1",
         "--out", str(out)],
        cwd=ROOT, env=env, check=True, timeout=600,
    )  # fmt: skip
    results = json.loads(out.read_text())

    for name in FIGURES:
        assert results[name]["value"] > 0, results[name]
        assert name in results["summary"]
    partition = results["run_overhead_ratio"]
    assert partition["run"]["seconds"] > 0
    assert partition["import_dagster"]["seconds"] > 0
    assert partition["rows_verified"]  # the bench fails when the day's rows differ from the truth
    assert partition["run"]["materialized"] == ["raw/marketplace_orders"]
    assert partition["run"]["check_evaluations"] >= 2  # reconciliation + rejected records
    assert partition["executor"] in {"in_process", "multiprocess", "celery"}

    loads = results["definitions_load_ratio"]
    assert set(loads["locations"]) == LOCATIONS
    for location in loads["locations"].values():
        assert location["ratio"] > 0
        assert location["definitions_validate"]["seconds"] > 0
        assert location["import_dagster"]["seconds"] > 0
    assert {"run_overhead_ratio", "definitions_load_ratio"} <= {
        name for name, entry in results["summary"].items() if "met" in entry
    }
