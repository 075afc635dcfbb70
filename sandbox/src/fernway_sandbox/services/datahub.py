"""DataHub GMS stand-in: what `acryl-datahub`'s REST emitter (Rest.li mode) and `datahub ingest`
send. `GET /config` (`noCode: "true"`, a core version below the OpenAPI-ingestion threshold so
clients use Rest.li), `POST /aspects?action=ingestProposal|ingestProposalBatch`,
`POST /entities?action=ingest` (snapshot MCEs), `GET /aspects/<urn>?aspect=&version=` (404 when
not held). Every proposal is recorded; `GET /_sandbox/proposals` reads them back.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from werkzeug.wrappers import Request, Response

from fernway_sandbox.services.base import ServiceContext, ServiceSpec

VERSION = "v1.0.0"
CONFIG = {
    "models": {},
    "patchCapable": True,
    "versions": {"acryldata/datahub": {"version": VERSION, "commit": "0" * 40}},
    "managedIngestion": {"defaultCliVersion": "1.0.0", "enabled": False},
    "statefulIngestionCapable": True,
    "supportsImpactAnalysis": False,
    "timeZone": "GMT",
    "telemetry": {"enabledCli": False, "enabledIngestion": False},
    "datasetUrnNameCasing": False,
    "retention": "true",
    "datahub": {"serverType": "quickstart", "serverEnv": "core"},
    "noCode": "true",
}
PROPOSALS_PATH = "/_sandbox/proposals"
WRITE_TYPES = ("UPSERT", "CREATE", "CREATE_ENTITY", "RESTATE")
CHANGE_TYPES = (*WRITE_TYPES, "PATCH", "DELETE", "UPDATE")
RESTLI_ERROR = "com.linkedin.restli.server.RestLiServiceException"
# Rest.li answers an aspect read keyed by its Pegasus class (`DataHubGraph.get_aspect` looks
# there); aspects not listed are keyed by their aspect name.
NAMESPACES = {
    "com.linkedin.common": (
        "browsePaths browsePathsV2 dataPlatformInstance deprecation globalTags glossaryTerms "
        "institutionalMemory ownership status subTypes"
    ),
    "com.linkedin.dataset": "datasetProperties editableDatasetProperties upstreamLineage",
    "com.linkedin.schema": "schemaMetadata editableSchemaMetadata",
    "com.linkedin.container": "container containerProperties",
    "com.linkedin.datajob": "dataFlowInfo dataJobInfo dataJobInputOutput",
    "com.linkedin.dataprocess": "dataProcessInstanceProperties dataProcessInstanceRelationships",
}
CLASSES = {
    name: f"{namespace}.{name[0].upper()}{name[1:]}"
    for namespace, names in NAMESPACES.items()
    for name in names.split()
}


def reply(body: object, status: int = 200) -> Response:
    """A JSON response with the Rest.li protocol header GMS sends."""
    headers = {"X-RestLi-Protocol-Version": "2.0.0"}
    return Response(orjson.dumps(body), status, headers, mimetype="application/json")


def failure(message: str, status: int = 400) -> Response:
    """A Rest.li error body (the SDK reports its `message`)."""
    body = {"exceptionClass": RESTLI_ERROR, "message": message, "status": status}
    return reply(body, status)


class Invalid(ValueError):
    """A proposal the server refuses (400)."""


def parse_proposal(raw: Any) -> dict[str, Any]:
    """A proposal as recorded: its fields, the aspect's JSON value decoded (Invalid if bad)."""
    if not isinstance(raw, dict):
        raise Invalid("proposal must be an object")
    missing = [k for k in ("entityType", "changeType") if not raw.get(k)]
    if not raw.get("entityUrn") and not raw.get("entityKeyAspect"):
        missing.append("entityUrn")
    if missing:
        raise Invalid(f"proposal lacks required field(s) {', '.join(missing)}")
    if raw["changeType"] not in CHANGE_TYPES:
        raise Invalid(f"unknown changeType {raw['changeType']!r}")
    record = {k: raw.get(k) for k in ("entityType", "entityUrn", "changeType", "aspectName")}
    aspect = raw.get("aspect")
    if aspect is not None:
        if not isinstance(aspect, dict) or aspect.get("contentType") != "application/json":
            raise Invalid("aspect must be {value, contentType: application/json}")
        try:
            record["aspect"] = orjson.loads(aspect.get("value") or "")
        except orjson.JSONDecodeError:
            raise Invalid(f"aspect {raw.get('aspectName')} is not a JSON string") from None
    if raw["changeType"] in WRITE_TYPES and not (record["aspectName"] and aspect is not None):
        raise Invalid(f"{raw['changeType']} needs aspectName and aspect")
    record["systemMetadata"] = raw.get("systemMetadata")
    return record


