"""Apply time of a changed bulk table against how many rows changed, on SQLite and PostgreSQL.

A district of ``2 * changed`` students is loaded; then a bulk sync renames ``changed`` of them and leaves
out 2 % (removed, under the deletion guard's limit). An apply that grows linearly doubles its time when the
changed rows double; the anti-join of the removal step used to make it quadruple on SQLite.

    .venv/bin/python bench/apply_scaling.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import time
import uuid

import numpy as np
import pyarrow as pa
from sqlalchemy import create_engine, make_url, text

from hub.connector import NormalizedBatch, SyncMode
from hub.warehouse import Warehouse

SIZES = (10_000, 20_000, 40_000, 80_000)
DISTRICT = "bench"


def people(count: int, name: str, skip_every: int | None = None) -> pa.Table:
    ids = np.arange(count)
    if skip_every:
        ids = ids[ids % skip_every != 0]
    labels = pa.array(np.char.add("student-", ids.astype(str)))
    return pa.table(
        {
            "source_id": labels,
            "role": pa.repeat("student", len(ids)),
            "given_name": pa.array(np.char.add(name, (ids % 97).astype(str))),
            "enabled": pa.repeat(True, len(ids)),
        }
    )


def seconds_to_apply(url: str, changed: int) -> float:
    house = Warehouse(url)
    try:
        house.register_district(DISTRICT, "Bench", "America/Chicago")
        total = 2 * changed
        house.apply(DISTRICT, "roster", _bulk(people(total, "Ana")))
        renamed = pa.concat_tables(
            [people(changed, "Bea", skip_every=50), people(total, "Ana").slice(changed)]
        )
        start = time.perf_counter()
        house.apply(DISTRICT, "roster", _bulk(renamed))
        return time.perf_counter() - start
    finally:
        house.dispose()


def _bulk(table: pa.Table) -> NormalizedBatch:
    return NormalizedBatch(tables={"person": table}, modes={"person": SyncMode.BULK})


def _on_postgres(admin_url: str, changed: int) -> float:
    name = f"bench_apply_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        return seconds_to_apply(make_url(admin_url).set(database=name).render_as_string(False), changed)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sqlite-dir", default="/tmp")
    arguments = parser.parse_args()
    print(f"{'changed rows':>12}  {'SQLite s':>9}  {'per 10k':>8}  {'PostgreSQL s':>12}  {'per 10k':>8}")
    for changed in SIZES:
        path = f"{arguments.sqlite_dir}/bench_apply_{uuid.uuid4().hex[:10]}.db"
        lite = seconds_to_apply(f"sqlite:///{path}", changed)
        pg = _on_postgres(arguments.pg, changed)
        per = 10_000 / changed
        print(f"{changed:>12,}  {lite:>9.2f}  {lite * per:>8.2f}  {pg:>12.2f}  {pg * per:>8.2f}")


if __name__ == "__main__":
    main()
