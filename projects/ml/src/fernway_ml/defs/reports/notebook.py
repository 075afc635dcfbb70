"""Execute the report notebook with papermill on this interpreter's kernel; render it to HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

NOTEBOOK = Path(__file__).with_name("demand_report.ipynb")
CELL_TIMEOUT_S = 300


def execute_report(output_dir: Path, parameters: dict[str, Any]) -> tuple[Path, Path]:
    """Run the notebook into `output_dir`; returns (executed .ipynb, .html without code)."""
    # Imported here: loading the location (webserver, daemon, each run) need not pay for them.
    import papermill
    from nbconvert import HTMLExporter

    from fernway_ml.kernel import ThisPythonKernelManager

    output_dir.mkdir(parents=True, exist_ok=True)
    executed = output_dir / NOTEBOOK.name
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(executed),
        parameters=parameters,
        kernel_name="python3",
        kernel_manager_class=ThisPythonKernelManager,
        progress_bar=False,
        execution_timeout=CELL_TIMEOUT_S,
    )
    html, _ = HTMLExporter(exclude_input=True).from_filename(str(executed))
    rendered = executed.with_suffix(".html")
    rendered.write_text(html, encoding="utf-8")
    return executed, rendered
