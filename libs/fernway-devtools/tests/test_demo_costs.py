"""Where the demo's time went: CPU of a location's process and its children, and the summary."""

import subprocess
import sys

import pytest

from fernway_devtools.materialize import cpu_seconds
from fernway_devtools.summary import print_costs

BURN = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"


def test_cpu_seconds_include_the_children_a_location_waited_for() -> None:
    before = cpu_seconds()
    subprocess.run([sys.executable, "-c", BURN], check=True)  # as dbt or Spark's JVM would
    assert cpu_seconds() - before >= 0.3


def test_costs_are_listed_by_cpu_with_the_machine_budget(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def cost(wall: float, cpu: float, waited: float) -> dict:
        return {"wall_seconds": wall, "cpu_seconds": cpu, "waited_seconds": waited}

    reports = {
        "weather": {"runs": [], "cost": cost(60, 40, 20)},
        "analytics": {"runs": [], "cost": cost(50, 70, 0)},
        "drill": {"runs": []},  # a report without costs is left out
    }
    print_costs(reports, seconds=100)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("== Time per location: CPU 110 s in all of ")
    assert [line.split()[0] for line in lines[1:]] == ["analytics", "weather"]
    assert "waiting for other locations  20.0 s" in lines[2]
