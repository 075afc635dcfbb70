"""Every asset check of the location (dbt tests aside) has a test that makes it fail on purpose.

Such a test carries `@pytest.mark.fails_check(asset, check)` and asserts the failure with
`fernway_devtools.pytest_plugin.failed_check`. The marks are read by importing every test module,
so these tests give the same answer run alone, in any order or with the whole suite.
"""

import dagster as dg

from fernway_devtools.pytest_plugin import all_checks, fails_check_marks, non_dbt_checks


def test_every_check_has_a_test_that_sees_it_fail(defs: dg.Definitions) -> None:
    missing = sorted(non_dbt_checks(defs) - fails_check_marks("tests").keys())
    assert not missing, (
        "no test makes these checks fail; add one marked "
        "@pytest.mark.fails_check(asset, check): "
        + ", ".join(f"{asset}:{check}" for asset, check in missing)
    )


def test_every_fails_check_mark_names_a_check_of_this_location(defs: dg.Definitions) -> None:
    marks = fails_check_marks("tests")
    unknown = sorted(marks.keys() - all_checks(defs))
    assert not unknown, "marked for checks this location does not have: " + ", ".join(
        f"{asset}:{check} ({', '.join(sorted(marks[(asset, check)]))})" for asset, check in unknown
    )
