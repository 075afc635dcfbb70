"""The GX project under the data dir: Data Docs render to HTML, and a second process reuses it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fernway_core.settings import get_settings
from fernway_couriers.defs.quality.marts import PAYOUT_RECONCILIATION
from fernway_couriers.defs.quality.resources import GreatExpectations

SUITE = "couriers_payout_reconciliation"
SECOND_PROCESS = """
import json, sys
from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.quality.marts import PAYOUT_RECONCILIATION as mart
from fernway_couriers.defs.quality.resources import GreatExpectations
rows = Warehouse(url=sys.argv[2]).query_arrow(mart.read_sql())
outcome = GreatExpectations(project_root_dir=sys.argv[1]).run_checkpoint(mart, rows, "second")
print(json.dumps({"success": outcome.success, "page": str(outcome.docs_page)}))
"""


def _config_files(gx: Path) -> dict[str, str]:
    """The context's stored configuration: suites, validation definitions, checkpoints."""
    folders = ("expectations", "validation_definitions", "checkpoints")
    files = [p for f in folders for p in sorted((gx / f).glob("*.json"))]
    return {str(p.relative_to(gx)): p.read_text() for p in files}


def test_data_docs_render_to_html_under_the_data_dir_and_name_the_suite(marts, platform_env):
    gx = GreatExpectations(project_root_dir=str(platform_env))
    rows = marts.query_arrow(PAYOUT_RECONCILIATION.read_sql())
    outcome = gx.run_checkpoint(PAYOUT_RECONCILIATION, rows, "first")
    assert outcome.success
    site = platform_env / "gx" / "uncommitted" / "data_docs" / "local_site"
    assert outcome.docs_index == site / "index.html"
    assert SUITE in (site / "index.html").read_text()
    assert outcome.docs_page is not None
    assert outcome.docs_page.is_relative_to(site / "validations" / SUITE / "first")
    page = outcome.docs_page.read_text()
    assert SUITE in page
    assert "payout_id" in page
    assert SUITE in (site / "expectations" / f"{SUITE}.html").read_text()


def test_a_second_process_reuses_the_context_and_leaves_its_config_unchanged(marts, platform_env):
    gx_dir = platform_env / "gx"
    rows = marts.query_arrow(PAYOUT_RECONCILIATION.read_sql())
    first = GreatExpectations(project_root_dir=str(platform_env)).run_checkpoint(
        PAYOUT_RECONCILIATION, rows, "first"
    )
    before = _config_files(gx_dir)
    assert f"expectations/{SUITE}.json" in before
    done = subprocess.run(
        [sys.executable, "-c", SECOND_PROCESS, str(platform_env), marts.url],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    second = json.loads(done.stdout.strip().splitlines()[-1])
    assert second["success"] is True
    assert Path(second["page"]).is_file()
    assert first.docs_page is not None
    assert first.docs_page.is_file()  # the first run's page survives the second
    after = _config_files(gx_dir)
    assert after.keys() == before.keys()  # same objects; nothing duplicated
    suite = json.loads(after[f"expectations/{SUITE}.json"])
    assert suite["name"] == SUITE
    assert len({e["type"] for e in suite["expectations"]}) >= 7
    runs = {p.name for p in (gx_dir / "uncommitted" / "validations" / SUITE).iterdir()}
    assert runs == {"first", "second"}
    assert get_settings().data_dir == platform_env
