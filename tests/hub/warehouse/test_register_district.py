"""A new district registered by several processes at once: the first steps of its night start together on
several Celery workers, each opening the warehouse, and none may fail for the others."""

from __future__ import annotations

import multiprocessing

from sqlalchemy import select

from hub.model import District
from hub.warehouse import Warehouse

DISTRICTS = [f"district_{number:02}" for number in range(30)]


def _register(url: str, start: multiprocessing.synchronize.Barrier) -> None:
    warehouse = Warehouse(url)
    try:
        warehouse.engine.connect().close()  # connected before the start, so they meet at the statement
        start.wait()
        for district_id in DISTRICTS:
            warehouse.register_district(district_id, "New", "America/Chicago")
    finally:
        warehouse.dispose()


def test_districts_registered_at_once_by_six_processes_are_one_row_each(warehouse_url: str) -> None:
    Warehouse(warehouse_url).dispose()  # migrated once, as the profile does before its workers start
    context = multiprocessing.get_context("fork")
    start = context.Barrier(6)
    workers = [context.Process(target=_register, args=(warehouse_url, start)) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0] * 6

    warehouse = Warehouse(warehouse_url)
    try:
        warehouse.register_district(DISTRICTS[0], "Renamed", "America/Denver")
        with warehouse.engine.connect() as connection:
            rows = connection.execute(select(District.district_id, District.name, District.timezone)).all()
    finally:
        warehouse.dispose()
    expected = [(DISTRICTS[0], "Renamed", "America/Denver")] + [
        (d, "New", "America/Chicago") for d in DISTRICTS[1:]
    ]
    assert sorted(tuple(row) for row in rows) == expected
