"""Platform-level test constants (Postgres fixtures come from the fernway_core pytest plugin)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
