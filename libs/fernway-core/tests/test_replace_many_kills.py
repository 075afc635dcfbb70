"""A writer SIGKILLed inside `Warehouse.replace_many` leaves the previous write whole (DuckDB and
Postgres), and a rerun gives the truth.

Each partition is written as a run writes it: its orders, then its rejects, in one
`replace_many`. The writer is another process (tests/writer_process.py) that stops at an exact
statement (a subclass of `Warehouse`, not a hook in it) or is killed at a measured instant of
its commit or of a whole multi-partition write. Every row names the write (`generation`) it
came from, so a partition is checked row for row: both tables hold exactly one write's rows.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from conftest import Case
from writer_process import (
    PAUSE_POINTS,
    SMALL,
    Job,
    Shape,
    WriterServer,
    orders,
    rejects,
    replacements,
)

from fernway_core.warehouse import Warehouse, quote_ident

DAYS = [dt.date(2026, 8, 1) + dt.timedelta(days=i) for i in range(3)]
DAY = DAYS[1]  # the partition the killed writes replace
KILLED = -9
MIXED = -1  # `generations`: rows of several writes, or not exactly one write's rows
BIG = Shape(rows=60_000, width=120)  # ~10 MB of WAL: a DuckDB commit that takes a while
WAL_SLACK = 64 * 1024  # whole commits' WAL sizes differ by a few hundred bytes between writes
# When the DuckDB commit test kills: at these fractions of a whole commit's WAL, or at an event.
COMMIT_KILLS: tuple[float | str, ...] = (0.05, 0.5, 0.9, "committed")


@pytest.fixture(scope="module")
def writer_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WriterServer]:
    """One warm writer server for the module (importing dagster takes seconds)."""
    server = WriterServer(tmp_path_factory.mktemp("writers") / "stderr.log")
    yield server
    server.close()


@pytest.fixture
def writers(writer_server: WriterServer) -> Iterator[WriterServer]:
    """The writer server, with no writer left paused after the test."""
    yield writer_server
    writer_server.reset()


def write(case: Case, days: list[dt.date], gen: int, shape: Shape = SMALL) -> None:
    """The rerun: generation `gen` of `days`, written by this process, one partition at a time."""
    for day in days:
        case.warehouse.replace_many(replacements(case.schema, day, gen, shape))


def generations(case: Case, shape: Shape = SMALL) -> dict[dt.date, tuple[int, int]]:
    """Per day, the write each table holds exactly: (orders', rejects'), MIXED when none."""
    tables = (
        ("orders", "order_date", "order_id", lambda day, gen: orders(day, gen, shape)),
        ("rejects", "partition_key", "record_key", rejects),
    )
    state: dict[dt.date, list[int]] = {}
    for index, (table, day_column, key, expected) in enumerate(tables):
        rows = case.warehouse.query_arrow(
            f"select * from {quote_ident(case.table(table))} order by {quote_ident(key)}"
        )
        for value in pc.unique(rows[day_column]).to_pylist():
            held = rows.filter(pc.equal(rows[day_column], value))
            day = dt.date.fromisoformat(str(value))
            gens = pc.unique(held["generation"]).to_pylist()
            gen = gens[0] if len(gens) == 1 else MIXED
            state.setdefault(day, [MIXED, MIXED])[index] = (
                gen if gen != MIXED and _equal(held, expected(day, gen)) else MIXED
            )
    return {day: (o, r) for day, (o, r) in sorted(state.items())}


def _equal(held: pa.Table, expected: pa.Table) -> bool:
    """Same columns, same rows in the same order (types as the warehouse returns them)."""
    if held.column_names != expected.column_names:
        return False
    return held.cast(expected.schema).equals(expected)


def same(gen_by_day: dict[dt.date, int]) -> dict[dt.date, tuple[int, int]]:
    """The state where both tables hold write `gen` of each day."""
    return {day: (gen, gen) for day, gen in gen_by_day.items()}


def job(
    case: Case,
    days: list[dt.date],
    gen: int,
    shape: Shape = SMALL,
    pause: str | None = None,
    pg_settings: dict[str, str] | None = None,
) -> Job:
    """A job for the writer server; on Postgres its sessions are named, to be watched."""
    url = case.warehouse.url
    if case.warehouse.dialect == "postgres":
        url += ("&" if "?" in url else "?") + f"application_name=fernway_kill_{uuid.uuid4().hex}"
    days_iso = [day.isoformat() for day in days]
    return Job(url, case.schema, days_iso, gen, shape, pause, pg_settings or {})


def backends(warehouse: Warehouse, the_job: Job) -> list[dict]:
    """The Postgres sessions of a job's writer: state, query, wait event."""
    app = the_job.url.rsplit("application_name=", 1)[1]
    return warehouse.query_arrow(
        "select state, query, wait_event from pg_stat_activity where application_name = ?", [app]
    ).to_pylist()


