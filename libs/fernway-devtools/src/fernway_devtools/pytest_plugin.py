"""pytest fixtures every environment shares (entry point `pytest11`).

The real Postgres (`postgres_url`, `scratch_database`; `postgres_warehouse` points the settings
at a fresh database), a throwaway data dir and settings (`platform_env`), the warehouse those
settings resolve to, a temporary Dagster instance, and `use_sandbox` to wire a sandbox's URLs
and credentials into the environment. `duckdb_shells` holds a DuckDB file from other processes the
way an analyst's `duckdb <file>` shell does (DuckDB's own lock, not the platform's writer lock).

The `fails_check(asset, check)` mark and its helpers (end of file): every asset check has a
test that makes it fail on purpose, and each location's suite checks that none is missing.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import subprocess
import sys
import tempfile
import textwrap
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
import psycopg
import pyarrow as pa
import pytest

from fernway_core.rejects import REJECTS_SCHEMA, REJECTS_TABLE
from fernway_core.settings import get_settings
from fernway_core.warehouse import Replacement, Warehouse

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# A process holding a DuckDB file like a shell: DuckDB's own file lock, no Fernway writer lock.
_HOLD_DUCKDB_FILE = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    print("locked", flush=True)
    if sys.argv[2] == "until-told":
        sys.stdin.readline()
    else:
        time.sleep(float(sys.argv[2]))
    """
)
POSTGRES_SKIPS = pytest.StashKey[list[str]]()


def in_ci() -> bool:
    """Whether CI is set to a true value (`CI=false` or `CI=0` is not CI)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pytest_configure(config: pytest.Config) -> None:
    """Every suite gets its own scratch state and never reads the developer's `.env`.

    Settings ignore the repo's `.env` (FERNWAY_ENV_FILE empty), runtime data and the Dagster
    instance go to a temp dir unless a test points them elsewhere, so suites do not see what
    another suite (or `make demo`) left behind, and pass in any order.
    """
    scratch = Path(tempfile.mkdtemp(prefix="fernway-tests-"))
    os.environ["FERNWAY_ENV_FILE"] = ""
    os.environ["FERNWAY_DATA_DIR"] = str(scratch / "data")
    os.environ["DAGSTER_HOME"] = str(scratch / "dagster_home")
    (scratch / "dagster_home").mkdir()
    config.stash[POSTGRES_SKIPS] = []
    config.addinivalue_line("markers", FAILS_CHECK_HELP)
    get_settings.cache_clear()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Say plainly when the Postgres cases were skipped (only possible outside CI)."""
    skips = config.stash.get(POSTGRES_SKIPS, [])
    if skips:
        terminalreporter.write_line(
            f"NOTE: {len(skips)} Postgres test(s) SKIPPED ({skips[0]}); set CI=true to make "
            "that a failure",
            yellow=True,
        )


@pytest.fixture(scope="session")
def postgres_url(request: pytest.FixtureRequest) -> str:
    """The real Postgres; skipped when unreachable unless CI is set (then it fails)."""
    url = os.environ.get("FERNWAY_TEST_POSTGRES_URL", DEFAULT_URL)
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        reason = f"Postgres unreachable at {url}: {' '.join(str(exc).split())}"
        if in_ci():
            pytest.fail(f"{reason} (CI is set, so Postgres tests must run)")
        request.config.stash[POSTGRES_SKIPS].append(reason)
        pytest.skip(f"{reason} (set CI to turn this skip into a failure)")
    return url


