"""The DataHub catalog of the whole platform: every asset of every location, read from the
Dagster webserver's GraphQL API, emitted with the `acryl-datahub` SDK; run stats by a sensor."""

import os

# The SDK decides at import whether to send usage telemetry: off before any datahub import
# (the platform runs offline; a deployment may still set it explicitly).
os.environ.setdefault("DATAHUB_TELEMETRY_ENABLED", "false")