def settle(case: Case, the_job: Job, timeout: float = 60) -> None:
    """Wait until a killed writer's Postgres session has ended (rolled back or committed)."""
    if case.warehouse.dialect != "postgres":
        return
    deadline = time.monotonic() + timeout
    while backends(case.warehouse, the_job):
        assert time.monotonic() < deadline, "the killed writer's session never ended"
        time.sleep(0.05)


LAST_STATEMENT = {  # what a writer paused at each point last ran (pg_stat_activity.query)
    "after_delete": 'delete from "{schema}"."orders"',
    "between_tables": "select a.attname",  # the rejects table's column check
    "before_commit": 'copy "{schema}"."rejects"',
}


@pytest.mark.parametrize("point", PAUSE_POINTS)
def test_kill_at_a_statement_inside_replace_many_keeps_the_previous_write(
    case: Case, writers: WriterServer, point: str
) -> None:
    write(case, DAYS, gen=0)
    killed = job(case, [DAY], gen=1, pause=point)
    writers.start(killed)
    writers.expect(f"paused {point}")
    if case.warehouse.dialect == "postgres":  # the server agrees where the writer stopped
        (session,) = backends(case.warehouse, killed)
        assert session["state"] == "idle in transaction"
        assert session["query"].startswith(LAST_STATEMENT[point].format(schema=case.schema))
    assert writers.kill()[0] == KILLED
    settle(case, killed)
    assert generations(case) == same(dict.fromkeys(DAYS, 0)), f"killed at {point}"

    write(case, [DAY], gen=1)
    assert generations(case) == same({DAYS[0]: 0, DAY: 1, DAYS[2]: 0})


SLEEP_IN_COMMIT = """
create function {schema}.sleep_in_commit() returns trigger language plpgsql as $$
begin
    if current_setting('fernway_test.commit_sleep_s', true) <> '' then
        perform pg_sleep(current_setting('fernway_test.commit_sleep_s')::float8);
        perform set_config('fernway_test.commit_sleep_s', '', true);  -- once per transaction
    end if;
    return null;
end $$
"""


@pytest.mark.parametrize("case", ["postgres"], indirect=True)
@pytest.mark.parametrize(
    ("settings", "outcome"),
    [
        # The server finishes a COMMIT it has received, whatever happens to the client.
        ({"fernway_test.commit_sleep_s": "2"}, 1),
        # Unless it checks the client while it works: then it aborts the whole transaction.
        (
            {"fernway_test.commit_sleep_s": "30", "client_connection_check_interval": "100"},
            0,
        ),
    ],
    ids=["commit_completes", "server_notices_and_rolls_back"],
)
def test_postgres_kill_while_commit_executes_is_all_or_none(
    case: Case, writers: WriterServer, settings: dict[str, str], outcome: int
) -> None:
    write(case, DAYS, gen=0)
    # A deferred constraint trigger runs inside COMMIT; it sleeps when the session asks.
    orders_table = quote_ident(case.table("orders"))
    case.warehouse.execute(SLEEP_IN_COMMIT.format(schema=quote_ident(case.schema)))
    case.warehouse.execute(
        f"create constraint trigger sleep_in_commit after insert on {orders_table} "
        "deferrable initially deferred for each row "
        f"execute function {quote_ident(case.schema)}.sleep_in_commit()"
    )
    killed = job(case, [DAY], gen=1, pg_settings=settings)
    writers.start(killed)
    writers.expect("commit")
    deadline = time.monotonic() + 60
    while backends(case.warehouse, killed) != [
        {"state": "active", "query": "COMMIT", "wait_event": "PgSleep"}
    ]:
        assert time.monotonic() < deadline, backends(case.warehouse, killed)
        time.sleep(0.02)
    assert writers.kill()[0] == KILLED
    settle(case, killed)
    assert generations(case) == same({DAYS[0]: 0, DAY: outcome, DAYS[2]: 0})

    write(case, [DAY], gen=1)
    assert generations(case) == same({DAYS[0]: 0, DAY: 1, DAYS[2]: 0})


