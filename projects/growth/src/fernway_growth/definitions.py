"""The growth code location: composes everything under defs/."""

from pathlib import Path

import dagster as dg

from fernway_core.executors import with_executor
from fernway_core.kinds import with_warehouse_kind
from fernway_core.settings import validate_settings
from fernway_growth.defs.freshness.automation import with_freshness_automation


@dg.definitions
def defs() -> dg.Definitions:
    """Check every setting (a bad one stops the load in one line), then load the defs folder.

    Kinds name the configured warehouse; the freshness targets' upstream chains get the
    freshness automation; jobs run on the configured executor.
    """
    validate_settings()
    defs = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    return with_executor(with_freshness_automation(with_warehouse_kind(defs)))
