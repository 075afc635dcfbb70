"""The remediation job an alert file starts: rebuild a mart, then run all of its checks.

Remediation here means: re-materialize the named mart from its current upstream tables (the
couriers dbt model; `dbt build` also runs its dbt tests) and run its GX checkpoint, which is
blocking. It does not reload raw data. The job spans the three validated marts; each run is
subset by the sensor to the one mart an alert names, with that mart's checks.
"""

import dagster as dg

from fernway_couriers.defs.quality.marts import MARTS

# key prefixes equal to the full keys: exactly the marts, and the location still loads while
# the dbt project that builds them is absent (a keys selection would refuse to resolve).
REMEDIATED = dg.AssetSelection.key_prefixes(*(m.key.path for m in MARTS))

data_quality_remediation_job = dg.define_asset_job(
    "data_quality_remediation_job",
    selection=REMEDIATED,
    description="Rebuild the mart a quality alert names and run its checks (GX and dbt tests).",
    tags={"fernway/purpose": "remediation"},
)
