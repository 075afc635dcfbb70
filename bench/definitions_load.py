"""Figure 7: `dagster definitions validate` of each location ÷ `import dagster`, same venv.

Runs from the driver (root env); each location's own `dagster` CLI and interpreter, cwd its
project folder, with a scratch FERNWAY_DATA_DIR and DAGSTER_HOME under bench/.work.
"""

from __future__ import annotations

import os
import statistics
from typing import Any

from common import (
    LOCATIONS,
    ROOT,
    WORK,
    dagster_home,
    env_versions,
    import_dagster_s,
    location_python,
    log,
    wall_seconds,
)


def location(name: str, repeats: int) -> dict[str, Any]:
    """Alternate `import dagster` and `definitions validate` `repeats` times; medians and ratio."""
    folder = WORK / "definitions_load" / name
    env = {
        **os.environ,
        "FERNWAY_DATA_DIR": str(folder / "data"),
        "DAGSTER_HOME": str(dagster_home(folder / "dagster_home")),
    }
    python, cwd, log_file = location_python(name), ROOT / "projects" / name, folder / "run.log"
    log_file.unlink(missing_ok=True)
    module = f"fernway_{name}.definitions"
    validate = [str(python.parent / "dagster"), "definitions", "validate", "-m", module]
    imports, loads = [], []  # alternating; a median of 3 or more leaves out a cold first sample
    for _ in range(repeats):
        imports.append(import_dagster_s(python, env, cwd, log_file))
        loads.append(wall_seconds(validate, env, cwd, log_file))
    floor, seconds = statistics.median(imports), statistics.median(loads)
    log(f"definitions_load: {name} {seconds:.2f}s / import dagster {floor:.2f}s")
    return {
        "ratio": seconds / floor,
        "definitions_validate": {"seconds": seconds, "samples_s": loads},
        "import_dagster": {"seconds": floor, "samples_s": imports},
        "versions": env_versions(python),
    }


def run(repeats: int) -> dict[str, Any]:
    """Every location; the figure is the worst location's ratio."""
    found = {name: location(name, repeats) for name in LOCATIONS}
    worst = max(found, key=lambda name: found[name]["ratio"])
    return {
        "definitions_load_ratio": found[worst]["ratio"],
        "target": "<= 2.0 for every location",
        "worst_location": worst,
        "repeats": repeats,
        "command": "dagster definitions validate -m fernway_<location>.definitions",
        "locations": found,
    }
