"""Data quality of the couriers marts: Great Expectations checkpoints as Dagster asset checks,
and the quality-alert inbox whose files start remediation runs."""
