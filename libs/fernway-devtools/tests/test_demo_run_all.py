"""The demo's scheduler (a failed location stops only its readers) and its world check."""

import datetime as dt
import sys
from pathlib import Path

from fernway_devtools.demo import Task, run_all
from fernway_devtools.sandbox import Knobs, other_world


def script_task(tmp_path: Path, name: str, needs: str, then: str) -> Task:
    """A task whose process says what it reads, then runs `then` (Python)."""
    code = f"print('@progress needs from other locations: {needs}', flush=True)\n{then}"
    return Task(name, name, [sys.executable, "-c", code], tmp_path / f"{name}.log")


def test_a_failed_location_stops_its_readers_and_not_the_others(tmp_path: Path) -> None:
    # run_all starts each process in <root>/projects/<location>
    for name in ("base", "reader", "leaf"):
        (tmp_path / "projects" / name).mkdir(parents=True)
    tasks = [
        script_task(tmp_path, "base", "nothing", "import time; time.sleep(1); raise SystemExit(3)"),
        script_task(tmp_path, "reader", "base", "import time; time.sleep(60)"),
        script_task(tmp_path, "leaf", "nothing", "import time; time.sleep(3)"),
    ]
    codes = run_all(tasks, tmp_path, {})
    assert codes["base"] == 3
    assert codes["reader"] != 0  # stopped: what it reads can never be built
    assert codes["leaf"] == 0  # reads nothing from base: it finished its work


def test_a_failed_leaf_stops_nothing(tmp_path: Path) -> None:
    for name in ("base", "leaf"):
        (tmp_path / "projects" / name).mkdir(parents=True)
    tasks = [
        script_task(tmp_path, "leaf", "nothing", "raise SystemExit(2)"),
        script_task(tmp_path, "base", "nothing", "import time; time.sleep(2)"),
    ]
    codes = run_all(tasks, tmp_path, {})
    assert codes == {"leaf": 2, "base": 0}


NICE = "import os, time; time.sleep(2); print('nice', os.nice(0), flush=True)"


def test_what_nothing_reads_is_niced_while_what_others_read_goes_first(tmp_path: Path) -> None:
    for name in ("base", "reader", "leaf"):
        (tmp_path / "projects" / name).mkdir(parents=True)
    tasks = [  # each process records its own nice value
        script_task(tmp_path, "base", "nothing", NICE),
        script_task(tmp_path, "reader", "base", NICE),
        script_task(tmp_path, "leaf", "nothing", NICE),
    ]
    assert run_all(tasks, tmp_path, {}) == {"base": 0, "reader": 0, "leaf": 0}
    logs = {t.name: t.log.read_text() for t in tasks}
    assert "nice 0" in logs["base"]  # another task reads it
    assert "nice 19" in logs["reader"]  # nothing reads it
    assert "nice 19" in logs["leaf"]  # nothing reads it


def test_the_last_task_loads_meanwhile_goes_on_alone_and_none_it_waits_for_is_niced(
    tmp_path: Path,
) -> None:
    for name in ("base", "leaf", "catalog"):
        (tmp_path / "projects" / name).mkdir(parents=True)
    go = tmp_path / "catalog.go"
    ended = "import time; print('ended', time.time(), flush=True)"
    last = (  # the catalog: starts, waits for its go file, then works
        f"import os, pathlib, time\nprint('started', time.time(), flush=True)\n"
        f"while not pathlib.Path({str(go)!r}).exists(): time.sleep(0.05)\n"
        "print('went on', time.time(), 'nice', os.nice(0), flush=True)"
    )
    tasks = [
        script_task(tmp_path, "base", "nothing", f"{NICE}\n{ended}"),
        script_task(tmp_path, "leaf", "nothing", f"{NICE}\n{ended}"),
        script_task(tmp_path, "catalog", "base", last),
    ]
    tasks[2].last, tasks[2].go_file = True, go
    codes = run_all(tasks, tmp_path, {})
    assert codes == {"base": 0, "leaf": 0, "catalog": 0}
    logs = {t.name: t.log.read_text() for t in tasks}
    # the last task reads what every other built: all of them are on the path to the end
    assert "nice 0" in logs["base"]
    assert "nice 0" in logs["leaf"]
    assert "nice 0" in logs["catalog"]
    # it started while the others ran and went on only once both had ended
    times = {
        name: float(log.split("ended ")[1].split()[0])
        for name, log in logs.items()
        if name != "catalog"
    }
    started = float(logs["catalog"].split("started ")[1].split()[0])
    went_on = float(logs["catalog"].split("went on ")[1].split()[0])
    assert started < min(times.values())
    assert went_on >= max(times.values())


def test_a_last_task_waiting_for_what_finished_well_is_not_stopped(tmp_path: Path) -> None:
    for name in ("base", "catalog"):
        (tmp_path / "projects" / name).mkdir(parents=True)
    waits = (
        "import time; print('@progress waiting for base/x (other locations)', flush=True); "
        "time.sleep(1.5); print('@progress upstream ready after 1 s', flush=True)"
    )
    tasks = [
        script_task(tmp_path, "base", "nothing", "pass"),
        script_task(tmp_path, "catalog", "base", waits),
    ]
    tasks[1].last = True
    assert run_all(tasks, tmp_path, {}) == {"base": 0, "catalog": 0}


def test_another_seed_scale_or_window_length_is_another_world() -> None:
    first = Knobs(42, 100_000, dt.date(2026, 9, 1), 92, 600)
    assert other_world(None, first) is None
    next_day = Knobs(42, 100_000, dt.date(2026, 9, 2), 92, 60)
    assert other_world(first, next_day) is None
    smaller = Knobs(42, 20_000, dt.date(2026, 9, 30), 63, 600)
    assert other_world(first, smaller) == "scale 100000 -> 20000, days 92 -> 63"
