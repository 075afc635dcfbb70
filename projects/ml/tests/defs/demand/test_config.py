"""A bad hyper-parameter is one clear line, raised before any data is read or any run starts."""

import dagster as dg
import pytest

from fernway_ml.config import ConfigValueError
from fernway_ml.defs.demand.assets import ACCURACY_KEY, FORECAST_KEY, demand_forecast
from fernway_ml.defs.demand.config import ForecastConfig


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"horizon_days": 500}, "horizon_days=500"),
        ({"horizon_days": 0}, "horizon_days=0"),
        ({"interval_level": 1.0}, "interval_level=1.0"),
        ({"interval_level": 0}, "interval_level=0"),
        ({"season_length": 1}, "season_length=1"),
        ({"ridge_alpha": -1.0}, "ridge_alpha=-1.0"),
        ({"training_window_days": 7}, "training_window_days=7"),
        ({"season_length": 21, "min_history_days": 28}, "two seasons"),
        ({"training_window_days": 20, "min_history_days": 28}, "training_window_days (20)"),
    ],
)
def test_invalid_value_is_a_one_line_error_naming_it(values: dict, named: str) -> None:
    with pytest.raises(ConfigValueError) as raised:
        ForecastConfig(**values)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("invalid ForecastConfig: ")
    assert named in message


def test_defaults_are_valid() -> None:
    config = ForecastConfig()
    assert (config.horizon_days, config.season_length, config.interval_level) == (14, 7, 0.8)


def _run_ids(instance: dg.DagsterInstance) -> list[str]:
    return [run.run_id for run in instance.get_runs()]


def _a_good_config_is_one_run_on(instance: dg.DagsterInstance, job: dg.JobDefinition) -> None:
    """The same job and instance with a valid value record a run: the zero above could move."""
    result = job.execute_in_process(
        run_config={"forecast": {"interval_level": 0.95}},
        instance=instance,
        asset_selection=[FORECAST_KEY, ACCURACY_KEY],
    )
    assert _run_ids(instance) == [result.run_id]
    assert instance.get_run_by_id(result.run_id).run_config == {
        "forecast": {"interval_level": 0.95}
    }


def test_bad_job_config_fails_before_a_run_is_created(defs, warehouse, instance) -> None:
    job = defs.resolve_job_def("ml_refresh_job")
    with pytest.raises(dg.DagsterConfigMappingFunctionError) as raised:
        job.execute_in_process(run_config={"forecast": {"interval_level": 1.5}}, instance=instance)
    assert str(raised.value.user_exception) == (
        "invalid RefreshConfig: invalid ForecastConfig: interval_level=1.5: "
        "Input should be less than 1"
    )
    assert _run_ids(instance) == []
    assert not warehouse.table_exists("ml.demand_forecast")
    _a_good_config_is_one_run_on(instance, job)


def test_wrong_type_is_rejected_by_dagster_before_the_run(defs, warehouse, instance) -> None:
    job = defs.resolve_job_def("ml_refresh_job")
    with pytest.raises(dg.DagsterInvalidConfigError, match="horizon_days"):
        job.execute_in_process(
            run_config={"forecast": {"horizon_days": "two weeks"}}, instance=instance
        )
    assert _run_ids(instance) == []
    _a_good_config_is_one_run_on(instance, job)


def test_bad_asset_config_fails_the_step_before_it_reads_anything(warehouse, instance) -> None:
    result = dg.materialize(
        [demand_forecast],
        resources={"warehouse": warehouse},
        run_config={"ops": {"demand_forecast": {"config": {"horizon_days": 0}}}},
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    (failure,) = result.get_step_failure_events()
    error = failure.step_failure_data.error
    assert error.cls_name == "ConfigValueError"
    assert error.message.strip() == (
        "fernway_ml.config.ConfigValueError: invalid ForecastConfig: horizon_days=0: "
        "Input should be greater than or equal to 1"
    )
    assert not warehouse.table_exists("ml.demand_forecast")
