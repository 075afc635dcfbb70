"""The analytics code location: composes everything under defs/."""

from pathlib import Path

import dagster as dg

from fernway_core.executors import with_executor
from fernway_core.kinds import with_warehouse_kind
from fernway_core.settings import validate_settings


@dg.definitions
def defs() -> dg.Definitions:
    """Check every setting (a bad one stops the load in one line), then load the defs folder.

    Kinds name the configured warehouse; jobs run on the configured executor.
    """
    validate_settings()
    defs = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    return with_executor(with_warehouse_kind(defs))
