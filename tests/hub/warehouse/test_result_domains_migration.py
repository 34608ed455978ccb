"""Revision 0011 moves domain rows into result_domains (one row per test) behind a domain_result view:
rows written at 0010 read back the same after the upgrade, and again as a table after the downgrade."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from hub.warehouse import Warehouse
from hub.warehouse.engine import alembic_config

COLUMNS = ["source_id", "result_source_id", "vendor_domain", "canonical_domain", "scale_score"]
COLUMNS += ["standard_error", "placement", "grade_levels_below", "goal_adjective", "range_text", "status"]
DISTRICT = "INSERT INTO district (district_id, name, timezone) VALUES ('d1', 'D', 'UTC')"
DOMAINS = [  # in key order; r3's only domain was deleted
    ("r1:Foundational Skills", "r1", "Foundational Skills", "phonics", 188.0, 5.0, None, None, "Low",
     "185-191", "active"),
    ("r1:Vocabulary", "r1", "Vocabulary", "vocabulary", 201.5, 4.1, None, None, "Avg", "198-204", "active"),
    ("r2:Phonics", "r2", "Phonics", "phonics", 412.0, None, "Grade 1", 2, None, None, "active"),
    ("r3:Geometry", "r3", "Geometry", None, None, None, None, None, None, None, "deleted"),
]  # fmt: skip


def _migrate(url: str, how: str, revision: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        getattr(command, how)(alembic_config(connection), revision)
    engine.dispose()


def test_rows_move_into_slots_and_back(warehouse_url: str) -> None:
    _migrate(warehouse_url, "upgrade", "0010_lean_diagnostics_indexes")
    engine = create_engine(warehouse_url)
    marks = ", ".join(f":{column}" for column in COLUMNS)
    with engine.begin() as connection:
        connection.execute(text(DISTRICT))
        connection.execute(
            text(f"INSERT INTO domain_result (district_id, {', '.join(COLUMNS)}) VALUES ('d1', {marks})"),
            [dict(zip(COLUMNS, row, strict=True)) for row in DOMAINS],
        )
    engine.dispose()

    house = Warehouse(warehouse_url)  # migrates to head
    try:
        read = house.read("domain_result", "d1", active_only=False, columns=COLUMNS).sort_by("source_id")
        assert [tuple(row.values()) for row in read.to_pylist()] == DOMAINS
        assert house.count("result_domains", "d1", active_only=False) == 3
        assert house.count("result_domains", "d1") == 2  # r3 stays deleted
    finally:
        house.dispose()
    assert "domain_result" in inspect(create_engine(warehouse_url)).get_view_names()

    _migrate(warehouse_url, "downgrade", "0010_lean_diagnostics_indexes")
    engine = create_engine(warehouse_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(f"SELECT {', '.join(COLUMNS)} FROM domain_result ORDER BY source_id")
        ).all()
        names = inspect(connection).get_table_names()
    engine.dispose()
    assert [tuple(row) for row in rows] == DOMAINS
    assert "domain_result" in names and "result_domains" not in names


def test_an_upgrade_that_would_drop_domains_stops(warehouse_url: str) -> None:
    _migrate(warehouse_url, "upgrade", "0010_lean_diagnostics_indexes")
    engine = create_engine(warehouse_url)
    with engine.begin() as connection:
        connection.execute(text(DISTRICT))
        connection.execute(
            text(
                "INSERT INTO domain_result (district_id, source_id, result_source_id, vendor_domain) "
                "VALUES ('d1', :s, 'r1', :v)"
            ),
            [{"s": f"r1:Goal{n}", "v": f"Goal{n}"} for n in range(1, 10)],
        )
    engine.dispose()
    with pytest.raises(RuntimeError, match=r"1 domain row\(s\) are past the 8th domain"):
        _migrate(warehouse_url, "upgrade", "head")
    engine = create_engine(warehouse_url)
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT COUNT(*) FROM domain_result")).scalar_one()
    engine.dispose()
    assert kept == 9
