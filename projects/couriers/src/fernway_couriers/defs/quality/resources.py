"""The GX project and the quality-alert inbox, both under the platform's data dir."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
from pydantic import Field

from fernway_core.settings import get_settings

if TYPE_CHECKING:
    import pyarrow as pa

    from fernway_couriers.defs.quality.checkpoints import CheckpointOutcome
    from fernway_couriers.defs.quality.marts import Mart


class GreatExpectations(dg.ConfigurableResource):
    """Runs a mart's GX checkpoint in the file context at `<project_root_dir>/gx/`."""

    project_root_dir: str = Field(description="Directory that holds the GX project (`gx/`).")

    def run_checkpoint(self, mart: Mart, rows: pa.Table, run_name: str) -> CheckpointOutcome:
        """Validate the mart's rows with its suite and rebuild the Data Docs."""
        from fernway_couriers.defs.quality.checkpoints import run_checkpoint  # GX: ≈ 10 s

        return run_checkpoint(Path(self.project_root_dir), mart, rows, run_name)


class QualityAlertInbox(dg.ConfigurableResource):
    """The folder where alert files are dropped; handled ones move to `processed/` or
    `rejected/` (with a `<file>.reason` beside a refused one)."""

    directory: str = Field(description="The inbox; `processed/` and `rejected/` inside it.")
    settle_seconds: float = Field(
        default=5.0,
        description="A file modified more recently than this is left for the next tick "
        "(a writer may not be done); drop files by writing elsewhere and renaming in.",
    )

    @property
    def path(self) -> Path:
        """The inbox folder (created when missing)."""
        inbox = Path(self.directory)
        for sub in ("processed", "rejected"):
            (inbox / sub).mkdir(parents=True, exist_ok=True)
        return inbox

    def pending(self) -> list[Path]:
        """Settled files waiting in the inbox, oldest first (dot-files are ignored)."""
        now = time.time()
        files = [
            p
            for p in self.path.iterdir()
            if p.is_file() and not p.name.startswith(".") and now - _mtime(p) >= self.settle_seconds
        ]
        return sorted(files, key=lambda p: (_mtime(p), p.name))

    def accept(self, file: Path) -> Path:
        """Move a handled file to `processed/`."""
        return _move(file, self.path / "processed")

    def reject(self, file: Path, reason: str) -> Path:
        """Move a refused file to `rejected/`, with `<name>.reason` holding `reason`."""
        target = _move(file, self.path / "rejected")
        target.with_name(target.name + ".reason").write_text(reason + "\n", encoding="utf-8")
        return target


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")  # gone meanwhile: never settled


def _move(file: Path, folder: Path) -> Path:
    """Move `file` into `folder`; a name already there gets `.1`, `.2`, … before its suffix."""
    target, n = folder / file.name, 0
    while target.exists():
        n += 1
        target = folder / f"{file.stem}.{n}{file.suffix}"
    os.replace(file, target)
    return target


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the GX project and the alert inbox under the settings' data dir."""
    data_dir = get_settings().data_dir
    return dg.Definitions(
        resources={
            "great_expectations": GreatExpectations(project_root_dir=str(data_dir)),
            "quality_alerts": QualityAlertInbox(directory=str(data_dir / "quality_alerts")),
        }
    )