@pytest.fixture
def scratch_database(postgres_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh database for one test, dropped afterwards."""
    # unique per test run: two suites (or two checkouts) never share or drop each other's
    slug = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:30]
    name = f"fernway_test_{slug}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f'drop database if exists "{name}" with (force)')
        con.execute(f'create database "{name}"')
    yield postgres_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def postgres_warehouse(
    scratch_database: str, monkeypatch: pytest.MonkeyPatch, platform_env: Path
) -> str:
    """The settings point the warehouse at a fresh Postgres database (after `platform_env`,
    which would unset it; a location's fixtures that resolve its resources take this first)."""
    monkeypatch.setenv("FERNWAY_WAREHOUSE_URL", scratch_database)
    get_settings.cache_clear()
    return scratch_database


class DuckDBShells:
    """Processes holding DuckDB files the way an analyst's shell does (`duckdb_shells`)."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []

    def hold(self, path: str | Path, seconds: float | str) -> subprocess.Popen:
        """Hold `path` for `seconds` (or, with "until-told", until a line on its stdin); return
        once it holds the file."""
        child = subprocess.Popen(
            [sys.executable, "-c", _HOLD_DUCKDB_FILE, str(path), str(seconds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.started.append(child)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "locked"
        return child

    def close(self) -> None:
        """Kill every holder still running."""
        for child in self.started:
            child.kill()
            child.wait(timeout=30)


@pytest.fixture
def duckdb_shells() -> Iterator[DuckDBShells]:
    """Start holders of DuckDB files with `.hold(path, seconds)`; all killed at teardown."""
    shells = DuckDBShells()
    yield shells
    shells.close()


@pytest.fixture
def platform_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Point settings at a fresh data dir (DuckDB warehouse, alerts, reports) for one test."""
    monkeypatch.setenv("FERNWAY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FERNWAY_WAREHOUSE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def warehouse(platform_env: Path) -> Warehouse:
    """The test's warehouse resource, as a location resolves it from the settings."""
    return Warehouse(url=get_settings().resolved_warehouse_url)


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    """A temporary Dagster instance (SQLite in a temp dir)."""
    with dg.instance_for_test() as inst:
        yield inst


def use_sandbox(monkeypatch: pytest.MonkeyPatch, sandbox: Any) -> None:
    """Export a sandbox's URLs and credentials the way a deployment sets its environment."""
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()


# --- Every asset check is seen failing ----------------------------------------------------
# A test that makes a check fail on purpose carries `@pytest.mark.fails_check(asset, check)`
# (asset as "raw/marketplace_orders") and asserts the failure with `failed_check`; each
# location's `tests/test_every_check_has_a_failing_test.py` holds the marks against its loaded
# definitions, so a new check without such a test fails the suite.

FAILS_CHECK = "fails_check"
FAILS_CHECK_HELP = (
    "fails_check(asset, check): the test makes that asset check fail on purpose and asserts it "
    "with fernway_devtools.pytest_plugin.failed_check"
)
DBT_TEST_METADATA = "dagster_dbt/unique_id"  # on every check spec dagster-dbt makes from a test
CheckId = tuple[str, str]  # (asset key as "raw/marketplace_orders", check name)
_seen_failing: set[CheckId] = set()  # what `failed_check` saw during the running test


def failed_check(
    result: dg.ExecuteInProcessResult, asset: str, check: str
) -> dg.AssetCheckEvaluation:
    """The one evaluation of `asset`'s `check` in `result`, asserted to have failed.

    Counts for the running test's `fails_check(asset, check)` mark: a marked test that never
    sees its check fail through here fails (see `pytest_runtest_call`).
    """
    found = [
        e
        for e in result.get_asset_check_evaluations()
        if (e.asset_key.to_user_string(), e.check_name) == (asset, check)
    ]
    assert len(found) == 1, f"{asset}:{check} was evaluated {len(found)} times, not once"
    assert found[0].passed is False, f"{asset}:{check} passed: {found[0].metadata}"
    _seen_failing.add((asset, check))
    return found[0]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A test marked `fails_check(asset, check)` fails unless `failed_check` saw that check fail."""
    marked = {_check_id(mark) for mark in item.iter_markers(FAILS_CHECK)}
    _seen_failing.clear()
    result = yield
    unseen = sorted(marked - _seen_failing)
    if unseen:
        names = ", ".join(f"{asset}:{check}" for asset, check in unseen)
        pytest.fail(f"marked fails_check, but failed_check never saw {names} fail")
    return result


def evaluate_checks(
    defs: dg.Definitions, instance: dg.DagsterInstance, checks: Iterable[CheckId]
) -> dg.ExecuteInProcessResult:
    """Run only these checks of `defs`, no asset (what the UI's "Execute checks" does)."""
    keys = [dg.AssetCheckKey(dg.AssetKey.from_user_string(a), c) for a, c in checks]
    # the kinds dg.materialize accepts (it rejects a CacheableAssetsDefinition; we define none)
    assets = [
        a
        for a in defs.assets or []
        if isinstance(a, dg.AssetsDefinition | dg.AssetSpec | dg.SourceAsset)
    ]
    return dg.materialize(
        [*assets, *(defs.asset_checks or [])],
        selection=dg.AssetSelection.checks(*keys),
        resources=defs.resources,
        instance=instance,
        raise_on_error=False,
    )


class TamperedWarehouse(Warehouse):
    """The real warehouse, but `tamper` (SQL) runs right after each load that replaces `table`:
    rows lost, duplicated or changed behind the asset's back, before its own check reads them."""

    table: str
    tamper: str

    def replace_many(self, replacements: Sequence[Replacement]) -> int:
        """Load as the real warehouse does, then tamper with what was loaded."""
        inserted = super().replace_many(replacements)
        if any(r.table == self.table for r in replacements):
            self.execute(self.tamper)
        return inserted


def add_rejects(warehouse: Warehouse, source: str, entity: str, reasons: Sequence[str]) -> None:
    """Rejects of `source`'s `entity` in `raw.rejects`, one per reason, as a load leaves them
    (replacing that entity's earlier rejects)."""
    rows = [
        {
            "source": source,
            "entity": entity,
            "record_key": f"{entity}-{i}",
            "reason": reason,
            "field": None,
            "value": None,
            "payload": "{}",
            "partition_key": "snapshot",
        }
        for i, reason in enumerate(reasons)
    ]
    table = pa.Table.from_pylist(rows, schema=REJECTS_SCHEMA)
    where = "source = ? and entity = ?"
    warehouse.replace_many([Replacement(REJECTS_TABLE, table, where, [source, entity])])


def with_resources(defs: dg.Definitions, **resources: Any) -> dg.Definitions:
    """The location's assets, checks and jobs with some of its resources replaced."""
    return dg.Definitions(
        assets=defs.assets,
        asset_checks=defs.asset_checks,
        jobs=defs.jobs,
        resources={**(defs.resources or {}), **resources},
    )


def all_checks(defs: dg.Definitions) -> set[CheckId]:
    """Every asset check of the loaded definitions."""
    return {
        (k.asset_key.to_user_string(), k.name) for k in defs.resolve_asset_graph().asset_check_keys
    }


def non_dbt_checks(defs: dg.Definitions) -> set[CheckId]:
    """Every asset check of `defs` except those dagster-dbt makes from dbt tests."""
    graph = defs.resolve_asset_graph()
    return {
        (key.asset_key.to_user_string(), key.name)
        for key in graph.asset_check_keys
        if DBT_TEST_METADATA not in graph.get_check_spec(key).metadata
    }


def fails_check_marks(package: str = "tests") -> dict[CheckId, set[str]]:
    """The tests carrying each `fails_check` mark in every `test_*.py` module of `package`.

    The modules are imported, not collected: the answer is the same whatever pytest selected
    or ran first, and a module that does not import fails the caller.
    """

    def fail(name: str) -> None:
        raise ImportError(f"cannot import {name}")

    found: dict[CheckId, set[str]] = {}
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, f"{package}.", onerror=fail):
        leaf = info.name.rsplit(".", 1)[-1]
        if info.ispkg or not (leaf.startswith("test_") or leaf.endswith("_test")):
            continue
        module = importlib.import_module(info.name)
        for test, marks in _tests_and_marks(module):
            for mark in marks:
                if mark.name == FAILS_CHECK:
                    found.setdefault(_check_id(mark), set()).add(f"{info.name}::{test}")
    return found


def assert_every_check_has_a_failing_test(defs: dg.Definitions, package: str = "tests") -> None:
    """Each non-dbt check of `defs` is named by some test's `fails_check` mark in `package`."""
    missing = sorted(non_dbt_checks(defs) - fails_check_marks(package).keys())
    assert not missing, (
        "no test makes these checks fail; add one marked "
        "@pytest.mark.fails_check(asset, check): "
        + ", ".join(f"{asset}:{check}" for asset, check in missing)
    )


def assert_every_fails_check_mark_names_a_check(
    defs: dg.Definitions, package: str = "tests"
) -> None:
    """Each `fails_check` mark in `package` names a check `defs` has (no stale marks)."""
    marks = fails_check_marks(package)
    unknown = sorted(marks.keys() - all_checks(defs))
    assert not unknown, "marked for checks this location does not have: " + ", ".join(
        f"{asset}:{check} ({', '.join(sorted(marks[(asset, check)]))})" for asset, check in unknown
    )


def _check_id(mark: pytest.Mark) -> CheckId:
    asset, check = mark.args
    return asset, check


def _marks(obj: object) -> list[pytest.Mark]:
    """The marks on `obj`, with those of its `pytest.param(..., marks=...)` cases."""
    raw = getattr(obj, "pytestmark", [])
    marks = [_as_mark(m) for m in (raw if isinstance(raw, list) else [raw])]
    for mark in [m for m in marks if m.name == "parametrize"]:
        values = mark.args[1] if len(mark.args) > 1 else mark.kwargs.get("argvalues", [])
        for value in values:
            if isinstance(value, pytest.ParameterSet):
                marks += [_as_mark(m) for m in value.marks]
    return marks


def _as_mark(mark: pytest.Mark | pytest.MarkDecorator) -> pytest.Mark:
    return mark.mark if isinstance(mark, pytest.MarkDecorator) else mark


def _tests_and_marks(module: Any) -> Iterator[tuple[str, list[pytest.Mark]]]:
    """(name, marks) of each test function and test method defined in `module`."""
    outer = _marks(module)
    for name, obj in vars(module).items():
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        if name.startswith("test") and callable(obj) and not isinstance(obj, type):
            yield name, outer + _marks(obj)
        elif name.startswith("Test") and isinstance(obj, type):
            for method, func in vars(obj).items():
                if method.startswith("test") and callable(func):
                    yield f"{name}::{method}", outer + _marks(obj) + _marks(func)
