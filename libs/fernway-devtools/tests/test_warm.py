"""`make setup` warms each environment once per lock: Python writes the bytecode it loads."""

from __future__ import annotations

import sys
from pathlib import Path

from fernway_devtools.warm import STAMP, needs_warming, warm


def fake_env(tmp_path: Path) -> Path:
    """An environment directory: a lock file and a venv whose python is this interpreter."""
    env_dir = tmp_path / "env"
    (env_dir / ".venv" / "bin").mkdir(parents=True)
    (env_dir / ".venv" / "bin" / "python").symlink_to(sys.executable)
    (env_dir / "uv.lock").write_text("version = 1\n")
    (env_dir / "warm_me.py").write_text("VALUE = 1\n")
    return env_dir


def test_warming_compiles_what_the_code_imports_once_per_lock(tmp_path: Path) -> None:
    env_dir = fake_env(tmp_path)
    assert needs_warming(env_dir)
    warm(env_dir, "import sys; sys.path.insert(0, '.'); import warm_me")
    assert list((env_dir / "__pycache__").glob("warm_me.*.pyc")), "no bytecode written"
    assert (env_dir / ".venv" / STAMP).exists()
    assert not needs_warming(env_dir)
    (env_dir / "uv.lock").write_text("version = 1\n# a dependency changed\n")
    assert needs_warming(env_dir)
