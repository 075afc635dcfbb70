"""The command line: serve in the foreground until SIGTERM, write truth, report config errors."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from fernway_sandbox import Sandbox
from fernway_sandbox.pytest_plugin import SMALL
from fernway_sandbox.services import REGISTRY

SMALL_ARGS = ["--scale", "5000", "--days", "10", "--start", "2026-08-01"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fernway_sandbox", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "sandbox did not become ready"
        time.sleep(0.1)
    return json.loads(path.read_text())


def test_serve_runs_until_sigterm_and_put_export_reaches_it(tmp_path):
    ready, truth = tmp_path / "ready.json", tmp_path / "truth.json"
    ports = [arg for name in REGISTRY for arg in (f"--port-{name}", "0")]
    cmd = [
        sys.executable,
        "-m",
        "fernway_sandbox",
        "serve",
        *SMALL_ARGS,
        *ports,
        "--truth",
        str(truth),
        "--ready-file",
        str(ready),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = wait_for(ready, proc)
        urls = info["urls"]
        assert set(urls) == {
            "marketplace",
            "s3",
            "control",
            "weather",
            "slack",
            "github",
            "couriers",
            "datahub",
        }
        assert info["env"]["FERNWAY_MARKETPLACE_URL"] == urls["marketplace"]
        assert info["env"]["FERNWAY_WEATHER_URL"] == urls["weather"]
        assert info["env"]["FERNWAY_SLACK_BASE_URL"] == urls["slack"] + "/api/"
        assert info["env"]["FERNWAY_GITHUB_URL"] == urls["github"]
        assert info["env"]["FERNWAY_COURIERS_URL"] == urls["couriers"]
        assert info["env"]["FERNWAY_DATAHUB_GMS_URL"] == urls["datahub"]
        assert info["env"]["FERNWAY_S3_TIMESHEETS_BUCKET"] == "fernway-courier-timesheets"
        headers = {"Authorization": f"Bearer {info['env']['FERNWAY_MARKETPLACE_TOKEN']}"}
        assert httpx.get(urls["marketplace"] + "/v1/cities", headers=headers).status_code == 200
        assert json.loads(truth.read_text())["s3"]["partner_orders"]["files"] == 10
        put = run("put-export", "--control", urls["control"], "--day", "2026-08-11", "--rows", "3")
        assert put.returncode == 0, put.stderr
        assert "partner_orders_20260811.parquet" in put.stdout
        assert json.loads(truth.read_text())["s3"]["partner_orders"]["files"] == 11
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert urls["marketplace"] in out
    assert f"FERNWAY_COURIERS_URL={urls['couriers']}" in out
    assert "FERNWAY_DATAHUB_TOKEN=sandbox-datahub-token" in out
    assert "Traceback" not in err
    assert not ready.exists()
    for url in urls.values():
        try:
            httpx.get(url, timeout=2)
            raise AssertionError(f"{url} still answers after shutdown")
        except httpx.TransportError:
            pass


def test_config_errors_are_one_line_on_stderr_with_exit_code_2():
    for args in (
        ["serve", "--days", "0"],
        ["truth", "--start", "soon"],
        ["serve", "--faults", "x"],
    ):
        result = run(*args)
        assert result.returncode == 2, args
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_truth_command_writes_the_same_truth_as_the_python_api(tmp_path):
    target = tmp_path / "truth.json"
    result = run("truth", *SMALL_ARGS, "--truth", str(target))
    assert result.returncode == 0, result.stderr
    assert json.loads(target.read_text()) == Sandbox(SMALL).truth


def test_the_timesheet_corrupt_knob_reaches_the_truth():
    result = run("truth", *SMALL_ARGS, "--timesheet-corrupt-files", "3")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["s3"]["timesheets"]["corrupt"]) == 3
    negative = run("truth", *SMALL_ARGS, "--timesheet-corrupt-files", "-1")
    assert negative.returncode == 2
    assert "timesheet_corrupt_files must be a non-negative integer" in negative.stderr


def test_faults_come_from_env_and_cli_flags_override_them():
    env = {"FERNWAY_SANDBOX_FAULTS_MARKETPLACE": "malformed_rate=0.02"}
    from_env = json.loads(run("truth", *SMALL_ARGS, env=env).stdout)
    expected = Sandbox(dataclasses.replace(SMALL, faults={"marketplace": "malformed_rate=0.02"}))
    assert from_env["malformed"] == expected.truth["malformed"]
    assert from_env["malformed"]
    overridden = run("truth", *SMALL_ARGS, "--faults", "marketplace:malformed_rate=0", env=env)
    assert json.loads(overridden.stdout)["malformed"] == []
