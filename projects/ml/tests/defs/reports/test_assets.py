"""The report notebook runs on the ml venv's kernel and is kept as .ipynb and HTML."""

import json
import sys
from pathlib import Path

import dagster as dg
import nbformat

from fernway_ml.defs.demand.assets import demand_forecast
from fernway_ml.defs.reports.assets import demand_report
from fernway_ml.defs.segmentation.assets import customer_segmentation


def _shadow_python3_kernelspec(monkeypatch, root: Path) -> None:
    """A `python3` kernelspec first on the Jupyter path that cannot start (like a stale global)."""
    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(root))


def test_report_notebook_runs_on_this_venv_and_is_rendered_to_html(
    warehouse, instance, platform_env, monkeypatch
) -> None:
    _shadow_python3_kernelspec(monkeypatch, platform_env / "jupyter")
    result = dg.materialize(
        [demand_forecast, customer_segmentation, demand_report],
        resources={"warehouse": warehouse},
        instance=instance,
    )
    metadata = result.asset_materializations_for_node("ml__demand_report")[0].metadata
    executed = Path(metadata["notebook"].value)
    html = Path(metadata["html"].value)
    assert executed.parent == html.parent == platform_env / "ml" / "reports" / result.run_id
    assert metadata["html_url"].value == html.resolve().as_uri()
    notebook = nbformat.read(executed, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    # every code cell ran, once, in order
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    assert "injected-parameters" in code[1].metadata.tags
    printed = "".join(o.get("text", "") for o in code[-1].outputs)
    assert printed.splitlines()[0] == sys.executable  # the kernel ran on this venv's python
    page = html.read_text()
    assert "Forecast accuracy on the holdout" in page
    assert "naive_seasonal" in page
    assert "data:image/png;base64" in page  # the plots are embedded
    assert "ml.model_stats does not exist yet" in page  # absent inputs are said, not hidden
