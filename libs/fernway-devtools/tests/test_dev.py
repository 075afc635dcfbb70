"""`make dev`'s driver: the last demo's sandbox beside `dagster dev` locally, none in prod.

`dagster dev` itself is replaced by a probe of the environment it would get; the root
`tests/test_workspace.py` runs the whole command.
"""

import datetime as dt
import json
import signal
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from fernway_devtools import dev
from fernway_devtools.sandbox import RECORDED_KNOBS, Knobs, record_knobs
from fernway_sandbox.config import DEFAULTS

DEMO = Knobs(seed=7, scale=500, start=dt.date(2026, 3, 1), days=5, weather_calls_per_minute=600)


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict]]:
    """What each `dagster dev` would have been given: its command, its env, the sandbox's truth."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    seen: list[dict] = []

    def serve(command: list[str], root: Path, env: dict[str, str]) -> int:
        truth = None
        if "FERNWAY_SANDBOX_CONTROL_URL" in env:
            with urllib.request.urlopen(env["FERNWAY_SANDBOX_CONTROL_URL"] + "/truth") as answer:
                truth = json.loads(answer.read())
        seen.append({"command": command, "env": env, "truth": truth})
        return 0

    monkeypatch.setattr(dev, "serve", serve)
    yield seen
    for sig, handler in handlers.items():  # main() installs its own
        signal.signal(sig, handler)


def test_the_last_demos_knobs_are_served_again(tmp_path):
    record_knobs(DEMO, tmp_path / RECORDED_KNOBS)
    assert dev.knobs_to_serve(tmp_path)[0] == DEMO


def test_before_any_demo_make_sandboxs_defaults_are_served(platform_env):
    knobs, _ = dev.knobs_to_serve(platform_env)
    assert knobs.seed == DEFAULTS["seed"]
    assert knobs.scale == DEFAULTS["scale"]
    assert knobs.weather_calls_per_minute == DEFAULTS["weather_calls_per_minute"]
    assert knobs.end == dt.datetime.now(dt.UTC).date()


def test_locally_dagster_dev_runs_beside_the_last_demos_sandbox(platform_env, probe, monkeypatch):
    monkeypatch.setenv("FERNWAY_ENV", "local")
    record_knobs(DEMO, platform_env / RECORDED_KNOBS)
    assert dev.main(["-h", "127.0.0.1", "-p", "3999"]) == 0
    (served,) = probe
    assert served["command"][1:] == ["dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", "3999"]
    truth, env = served["truth"], served["env"]
    assert (truth["seed"], truth["scale"], truth["start"]) == (7, 500, "2026-03-01")
    assert env["FERNWAY_ALERT_SINK"] == "slack"
    assert (env["FERNWAY_START_DATE"], env["FERNWAY_DAYS"]) == ("2026-03-01", "5")
    assert env["FERNWAY_WEATHER_CALLS_PER_MINUTE"] == "600"
    # stopped with `dagster dev`
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(env["FERNWAY_SANDBOX_CONTROL_URL"] + "/health", timeout=5)


@pytest.mark.parametrize(
    ("fernway_env", "flags"), [("prod", []), ("local", ["--no-sandbox"])], ids=["prod", "flag"]
)
def test_in_prod_or_when_asked_no_sandbox_is_started(
    platform_env, probe, monkeypatch, fernway_env, flags
):
    monkeypatch.setenv("FERNWAY_ENV", fernway_env)
    monkeypatch.setenv("FERNWAY_WAREHOUSE_URL", f"duckdb:///{platform_env}/warehouse.duckdb")
    monkeypatch.delenv("FERNWAY_ALERT_SINK", raising=False)
    record_knobs(DEMO, platform_env / RECORDED_KNOBS)
    assert dev.main(["-h", "127.0.0.1", "-p", "3999", *flags]) == 0
    (served,) = probe
    assert served["truth"] is None
    assert "FERNWAY_ALERT_SINK" not in served["env"]
