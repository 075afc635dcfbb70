"""Fault settings per service: parsing from `k=v,...` specs, env vars and CLI flags."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fernway_sandbox.errors import ConfigError

ENV_PREFIX = "FERNWAY_SANDBOX_FAULTS_"
RATES = ("error_rate", "rate_limit_rate", "truncate_rate", "malformed_rate")


@dataclass(frozen=True)
class Faults:
    """Injected faults for one service; all zero means a well-behaved service."""

    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after_s: float = 1.0
    latency_ms: float = 0.0
    truncate_rate: float = 0.0
    malformed_rate: float = 0.0

    def __post_init__(self) -> None:
        for name in RATES:
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ConfigError(f"fault {name} must be between 0 and 1")
        if self.error_rate + self.rate_limit_rate > 1.0:
            raise ConfigError("fault error_rate + rate_limit_rate must not exceed 1")
        if self.retry_after_s < 0 or self.latency_ms < 0:
            raise ConfigError("fault retry_after_s and latency_ms must be >= 0")

    @property
    def active(self) -> bool:
        """True when any fault is switched on."""
        return self != Faults()

    def to_spec(self) -> str:
        """The `k=v,...` form of the non-default settings."""
        default = Faults()
        return ",".join(
            f"{f.name}={getattr(self, f.name)}"
            for f in dataclasses.fields(self)
            if getattr(self, f.name) != getattr(default, f.name)
        )


FIELDS = frozenset(f.name for f in dataclasses.fields(Faults))


def parse_faults(spec: str, base: Faults | None = None) -> Faults:
    """Parse `error_rate=0.2,latency_ms=20` into Faults, overriding `base`."""
    values: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or key not in FIELDS:
            raise ConfigError(
                f"unknown fault setting {item!r} (known: {', '.join(sorted(FIELDS))})"
            )
        try:
            values[key] = float(raw)
        except ValueError:
            raise ConfigError(f"fault {key} needs a number, got {raw.strip()!r}") from None
    return dataclasses.replace(base or Faults(), **values)


def coerce_faults(value: Faults | Mapping[str, float] | str | None) -> Faults:
    """Accept Faults, a mapping of settings, a `k=v,...` string or None."""
    if value is None:
        return Faults()
    if isinstance(value, Faults):
        return value
    if isinstance(value, str):
        return parse_faults(value)
    unknown = set(value) - FIELDS
    if unknown:
        raise ConfigError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
    return Faults(**{k: float(v) for k, v in value.items()})


def faults_from_env(
    services: Iterable[str], environ: Mapping[str, str] | None = None
) -> dict[str, Faults]:
    """Read FERNWAY_SANDBOX_FAULTS_<SERVICE> for each service that has it set."""
    env = os.environ if environ is None else environ
    found = {s: env.get(ENV_PREFIX + s.upper(), "") for s in services}
    return {s: parse_faults(spec) for s, spec in found.items() if spec.strip()}


def parse_cli_faults(specs: Iterable[str], base: Mapping[str, Faults]) -> dict[str, Faults]:
    """Apply CLI `service:k=v,...` specs on top of `base` (e.g. faults from env)."""
    result = dict(base)
    for spec in specs:
        service, sep, settings = spec.partition(":")
        if not sep or not service.strip():
            raise ConfigError(f"--faults needs SERVICE:k=v,..., got {spec!r}")
        name = service.strip()
        result[name] = parse_faults(settings, result.get(name))
    return result
