"""The service registry: adding a stand-in is one module plus one line here."""

from __future__ import annotations

from fernway_sandbox.services import (
    control,
    couriers,
    datahub,
    github,
    marketplace,
    s3,
    slack,
    weather,
)
from fernway_sandbox.services.base import ServiceContext, ServiceSpec

REGISTRY: dict[str, ServiceSpec] = {
    spec.name: spec
    for spec in (
        marketplace.SPEC,
        s3.SPEC,
        control.SPEC,
        weather.SPEC,
        slack.SPEC,
        github.SPEC,
        couriers.SPEC,
        datahub.SPEC,
    )
}

__all__ = ["REGISTRY", "ServiceContext", "ServiceSpec"]
