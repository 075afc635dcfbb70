"""The demo's SQLite instance skips fsync; nothing else about SQLite changes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
import dagster as dg
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool
from fernway_devtools import sqlite_instance

# a connection per use, as Dagster's SQLite storage opens them
engine = create_engine(f"sqlite:///{sys.argv[1]}/plain.db", poolclass=NullPool)
with engine.connect() as con:
    before = sqlite_instance.synchronous_setting(con)
sqlite_instance.relax_fsync()
sqlite_instance.relax_fsync()  # twice: one listener
with engine.connect() as con:
    after = sqlite_instance.synchronous_setting(con)
with dg.DagsterInstance.local_temp(sys.argv[1]) as instance:
    instance.report_runless_asset_event(dg.AssetMaterialization("x"))
    recorded = instance.get_latest_materialization_event(dg.AssetKey("x")) is not None
print(before, after, recorded)
"""


def test_relax_fsync_turns_synchronous_off_and_the_instance_still_records(tmp_path: Path) -> None:
    # a fresh interpreter: the listener is process-wide and must not leak into other tests
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["2", "0", "True"]  # FULL before, OFF after, events still stored
