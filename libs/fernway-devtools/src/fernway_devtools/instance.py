"""Render $DAGSTER_HOME/dagster.yaml from the repo template: SQLite, or Postgres when configured."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml

STORAGE_URL_VAR = "FERNWAY_DAGSTER_STORAGE_URL"


def render(template: Path, postgres: bool) -> str:
    """The instance YAML: the template plus a storage block."""
    config = yaml.safe_load(template.read_text())
    if postgres:
        config["storage"] = {"postgres": {"postgres_url": {"env": STORAGE_URL_VAR}}}
    return (
        "# Rendered by `make setup` from dagster.yaml; edit that file instead.\n"
        + yaml.safe_dump(config, sort_keys=False)
    )


def write_instance(home: Path, template: Path, postgres: bool) -> Path:
    """Write dagster.yaml into `home` when its content changed; return its path."""
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    text = render(template, postgres)
    if not target.exists() or target.read_text() != text:
        target.write_text(text)
    return target


def main() -> int:
    """Render for the current environment and say which storage it uses."""
    home = Path(os.environ.get("DAGSTER_HOME", ".dagster")).resolve()
    postgres = bool(os.environ.get(STORAGE_URL_VAR))
    target = write_instance(home, Path("dagster.yaml").resolve(), postgres)
    storage = f"Postgres (${STORAGE_URL_VAR})" if postgres else f"SQLite under {home}"
    print(f"Dagster instance: {target} — storage: {storage}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
