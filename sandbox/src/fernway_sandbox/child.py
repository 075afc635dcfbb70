"""Entry of isolated services: `python -m fernway_sandbox.child NAME HOST PORT SEED FAULTS`."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from fernway_sandbox.config import SandboxConfig
from fernway_sandbox.errors import ConfigError
from fernway_sandbox.faults import parse_faults
from fernway_sandbox.middleware import FaultMiddleware, FaultState
from fernway_sandbox.server import bind
from fernway_sandbox.services import REGISTRY
from fernway_sandbox.services.base import ServiceContext


def exit_with_parent(parent: int) -> None:
    """Exit as soon as the parent process is gone (no orphans)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main(argv: list[str]) -> int:
    """Serve one registered service until terminated."""
    name, host, port, seed, spec = argv
    try:
        service = REGISTRY[name]
        state = FaultState(parse_faults(spec), int(seed), name)
        ctx = ServiceContext(name=name, config=SandboxConfig(seed=int(seed)), faults=state)
        handler = service.request_handler() if service.request_handler else None
        server = bind(FaultMiddleware(service.create_app(ctx), state), host, int(port), handler)
    except (ConfigError, KeyError) as exc:
        print(f"ERROR {exc}", flush=True)
        return 2
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent sandbox decides when to stop
    threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()
    print(f"READY {server.socket.getsockname()[1]}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
