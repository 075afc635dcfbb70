"""Readers for the files that name the code locations: workspaces, dg.toml, Makefile, deploy/.

Parsing only (yaml, tomllib, a Dockerfile reader, Docker's ignore-file rules): nothing is built.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "docker-compose.yaml"
# Dev-only code: never in an image (their pyproject.toml may be read by a build stage).
DEV_ONLY_DIRS = (PurePosixPath("sandbox"), PurePosixPath("libs/fernway-devtools"))


def project_locations() -> list[str]:
    """Every folder of projects/ that is a Python project: the truth the other files must match."""
    return sorted(p.parent.name for p in (ROOT / "projects").glob("*/pyproject.toml"))


def pyproject(location: str) -> dict:
    return tomllib.loads((ROOT / "projects" / location / "pyproject.toml").read_text())


def root_module(location: str) -> str:
    return pyproject(location)["tool"]["dg"]["project"]["root_module"]


def workspace_entries() -> dict[str, dict]:
    entries = yaml.safe_load((ROOT / "workspace.yaml").read_text())["load_from"]
    return {e["python_module"]["location_name"]: e["python_module"] for e in entries}


def workspace_names() -> list[str]:
    entries = yaml.safe_load((ROOT / "workspace.yaml").read_text())["load_from"]
    return [e["python_module"]["location_name"] for e in entries]


def dg_project_paths() -> list[str]:
    config = tomllib.loads((ROOT / "dg.toml").read_text())
    return [p["path"] for p in config["workspace"]["projects"]]


def makefile_locations() -> list[str]:
    match = re.search(r"^LOCATIONS\s*:?=(.*)$", (ROOT / "Makefile").read_text(), re.M)
    assert match, "Makefile: no LOCATIONS := line"
    return match.group(1).split()


def prod_grpc_servers() -> list[dict]:
    entries = yaml.safe_load((DEPLOY / "workspace.prod.yaml").read_text())["load_from"]
    return [e["grpc_server"] for e in entries]


def compose_services() -> dict[str, dict]:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def compose_code_servers() -> dict[str, str]:
    """Compose service name -> the LOCATION it builds, for services built as a code location."""
    return {
        name: service["build"]["args"]["LOCATION"]
        for name, service in compose_services().items()
        if isinstance(service.get("build"), dict) and service["build"].get("target") == "location"
    }


@dataclass
class Instruction:
    keyword: str
    args: str

    def words(self) -> list[str]:
        """The arguments as a list (JSON form, or split like a shell would)."""
        if self.args.lstrip().startswith("["):
            return json.loads(self.args)
        return shlex.split(self.args)


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def copies(self) -> list[tuple[dict[str, str], list[str], str]]:
        """(flags, sources, destination) of every COPY/ADD."""
        result = []
        for ins in self.instructions:
            if ins.keyword not in {"COPY", "ADD"}:
                continue
            words = ins.words()
            flags = dict(w[2:].split("=", 1) for w in words if w.startswith("--"))
            paths = [w for w in words if not w.startswith("--")]
            result.append((flags, paths[:-1], paths[-1]))
        return result

    def variables(self, **build_args: str) -> dict[str, str]:
        """ARG defaults (overridden by build_args) and ENV values, in order, expanded."""
        values: dict[str, str] = {}
        for ins in self.instructions:
            if ins.keyword == "ARG":
                name, _, default = ins.args.strip().partition("=")
                values[name] = build_args.get(name, expand(default, values))
            elif ins.keyword == "ENV":
                for word in shlex.split(ins.args):
                    name, _, value = word.partition("=")
                    values[name] = expand(value, values)
        return values


def expand(text: str, values: dict[str, str]) -> str:
    """`${NAME}` / `$NAME` substitution as Docker does it for ARG and ENV values."""
    return re.sub(
        r"\$\{(\w+)\}|\$(\w+)", lambda m: values.get(m.group(1) or m.group(2), m.group(0)), text
    )


def dockerfile_stages(text: str | None = None) -> dict[str, Stage]:
    """The Dockerfile's stages by name (continuation lines joined, comments dropped)."""
    text = DOCKERFILE.read_text() if text is None else text
    logical, current = [], ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if stripped.endswith("\\"):
            current += raw.rstrip()[:-1]
            continue
        logical.append(current + raw)
        current = ""
    stages: dict[str, Stage] = {}
    stage = None
    for line in logical:
        keyword, _, args = line.strip().partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = args.split()
            name = words[2].lower() if len(words) > 2 and words[1].upper() == "AS" else ""
            stage = stages.setdefault(name or str(len(stages)), Stage(name, words[0]))
        elif stage is not None:
            stage.instructions.append(Instruction(keyword, args.strip()))
    return stages


