"""The sandbox in its own process (`python -m fernway_sandbox serve`), on free ports."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import DAYS, SEED, log

READY_TIMEOUT_S = 600


@dataclass(frozen=True)
class RunningSandbox:
    """What a started sandbox advertises: its env vars, URLs, pid and ground truth."""

    env: dict[str, str]
    urls: dict[str, str]
    pid: int
    truth: dict[str, Any]

    @property
    def window(self) -> tuple[dt.date, dt.date]:
        """(start, end) of the served window, end exclusive."""
        return dt.date.fromisoformat(self.truth["start"]), dt.date.fromisoformat(self.truth["end"])


def _command(scale: int, start: dt.date, folder: Path) -> list[str]:
    from fernway_sandbox.services import REGISTRY

    ports = [arg for name in REGISTRY for arg in (f"--port-{name}", "0")]
    return [
        sys.executable, "-m", "fernway_sandbox", "serve",
        "--seed", str(SEED), "--scale", str(scale),
        "--start", start.isoformat(), "--days", str(DAYS),
        "--truth", str(folder / "truth.json"), "--ready-file", str(folder / "ready.json"),
        *ports,
    ]  # fmt: skip


@contextmanager
def running_sandbox(scale: int, folder: Path) -> Iterator[RunningSandbox]:
    """Start the sandbox (window ends today, UTC), wait for its ready file, stop it on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    ready = folder / "ready.json"
    ready.unlink(missing_ok=True)
    start = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=DAYS)
    log(f"sandbox: serving {scale:,} orders over {DAYS} days from {start} (separate process)")
    with (folder / "sandbox.log").open("w") as out:
        proc = subprocess.Popen(_command(scale, start, folder), stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not ready.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"sandbox did not start; see {folder / 'sandbox.log'}")
            time.sleep(0.2)
        info = json.loads(ready.read_text())
        truth = json.loads((folder / "truth.json").read_text())
        yield RunningSandbox(info["env"], info["urls"], info["pid"], truth)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
