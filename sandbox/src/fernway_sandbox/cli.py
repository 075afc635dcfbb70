"""Command line: serve the sandbox, write its truth, or drive a running one."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import NoReturn

from fernway_sandbox.config import DEFAULTS, SandboxConfig
from fernway_sandbox.errors import ConfigError
from fernway_sandbox.faults import faults_from_env, parse_cli_faults

PROG = "fernway-sandbox"


class Parser(argparse.ArgumentParser):
    """argparse that reports errors as one line (exit code 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: error: {message}\n")


def iso_date(value: str) -> dt.date:
    """argparse type for YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {value!r}") from None


def data_args(p: argparse.ArgumentParser) -> None:
    """Options shared by serve and truth."""
    p.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    p.add_argument("--scale", type=int, default=DEFAULTS["scale"], help="number of API orders")
    p.add_argument("--start", type=iso_date, default=None, help="first day (default today-days)")
    p.add_argument("--days", type=int, default=DEFAULTS["days"])
    p.add_argument("--truth", type=Path, default=None, help="write the ground truth JSON here")
    p.add_argument("--faults", action="append", default=[], metavar="SERVICE:k=v,...")
    p.add_argument(
        "--timesheet-corrupt-files",
        type=int,
        default=DEFAULTS["timesheet_corrupt_files"],
        help="courier timesheet files in S3 served corrupt (truncated, empty, missing column)",
    )


def build_parser() -> Parser:
    """The CLI definition."""
    from fernway_sandbox.services import REGISTRY

    parser = Parser(prog=PROG, description="Local stand-ins for Fernway's external systems.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    serve = sub.add_parser("serve", help="serve every service until SIGINT/SIGTERM")
    data_args(serve)
    serve.add_argument("--host", default="127.0.0.1")
    for name, spec in REGISTRY.items():
        serve.add_argument(f"--port-{name}", type=int, default=spec.cli_port, dest=f"port_{name}")
    serve.add_argument("--ready-file", type=Path, default=None)
    serve.add_argument(
        "--weather-calls-per-minute",
        type=int,
        default=DEFAULTS["weather_calls_per_minute"],
        help="per-key limit of the weather API (60 = OpenWeatherMap's free plan)",
    )
    data_args(sub.add_parser("truth", help="write the ground truth without serving"))
    put = sub.add_parser("put-export", help="drop an extra partner export into a running sandbox")
    put.add_argument("--day", type=iso_date, required=True)
    put.add_argument("--rows", type=int, default=0)
    put.add_argument(
        "--control", default=None, help="control URL (env FERNWAY_SANDBOX_CONTROL_URL)"
    )
    faults = sub.add_parser("set-faults", help="change a running sandbox's faults")
    faults.add_argument("spec", metavar="SERVICE:k=v,...")
    faults.add_argument("--control", default=None)
    return parser


def make_config(args: argparse.Namespace) -> SandboxConfig:
    """SandboxConfig from parsed arguments plus FERNWAY_SANDBOX_FAULTS_<SERVICE> env vars."""
    from fernway_sandbox.services import REGISTRY

    faults = parse_cli_faults(args.faults, faults_from_env(REGISTRY))
    ports = {
        name: getattr(args, f"port_{name}") for name in REGISTRY if hasattr(args, f"port_{name}")
    }
    return SandboxConfig(
        seed=args.seed,
        scale=args.scale,
        start=args.start,
        days=args.days,
        faults=faults,
        host=getattr(args, "host", "127.0.0.1"),
        ports=ports,
        truth_path=args.truth,
        timesheet_corrupt_files=args.timesheet_corrupt_files,
        weather_calls_per_minute=getattr(
            args, "weather_calls_per_minute", DEFAULTS["weather_calls_per_minute"]
        ),
    )


def control(args: argparse.Namespace, method: str, path: str, body: bytes | None = None) -> int:
    """Call the control API of a running sandbox and print its JSON answer."""
    base = args.control or os.environ.get("FERNWAY_SANDBOX_CONTROL_URL", "http://127.0.0.1:8703")
    request = urllib.request.Request(base.rstrip("/") + path, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            print(response.read().decode())
    except urllib.error.HTTPError as exc:
        raise ConfigError(json.loads(exc.read() or b"{}").get("error", str(exc))) from None
    except urllib.error.URLError as exc:
        raise ConfigError(f"cannot reach the sandbox control API at {base}: {exc.reason}") from None
    return 0


def serve(config: SandboxConfig, ready_file: Path | None) -> int:
    """Run until SIGINT/SIGTERM, then shut down cleanly."""
    from fernway_sandbox.sandbox import Sandbox

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if ready_file is not None:
        ready_file.unlink(missing_ok=True)
    with Sandbox(config) as sandbox:
        print(
            f"{PROG} ready: seed={config.seed} scale={config.scale} "
            f"window={config.window_start}..{config.end} (end exclusive)"
        )
        for name, url in sandbox.urls.items():
            print(f"  {name:<12} {url}")
        print("environment for the platform:")
        for key, value in sandbox.env().items():
            print(f"  {key}={value}")
        sys.stdout.flush()
        if ready_file is not None:
            ready_file.parent.mkdir(parents=True, exist_ok=True)
            ready_file.write_text(
                json.dumps(
                    {"pid": os.getpid(), "urls": sandbox.urls, "env": sandbox.env()}, indent=2
                )
            )
        try:
            while not stop.wait(0.5):
                pass
        finally:
            if ready_file is not None:
                ready_file.unlink(missing_ok=True)
    print(f"{PROG} stopped", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; configuration problems are one line on stderr and exit code 2."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "put-export":
            query = urllib.parse.urlencode({"day": args.day.isoformat(), "rows": args.rows})
            return control(args, "POST", f"/exports?{query}")
        if args.command == "set-faults":
            service, _, spec = args.spec.partition(":")
            return control(args, "PUT", f"/faults/{service}", spec.encode())
        config = make_config(args)
        if args.command == "serve":
            return serve(config, args.ready_file)
        from fernway_sandbox.sandbox import Sandbox

        sandbox = Sandbox(config)
        if config.truth_path is None:
            print(json.dumps(sandbox.truth, indent=2))
        else:
            sandbox.write_truth(config.truth_path)
        return 0
    except ConfigError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
