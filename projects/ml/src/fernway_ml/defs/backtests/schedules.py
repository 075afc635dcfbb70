"""Back-tests the week that just ended, every Monday at 06:00 UTC."""

import dagster as dg

from fernway_ml.defs.backtests.jobs import ml_backtest_job

ml_weekly_backtest_schedule = dg.build_schedule_from_partitioned_job(
    ml_backtest_job,
    name="ml_weekly_backtest_schedule",
    day_of_week=1,
    hour_of_day=6,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