class ProposalLog:
    """Every accepted proposal in order, and the latest versions of each written aspect."""

    def __init__(self) -> None:
        self._proposals: list[dict[str, Any]] = []
        self._aspects: dict[tuple[str, str], list[Any]] = {}
        self._lock = threading.Lock()

    def add(self, records: list[dict[str, Any]], how: str) -> None:
        """Record proposals accepted together (one request)."""
        with self._lock:
            for record in records:
                self._proposals.append({**record, "via": how})
                if record["changeType"] in WRITE_TYPES:
                    key = (record["entityUrn"], record["aspectName"])
                    self._aspects.setdefault(key, []).append(record["aspect"])

    def aspect(self, urn: str, name: str, version: int) -> Any:
        """Version 0 = latest, k = the k-th oldest; None when not held."""
        with self._lock:
            versions = self._aspects.get((urn, name), [])
        if version == 0 and versions:
            return versions[-1]
        return versions[version - 1] if 0 < version <= len(versions) else None

    def records(self, urn: str | None = None, aspect: str | None = None) -> list[dict[str, Any]]:
        """Proposals so far, oldest first, optionally of one entity and/or aspect."""
        with self._lock:
            return [
                dict(p)
                for p in self._proposals
                if (urn is None or p["entityUrn"] == urn)
                and (aspect is None or p["aspectName"] == aspect)
            ]


class DataHubApp:
    """WSGI app answering like DataHub GMS for ingestion clients."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.log: ProposalLog = ctx.state.setdefault("proposals", ProposalLog())

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        return self.dispatch(Request(environ))(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        """Public /config and /health; everything else needs the bearer token."""
        path, action = request.path, request.args.get("action")
        if path in ("/config", "/health"):
            return reply(CONFIG if path == "/config" else {"status": "ok"})
        if path == PROPOSALS_PATH:
            args = request.args
            proposals = self.log.records(args.get("entityUrn"), args.get("aspectName"))
            return reply({"proposals": proposals})
        expected = f"Bearer {self.ctx.config.datahub_token}".encode()
        if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected):
            return failure("Unauthorized to perform this action. Please provide a token.", 401)
        try:
            if request.method == "POST" and path == "/aspects":
                return self.ingest(request, action)
            if request.method == "POST" and path == "/entities" and action == "ingest":
                return self.ingest_snapshot(request)
            if request.method == "GET" and path.startswith("/aspects/"):
                return self.read(request, path.removeprefix("/aspects/"))
        except Invalid as exc:
            return failure(str(exc))
        return failure(f"No resource for {request.method} {path}?action={action}", 404)

    def body(self, request: Request) -> dict[str, Any]:
        try:
            body = orjson.loads(request.get_data() or b"{}")
        except orjson.JSONDecodeError:
            raise Invalid("body is not JSON") from None
        if not isinstance(body, dict):
            raise Invalid("body must be a JSON object")
        return body

    def ingest(self, request: Request, action: str | None) -> Response:
        """ingestProposal `{"proposal", "async"}` / ingestProposalBatch `{"proposals", ...}`."""
        body = self.body(request)
        if action == "ingestProposal":
            records = [parse_proposal(body.get("proposal"))]
        elif action == "ingestProposalBatch":
            if not isinstance(body.get("proposals"), list):
                raise Invalid("ingestProposalBatch needs a proposals list")
            records = [parse_proposal(p) for p in body["proposals"]]
        else:
            raise Invalid(f"unknown action {action!r} on /aspects")
        self.log.add(records, action)
        urns = [r["entityUrn"] for r in records]
        return reply({"value": urns[0] if action == "ingestProposal" else urns})

    def ingest_snapshot(self, request: Request) -> Response:
        """`entities?action=ingest`: a snapshot MCE, recorded one proposal per aspect."""
        entity = (self.body(request).get("entity") or {}).get("value") or {}
        if not isinstance(entity, dict) or len(entity) != 1:
            raise Invalid("entity.value must hold one snapshot")
        kind, snapshot = next(iter(entity.items()))
        urn = snapshot.get("urn") if isinstance(snapshot, dict) else None
        if not urn:
            raise Invalid("snapshot lacks its urn")
        records = []
        for item in snapshot.get("aspects") or []:
            (name, value), *_ = item.items()
            short = name.rsplit(".", 1)[-1]
            records.append(
                {
                    "entityType": kind.rsplit(".", 1)[-1].removesuffix("Snapshot").lower(),
                    "entityUrn": urn,
                    "changeType": "UPSERT",
                    "aspectName": short[0].lower() + short[1:],
                    "aspect": value,
                    "systemMetadata": None,
                }
            )
        self.log.add(records, "ingest")
        return reply({})

    def read(self, request: Request, urn: str) -> Response:
        """`GET /aspects/<urn>?aspect=&version=`: the aspect keyed by its class, else 404."""
        name = request.args.get("aspect", "")
        try:
            version = int(request.args.get("version", "0"))
        except ValueError:
            raise Invalid("version must be an integer") from None
        value = self.log.aspect(urn, name, version)
        if value is None:
            return failure(f"No aspect {name} version {version} for {urn}", 404)
        key = CLASSES.get(name, name)
        return reply({"aspect": {key: value}, "version": version})


def env(ctx: ServiceContext) -> dict[str, str]:
    """Where the platform's DataHub emitter finds GMS and the token it sends."""
    return {"FERNWAY_DATAHUB_GMS_URL": ctx.url, "FERNWAY_DATAHUB_TOKEN": ctx.config.datahub_token}


def proposals(ctx: ServiceContext) -> list[dict[str, Any]]:
    """Every proposal accepted so far, oldest first."""
    log: ProposalLog | None = ctx.state.get("proposals")
    return log.records() if log else []


SPEC = ServiceSpec("datahub", DataHubApp, env=env, cli_port=8708, recorded=proposals)