def stage_lineage(stages: dict[str, Stage], name: str) -> list[Stage]:
    """`name` and every stage it is built FROM."""
    chain = [stages[name]]
    while chain[-1].base.lower() in stages:
        chain.append(stages[chain[-1].base.lower()])
    return chain


def dockerignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    """(is_exception, regex) per line of deploy/Dockerfile.dockerignore, Docker's syntax."""
    rules = []
    for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = line.lstrip("!").strip().lstrip("/").removeprefix("./").rstrip("/")
        regex, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            else:
                char = pattern[i]
                regex += {"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char))
                i += 1
        rules.append((exception, re.compile(regex)))
    return rules


def is_ignored(path: str) -> bool:
    """Whether the build context leaves `path` (repo-relative) out: a pattern matching the path
    or one of its parent directories excludes it; the last matching line wins."""
    parts = PurePosixPath(path).parts
    candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    ignored = False
    for exception, regex in dockerignore_rules():
        if any(regex.fullmatch(c) for c in candidates):
            ignored = not exception
    return ignored


def lock_packages(lock: Path) -> dict[str, dict]:
    return {p["name"]: p for p in tomllib.loads(lock.read_text())["package"]}


def production_closure(location: str) -> dict[str, dict]:
    """The packages `uv sync --locked --no-dev` installs for `location`, read from its uv.lock:
    the project and what its dependencies (extras included) pull in, no dependency groups."""
    packages = lock_packages(ROOT / "projects" / location / "uv.lock")
    todo, seen, done = [(pyproject(location)["project"]["name"], "")], {}, set()
    while todo:
        name, extra = todo.pop()
        if (name, extra) in done:
            continue
        done.add((name, extra))
        package = packages[name]
        seen[name] = package
        deps = package.get("optional-dependencies", {}).get(extra, []) if extra else []
        if not extra:
            deps = package.get("dependencies", [])
        for dep in deps:
            todo += [(dep["name"], "")] + [(dep["name"], e) for e in dep.get("extra", [])]
    return seen


@dataclass
class Copy:
    stage: str | None  # the stage copied from (--from), None for the build context
    sources: list[str]  # normalized; repo-relative for the context, absolute for a stage
    dest: str  # absolute, against the WORKDIR in force
    into_dir: bool  # the destination is a directory (ends with "/" or several sources)

    def lands_at(self, source: str) -> str:
        """Where `source` ends up in the image: a file copied into a directory keeps its name."""
        if self.stage is None and self.into_dir and (ROOT / source).is_file():
            return posixpath.join(self.dest, posixpath.basename(source))
        return self.dest


def resolved_copies(name: str, **build_args: str) -> list[Copy]:
    """Every COPY/ADD of stage `name` with build args and ENV expanded."""
    stages = dockerfile_stages()
    lineage = stage_lineage(stages, name)
    workdir = "/"
    for ancestor in reversed(lineage[1:]):
        variables = ancestor.variables(**build_args)
        for ins in ancestor.all("WORKDIR"):
            workdir = posixpath.join(workdir, expand(ins.args, variables))
    stage = lineage[0]
    variables = stage.variables(**build_args)
    copies = []
    for ins in stage.instructions:
        if ins.keyword == "WORKDIR":
            workdir = posixpath.join(workdir, expand(ins.args, variables))
        elif ins.keyword in {"COPY", "ADD"}:
            words = [expand(w, variables) for w in ins.words()]
            flags = dict(w[2:].split("=", 1) for w in words if w.startswith("--"))
            *sources, dest = [w for w in words if not w.startswith("--")]
            copies.append(
                Copy(
                    flags.get("from"),
                    [posixpath.normpath(s) for s in sources],
                    posixpath.normpath(posixpath.join(workdir, dest)),
                    dest.endswith("/") or len(sources) > 1,
                )
            )
    return copies
