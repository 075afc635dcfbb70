"""`make setup`'s last step: load every location once, so Python caches what it compiled.

Python writes a module's bytecode (`__pycache__`) the first time it imports it. Without this
step the first `make demo` on a new clone compiles Dagster, dbt, dagster-dbt and the rest in
every location's environment while it runs (about a minute and a half of CPU on 2 cores);
compiling everything `uv sync --compile-bytecode` installs instead took ~9 minutes. Loading each
location's definitions compiles exactly the modules a run imports. Once per lock: the stamp
`.venv/.warmed_for` holds a digest of the location's `uv.lock`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fernway_core.settings import find_repo_root

STAMP = ".warmed_for"
# What each location's run imports; the root environment's demo driver and webserver.
LOAD = "import {module} as m; m.defs() if callable(m.defs) else m.defs"
ROOT_IMPORTS = "import dagster, dagster_webserver, fernway_devtools.demo, fernway_sandbox"


def lock_digest(env_dir: Path) -> str:
    """A digest of the environment's lock file (what its venv was built from)."""
    return hashlib.sha256((env_dir / "uv.lock").read_bytes()).hexdigest()


def needs_warming(env_dir: Path) -> bool:
    """True when the environment was never warmed, or its lock changed since."""
    stamp = env_dir / ".venv" / STAMP
    return not stamp.exists() or stamp.read_text().strip() != lock_digest(env_dir)


def warm(env_dir: Path, code: str) -> float:
    """Run `code` in the environment's interpreter (scratch data dir); its seconds."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "FERNWAY_DATA_DIR": scratch, "DAGSTER_HOME": scratch}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run(
            [str(env_dir / ".venv" / "bin" / "python"), "-W", "ignore", "-c", code],
            cwd=env_dir,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    (env_dir / ".venv" / STAMP).write_text(lock_digest(env_dir) + "\n")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Warm every location's environment (and the root one) whose lock changed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--location", action="append", required=True)
    args = parser.parse_args(argv)
    root = find_repo_root()
    targets = [(root, ROOT_IMPORTS)] + [
        (root / "projects" / loc, LOAD.format(module=f"fernway_{loc}.definitions"))
        for loc in args.location
    ]
    for env_dir, code in targets:
        if needs_warming(env_dir):
            name = env_dir.relative_to(root).as_posix() if env_dir != root else "."
            print(f"compiling what {name} imports (once per lock)", flush=True)
            print(f"   done in {warm(env_dir, code):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
