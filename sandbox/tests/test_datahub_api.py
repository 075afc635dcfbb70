"""The DataHub GMS stand-in over real HTTP, spoken the way acryl-datahub's REST emitter speaks
(Rest.li): config, single and batch proposals, aspect reads, auth, recorded proposals."""

from __future__ import annotations

import json

import httpx
import pytest

TOKEN = "sandbox-datahub-token"
HEADERS = {
    "X-RestLi-Protocol-Version": "2.0.0",
    "Content-Type": "application/json",
    "Authorization": f"Bearer {TOKEN}",
}
ORDERS = "urn:li:dataset:(urn:li:dataPlatform:duckdb,warehouse.analytics.orders,PROD)"
RAW = "urn:li:dataset:(urn:li:dataPlatform:duckdb,warehouse.raw.marketplace_orders,PROD)"
SCHEMA = {
    "schemaName": "orders",
    "platform": "urn:li:dataPlatform:duckdb",
    "version": 0,
    "hash": "",
    "platformSchema": {"com.linkedin.schema.OtherSchema": {"rawSchema": ""}},
    "fields": [
        {
            "fieldPath": "order_id",
            "nullable": False,
            "type": {"type": {"com.linkedin.schema.StringType": {}}},
            "nativeDataType": "VARCHAR",
        }
    ],
}
LINEAGE = {"upstreams": [{"dataset": RAW, "type": "TRANSFORMED", "auditStamp": {"time": 0}}]}


def proposal(urn: str, aspect_name: str, value: object) -> dict:
    """An MCP as the SDK serialises it (`MetadataChangeProposalWrapper.to_obj()`)."""
    return {
        "entityType": "dataset",
        "entityUrn": urn,
        "changeType": "UPSERT",
        "aspectName": aspect_name,
        "aspect": {"value": json.dumps(value), "contentType": "application/json"},
        "systemMetadata": {"lastObserved": 1_786_000_000_000, "runId": "no-run-id-provided"},
    }


@pytest.fixture
def gms(sandbox_factory):
    sandbox = sandbox_factory(services=("datahub",))
    with httpx.Client(base_url=sandbox.urls["datahub"], headers=HEADERS) as http:
        yield sandbox, http


def test_config_advertises_no_code_and_a_rest_li_version(gms):
    _, http = gms
    config = httpx.get(str(http.base_url.join("/config"))).raise_for_status().json()
    assert config["noCode"] == "true"
    assert config["versions"]["acryldata/datahub"]["version"] == "v1.0.0"
    assert config["datahub"]["serverEnv"] == "core"


def test_single_and_batch_proposals_are_recorded_and_served_back(gms):
    sandbox, http = gms
    single = http.post(
        "/aspects",
        params={"action": "ingestProposal"},
        json={"proposal": proposal(ORDERS, "schemaMetadata", SCHEMA), "async": "false"},
    )
    assert (single.status_code, single.json()) == (200, {"value": ORDERS})
    batch = http.post(
        "/aspects",
        params={"action": "ingestProposalBatch"},
        json={
            "proposals": [
                proposal(ORDERS, "upstreamLineage", LINEAGE),
                proposal(RAW, "status", {"removed": False}),
            ],
            "async": "false",
        },
    )
    assert (batch.status_code, batch.json()) == (200, {"value": [ORDERS, RAW]})
    recorded = sandbox.recorded("datahub")
    assert [(p["entityUrn"], p["aspectName"], p["via"]) for p in recorded] == [
        (ORDERS, "schemaMetadata", "ingestProposal"),
        (ORDERS, "upstreamLineage", "ingestProposalBatch"),
        (RAW, "status", "ingestProposalBatch"),
    ]
    assert recorded[0]["aspect"] == SCHEMA
    assert recorded[1]["aspect"]["upstreams"][0]["dataset"] == RAW
    over_http = http.get("/_sandbox/proposals", params={"aspectName": "upstreamLineage"})
    assert over_http.json()["proposals"] == [recorded[1]]
    assert (
        len(http.get("/_sandbox/proposals", params={"entityUrn": ORDERS}).json()["proposals"]) == 2
    )