@pytest.mark.parametrize("case", ["duckdb"], indirect=True)
def test_duckdb_kill_while_commit_writes_the_wal_is_all_or_none(
    case: Case, writers: WriterServer
) -> None:
    """DuckDB writes a transaction's rows to the WAL during COMMIT, its commit marker last.

    Killed while the WAL is still well short of a whole commit, the writer must leave the
    previous write; killed after the commit returned (in the checkpoint on close), the new one;
    in between, one or the other. Reopening the file replays or drops the WAL's tail.
    """
    wal = Path(f"{case.warehouse.duckdb_path}.wal")
    write(case, [DAY], gen=0, shape=BIG)
    writers.start(job(case, [DAY], gen=1, shape=BIG))
    whole = int(writers.expect("committed").split()[1])  # the WAL after a whole commit
    assert writers.wait()[0] == 0
    assert whole > 5_000_000, whole

    previous, outcomes = 1, []
    for gen, kill_at in enumerate(COMMIT_KILLS, start=2):
        writers.start(job(case, [DAY], gen=gen, shape=BIG))
        writers.expect("commit")
        if isinstance(kill_at, str):
            writers.expect(kill_at)
        else:
            deadline = time.monotonic() + 60
            while not (wal.exists() and wal.stat().st_size >= kill_at * whole):
                assert time.monotonic() < deadline, "the commit never wrote the WAL"
                time.sleep(0.0005)
        assert writers.kill()[0] == KILLED
        left = wal.stat().st_size if wal.exists() else None  # None: checkpointed and removed
        state = generations(case, BIG)[DAY]
        outcomes.append((kill_at, left, state))
        assert state in ((previous, previous), (gen, gen)), outcomes
        if kill_at == "committed":
            assert state == (gen, gen), outcomes
        elif left is not None and left < whole - WAL_SLACK:  # far from the commit marker
            assert state == (previous, previous), outcomes
        previous = state[0]
    killed_mid_commit = [o for o in outcomes if o[1] is not None and o[1] < whole - WAL_SLACK]
    assert killed_mid_commit, f"no kill landed mid-commit: {outcomes}"

    write(case, [DAY], gen=previous + 1, shape=BIG)
    assert generations(case, BIG) == same({DAY: previous + 1})


SWEEP_DAYS = [dt.date(2026, 7, 1) + dt.timedelta(days=i) for i in range(6)]
SWEEP_KILLS = 15


def test_kill_sweep_over_a_whole_write_leaves_every_partition_all_or_none(
    case: Case, writers: WriterServer
) -> None:
    durations = []
    for _ in range(2):  # the longer of two whole writes: a loaded machine is not steady
        writers.start(job(case, SWEEP_DAYS, gen=1))
        durations.append(float(writers.expect("done").split()[1]))
        assert writers.wait()[0] == 0
    duration = max(durations)
    assert generations(case) == same(dict.fromkeys(SWEEP_DAYS, 1))

    rng = random.Random(20260801)
    landed = []  # partitions the killed write had committed, per kill
    for i in range(SWEEP_KILLS):
        gen = i + 2
        at = (i + rng.random()) * duration / SWEEP_KILLS  # one instant per slice of the write
        killed = job(case, SWEEP_DAYS, gen=gen)
        writers.start(killed)
        time.sleep(at)
        assert writers.kill()[0] in (KILLED, 0)  # 0: the write ended first
        settle(case, killed)
        state = generations(case)
        assert set(state) == set(SWEEP_DAYS), f"kill {i} at {at:.3f}s: a partition vanished"
        for day, (o, r) in state.items():
            where = f"kill {i} at {at:.3f}s: {day} holds {(o, r)}"
            assert o == r, where
            assert o in (gen - 1, gen), where
        landed.append(sum(o == gen for o, _ in state.values()))

        write(case, SWEEP_DAYS, gen=gen)
        assert generations(case) == same(dict.fromkeys(SWEEP_DAYS, gen)), f"rerun after kill {i}"
    assert any(0 < n < len(SWEEP_DAYS) for n in landed), f"no kill landed mid-write: {landed}"
