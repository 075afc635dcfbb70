"""Weekly back-test dates: each partition's week is exactly the horizon it scores.

Weekly, not daily: the demand has a weekly season, so a back-test that scores one whole week
sees every weekday once, and a partition only exists once its week is over (its actuals are
in). Daily back-tests would score seven overlapping windows per week for little new signal.
"""

import dagster as dg

BACKTEST_START = "2026-01-05"  # the first Monday on or after fernway_core's PARTITIONS_START
WEEKLY = dg.WeeklyPartitionsDefinition(start_date=BACKTEST_START, day_offset=1)
HORIZON_DAYS = 7
