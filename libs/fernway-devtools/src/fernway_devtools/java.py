"""Find a JVM 17+ for local Spark, or install one from Debian's packages; say what was done."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

MINIMUM = 17
APT_PACKAGE = "openjdk-17-jre-headless"


def java_version(java: str) -> int | None:
    """Major version of a java binary, or None when it does not run."""
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def candidates() -> list[str]:
    """JAVA_HOME first, then PATH, then the usual Debian/Ubuntu JVM folders."""
    found = []
    if home := os.environ.get("JAVA_HOME"):
        found.append(str(Path(home) / "bin" / "java"))
    if on_path := shutil.which("java"):
        found.append(on_path)
    found += sorted(str(p) for p in Path("/usr/lib/jvm").glob("*/bin/java"))
    return found


def find_java() -> tuple[str, int] | None:
    """The first JVM that is at least version 17."""
    for java in candidates():
        version = java_version(java)
        if version and version >= MINIMUM:
            return java, version
    return None


def main() -> int:
    """Report the JVM Spark will use; install one with apt when root and none is found."""
    found = find_java()
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        print(f"JVM: none >= {MINIMUM} found; installing {APT_PACKAGE} from Debian's packages")
        subprocess.run(["apt-get", "update", "-q"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-q", APT_PACKAGE], check=False)
        found = find_java()
    if found is None:
        print(
            f"JVM: none >= {MINIMUM} found. Spark assets need one: install {APT_PACKAGE} "
            "(or any JDK 17+) and set JAVA_HOME.",
            file=sys.stderr,
        )
        return 1
    java, version = found
    print(f"JVM: Java {version} at {os.path.realpath(java)} (used by local Spark)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
