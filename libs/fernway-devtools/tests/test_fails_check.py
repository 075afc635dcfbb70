"""The `fails_check` mark: walkers find checks nobody sees failing, and marks cannot lie."""

import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from fernway_devtools.pytest_plugin import (
    DBT_TEST_METADATA,
    all_checks,
    failed_check,
    fails_check_marks,
    non_dbt_checks,
)

pytest_plugins = ["pytester"]

MARKED_TESTS = """
import pytest

@pytest.mark.fails_check("raw/things", "covered")
def test_covered():
    pass

@pytest.mark.parametrize("n", [
    1,
    pytest.param(2, marks=pytest.mark.fails_check("raw/things", "covered_by_a_case")),
])
def test_cases(n):
    pass

class TestGrouped:
    @pytest.mark.fails_check("raw/things", "gone")
    def test_stale(self):
        pass
"""


def _defs(check_names: list[str], passed: bool = True) -> dg.Definitions:
    @dg.asset(
        key=["raw", "things"],
        check_specs=[
            *(dg.AssetCheckSpec(n, asset=["raw", "things"]) for n in check_names),
            dg.AssetCheckSpec("unique_things_id", asset=["raw", "things"], metadata={
                DBT_TEST_METADATA: "test.project.unique_things_id"
            }),
        ],
    )  # fmt: skip
    def things():
        yield dg.MaterializeResult()
        for name in [*check_names, "unique_things_id"]:
            yield dg.AssetCheckResult(check_name=name, passed=passed)

    return dg.Definitions(assets=[things])


@pytest.fixture
def marked_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A throwaway tests package: marks on a function, a parametrized case and a method."""
    name = f"fake_tests_{uuid.uuid4().hex[:8]}"
    package = tmp_path / name / "defs"
    package.mkdir(parents=True)
    (tmp_path / name / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "test_things.py").write_text(textwrap.dedent(MARKED_TESTS))
    (package / "helpers.py").write_text("raise RuntimeError('not a test module: never imported')")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    for module in [m for m in sys.modules if m.startswith(name)]:
        del sys.modules[module]


def test_a_new_check_without_a_failing_test_is_found(marked_package: str) -> None:
    defs = _defs(["covered", "covered_by_a_case", "new_check"])
    marks = fails_check_marks(marked_package)
    assert non_dbt_checks(defs) - marks.keys() == {("raw/things", "new_check")}
    assert marks[("raw/things", "covered_by_a_case")] == {
        f"{marked_package}.defs.test_things::test_cases"
    }


def test_a_mark_for_a_check_that_does_not_exist_is_found(marked_package: str) -> None:
    defs = _defs(["covered", "covered_by_a_case"])
    assert fails_check_marks(marked_package).keys() - all_checks(defs) == {("raw/things", "gone")}


def test_checks_made_from_dbt_tests_are_left_out() -> None:
    defs = _defs(["covered"])
    assert ("raw/things", "unique_things_id") in all_checks(defs)
    assert non_dbt_checks(defs) == {("raw/things", "covered")}


def test_failed_check_refuses_a_check_that_passed() -> None:
    result = dg.materialize(_defs(["covered"], passed=True).assets)
    with pytest.raises(AssertionError, match="raw/things:covered passed"):
        failed_check(result, "raw/things", "covered")


def test_a_marked_test_that_never_sees_its_check_fail_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import dagster as dg
        import pytest
        from fernway_devtools.pytest_plugin import failed_check

        @dg.asset(check_specs=[dg.AssetCheckSpec("ok", asset="things")])
        def things():
            yield dg.MaterializeResult()
            yield dg.AssetCheckResult(check_name="ok", passed=False)

        @pytest.mark.fails_check("things", "ok")
        def test_sees_it_fail():
            failed_check(dg.materialize([things]), "things", "ok")

        @pytest.mark.fails_check("things", "ok")
        def test_only_claims_it():
            assert not dg.materialize([things]).get_asset_check_evaluations()[0].passed
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*failed_check never saw things:ok fail*"])
