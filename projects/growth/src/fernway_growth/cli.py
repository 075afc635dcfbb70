"""`growth check` / `growth apply`: the declared GitHub pipeline against the warehouse.

`check` prints the plan (tables and columns to create or change, dispositions, keys, the
cursor) and a connectivity check against the API, and changes nothing. `apply` makes the
warehouse match (through dlt) and prints what it did. Settings as every location reads them.
"""

from __future__ import annotations

import argparse
import sys

from fernway_core.settings import SettingsError, validate_settings
from fernway_core.warehouse import Warehouse
from fernway_growth.defs.github.reconcile import ApplyRefused, apply, declared_from, read_plan
from fernway_growth.defs.github.source import Api, check_connection, github_source


def main(argv: list[str] | None = None) -> int:
    """Run `check` or `apply`; exit 1 when the API is unreachable or apply refuses, 2 on bad
    settings."""
    parser = argparse.ArgumentParser(prog="growth", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("check", "apply"))
    args = parser.parse_args(argv)
    try:
        settings = validate_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    api = Api(
        settings.github_url,
        settings.github_token.get_secret_value(),
        tuple(settings.github_repo_list),
    )
    warehouse = Warehouse(url=settings.resolved_warehouse_url)
    reachable, why = check_connection(api)
    state = "reachable, token accepted" if reachable else f"NOT reachable: {why.splitlines()[0]}"
    print(f"GitHub API {api.base_url}: {state} ({len(api.repos)} repositories declared)")
    declared = declared_from(github_source(api))
    current = read_plan(warehouse, declared)
    if args.command == "check":
        print("\n".join(current.lines()))
        return 0 if reachable else 1
    try:
        done = apply(warehouse, declared, current)
    except ApplyRefused as exc:
        print(exc, file=sys.stderr)
        return 1
    print("\n".join(done) if done else "Nothing to apply: the warehouse matches.")
    print(f"Applied {len(done)} change(s).")
    return 0 if reachable else 1


if __name__ == "__main__":
    sys.exit(main())
