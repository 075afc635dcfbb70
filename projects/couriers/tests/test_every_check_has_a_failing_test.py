"""Every asset check of the location (dbt tests aside) has a test that makes it fail on purpose.

Such a test carries `@pytest.mark.fails_check(asset, check)` and asserts the failure with
`fernway_devtools.pytest_plugin.failed_check`. The marks are read by importing every test module,
so these tests give the same answer run alone, in any order or with the whole suite.
"""

import dagster as dg

from fernway_devtools.pytest_plugin import (
    assert_every_check_has_a_failing_test,
    assert_every_fails_check_mark_names_a_check,
)


def test_every_check_has_a_test_that_sees_it_fail(defs: dg.Definitions) -> None:
    assert_every_check_has_a_failing_test(defs)


def test_every_fails_check_mark_names_a_check_of_this_location(defs: dg.Definitions) -> None:
    assert_every_fails_check_mark_names_a_check(defs)