def test_aspect_reads_serve_the_latest_version_and_404_when_not_held(gms):
    _, http = gms
    urn = httpx.URL("/aspects/" + ORDERS.replace(",", "%2C").replace(":", "%3A"))
    assert http.get(urn, params={"aspect": "upstreamLineage", "version": 0}).status_code == 404
    for description in ("first", "second"):
        http.post(
            "/aspects",
            params={"action": "ingestProposal"},
            json={"proposal": proposal(ORDERS, "datasetProperties", {"description": description})},
        ).raise_for_status()
    latest = http.get(urn, params={"aspect": "datasetProperties", "version": 0})
    oldest = http.get(urn, params={"aspect": "datasetProperties", "version": 1})
    key = "com.linkedin.dataset.DatasetProperties"
    assert latest.json()["aspect"] == {key: {"description": "second"}}
    assert oldest.json()["aspect"] == {key: {"description": "first"}}
    assert http.get(urn, params={"aspect": "datasetProperties", "version": 3}).status_code == 404
    assert http.get(urn, params={"aspect": "ownership"}).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"proposal": {"entityType": "dataset", "changeType": "UPSERT"}}, "entityUrn"),
        ({"proposal": {**proposal(ORDERS, "status", {}), "changeType": "MERGE"}}, "changeType"),
        (
            {"proposal": {**proposal(ORDERS, "status", {}), "aspect": {"value": "{no"}}},
            "contentType",
        ),
    ],
)
def test_invalid_proposals_get_rest_li_400s_and_are_not_recorded(gms, body, message):
    sandbox, http = gms
    response = http.post("/aspects", params={"action": "ingestProposal"}, json=body)
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert response.json()["exceptionClass"].startswith("com.linkedin.restli")
    assert sandbox.recorded("datahub") == []


def test_writes_need_the_token_but_config_does_not(gms):
    sandbox, http = gms
    body = {"proposal": proposal(ORDERS, "status", {"removed": False})}
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer wrong"}):
        refused = http.post(
            "/aspects", params={"action": "ingestProposal"}, json=body, headers=headers
        )
        assert refused.status_code == 401
    assert sandbox.recorded("datahub") == []
    assert http.get("/config", headers={"Authorization": ""}).status_code == 200


def test_snapshot_ingest_is_recorded_one_proposal_per_aspect(gms):
    sandbox, http = gms
    snapshot = {
        "com.linkedin.metadata.snapshot.DatasetSnapshot": {
            "urn": ORDERS,
            "aspects": [
                {"com.linkedin.dataset.DatasetProperties": {"description": "orders"}},
                {"com.linkedin.common.Status": {"removed": False}},
            ],
        }
    }
    response = http.post(
        "/entities", params={"action": "ingest"}, json={"entity": {"value": snapshot}}
    )
    assert response.status_code == 200
    assert [(p["entityType"], p["aspectName"]) for p in sandbox.recorded("datahub")] == [
        ("dataset", "datasetProperties"),
        ("dataset", "status"),
    ]


def test_faults_apply_and_env_points_at_gms_with_the_token(sandbox_factory):
    sandbox = sandbox_factory(services=("datahub",), faults={"datahub": "error_rate=1"})
    env = sandbox.env()
    assert env["FERNWAY_DATAHUB_GMS_URL"] == sandbox.urls["datahub"]
    assert env["FERNWAY_DATAHUB_TOKEN"] == TOKEN
    assert httpx.get(env["FERNWAY_DATAHUB_GMS_URL"] + "/config").status_code >= 500
    sandbox.set_faults("datahub")
    assert httpx.get(env["FERNWAY_DATAHUB_GMS_URL"] + "/config").json()["noCode"] == "true"
