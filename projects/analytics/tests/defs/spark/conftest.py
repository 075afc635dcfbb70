"""A Spark Connect server for the session, started from the installed pyspark wheel.

`sbin/start-connect-server.sh` daemonizes the server; its pid file, log and configuration live
in a scratch directory (nothing read from or written to the wheel's SPARK_HOME), and the server
runs the same local Spark as the location's local session, bound to a free loopback port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyspark
import pytest

from fernway_analytics.defs.spark.resources import LOCAL_SPARK
from fernway_devtools.java import find_java
from fernway_devtools.pytest_plugin import in_ci

SPARK_HOME = Path(pyspark.__file__).parent
START_TIMEOUT_S = 300.0  # ~20 s on an idle 2-core machine; minutes when the suite loads it
STOP_TIMEOUT_S = 60.0
IDENT = "fernway-tests"


@dataclass(frozen=True)
class ConnectServer:
    """A running Spark Connect server: its `sc://` URL, log file and process id."""

    url: str
    log: Path
    pid: int
    started_in_s: float

    def log_text(self) -> str:
        """Everything the server logged so far."""
        return self.log.read_text(errors="replace")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def accepts(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:`port`."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def alive(pid: int) -> bool:
    """Whether process `pid` still runs (the daemon is not our child: no waitpid)."""
    return Path(f"/proc/{pid}").exists()


def server_env(scratch: Path, java_home: Path) -> dict[str, str]:
    """The environment the wheel's scripts read: every path inside `scratch`."""
    return {
        **os.environ,
        "SPARK_HOME": str(SPARK_HOME),
        "SPARK_CONF_DIR": str(scratch / "conf"),
        "SPARK_LOG_DIR": str(scratch / "logs"),
        "SPARK_PID_DIR": str(scratch / "pids"),
        "SPARK_IDENT_STRING": IDENT,
        "SPARK_LOCAL_IP": "127.0.0.1",
        "JAVA_HOME": str(java_home),
    }


def write_config(conf_dir: Path, scratch: Path, port: int) -> None:
    """spark-defaults.conf: the location's local Spark, served by Spark Connect on `port`."""
    settings = {
        **LOCAL_SPARK,
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(port),
        "spark.local.dir": str(scratch / "local"),
        "spark.sql.warehouse.dir": str(scratch / "spark-warehouse"),
    }
    conf_dir.mkdir(parents=True)
    (conf_dir / "spark-defaults.conf").write_text(
        "".join(f"{key} {value}\n" for key, value in settings.items())
    )


def stop(env: dict[str, str], pid: int) -> None:
    """stop-connect-server.sh (SIGTERM to the pid it wrote), then SIGKILL if it lingers."""
    script = SPARK_HOME / "sbin" / "stop-connect-server.sh"
    subprocess.run(["bash", str(script)], env=env, capture_output=True, timeout=60, check=False)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if alive(pid):
        os.kill(pid, signal.SIGKILL)


def tail(log: Path, lines: int = 40) -> str:
    """The last lines of the server's log, for error messages."""
    if not log.exists():
        return f"(no log at {log})"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def spark_connect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectServer]:
    """A Spark Connect server on a free loopback port for the whole session, stopped after.

    Without a JVM 17+ this skips, unless CI is set (then it fails).
    """
    found = find_java()
    if found is None:
        reason = "no JVM 17+ found for the Spark Connect server"
        if in_ci():
            pytest.fail(f"{reason} (CI is set, so Spark Connect tests must run)")
        pytest.skip(f"{reason} (set CI to turn this skip into a failure)")
    java_home = Path(os.path.realpath(found[0])).parent.parent
    scratch = tmp_path_factory.mktemp("spark-connect")
    port = free_port()
    write_config(scratch / "conf", scratch, port)
    env = server_env(scratch, java_home)
    started = time.monotonic()
    script = SPARK_HOME / "sbin" / "start-connect-server.sh"
    launch = subprocess.run(
        ["bash", str(script)], env=env, cwd=scratch, capture_output=True, text=True, timeout=120
    )
    pid_files = list((scratch / "pids").glob("*.pid"))
    logs = list((scratch / "logs").glob("*.out"))
    if launch.returncode != 0 or len(pid_files) != 1 or len(logs) != 1:
        pytest.fail(
            f"start-connect-server.sh failed (exit {launch.returncode}):\n"
            f"{launch.stdout}{launch.stderr}",
            pytrace=False,
        )
    pid, log = int(pid_files[0].read_text()), logs[0]
    try:
        while not accepts(port):
            waited = time.monotonic() - started
            if not alive(pid) or waited > START_TIMEOUT_S:
                state = "exited" if not alive(pid) else f"not listening after {waited:.0f} s"
                pytest.fail(
                    f"Spark Connect server (pid {pid}, port {port}) {state}; "
                    f"last lines of {log}:\n{tail(log)}",
                    pytrace=False,
                )
            time.sleep(0.5)
        url = f"sc://127.0.0.1:{port}"
        yield ConnectServer(url, log, pid, round(time.monotonic() - started, 1))
    finally:
        stop(env, pid)
