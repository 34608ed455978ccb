"""Revision 0010 drops domain_result's and skill_gap's second indexes: rows stored in the old shape read
back the same, only the primary keys remain, and a downgrade puts the indexes back."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from hub.warehouse import Warehouse
from hub.warehouse.engine import alembic_config

DOMAINS = [  # source_id, result_source_id, vendor_domain, canonical_domain, scale, placement, levels below
    ("r1:Phonics", "r1", "Phonics", "phonics", 412.0, "Grade 1", 2),
    ("r1:Vocabulary", "r1", "Vocabulary", "vocabulary", 455.5, "Grade 2", 0),
    ("r2:Geometry", "r2", "Geometry", "geometry", None, None, None),
]
GAP = ("s1:ela:phonics:2026:fall", "s1", "ela", "phonics", 2026, "fall", 2, 412.0, "r1", "i-Ready Phonics")
DROPPED = {"domain_result": "ix_domain_result_result", "skill_gap": "ix_skill_gap_person"}


def _indexes(url: str) -> dict[str, set[str]]:
    engine = create_engine(url)
    found = {table: {index["name"] for index in inspect(engine).get_indexes(table)} for table in DROPPED}
    engine.dispose()
    return found


def test_indexes_go_and_rows_stay(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0009_input_files")
        connection.execute(
            text("INSERT INTO district (district_id, name, timezone) VALUES ('d1', 'D', 'UTC')")
        )
        for row in DOMAINS:
            connection.execute(
                text(
                    "INSERT INTO domain_result (district_id, source_id, result_source_id, vendor_domain, "
                    "canonical_domain, scale_score, placement, grade_levels_below) "
                    "VALUES ('d1', :s, :r, :v, :c, :score, :p, :g)"
                ),
                dict(zip(["s", "r", "v", "c", "score", "p", "g"], row, strict=True)),
            )
        connection.execute(
            text(
                "INSERT INTO skill_gap (district_id, source_id, person_source_id, subject, canonical_domain, "
                'school_year, "window", severity, domain_score, evidence_result_source_id, evidence) '
                "VALUES ('d1', :a, :b, :c, :d, :e, :f, :g, :h, :i, :j)"
            ),
            dict(zip("abcdefghij", GAP, strict=True)),
        )
    engine.dispose()
    assert all(name in _indexes(warehouse_url)[table] for table, name in DROPPED.items())

    house = Warehouse(warehouse_url)  # migrates to head
    try:
        columns = ["source_id", "result_source_id", "vendor_domain", "canonical_domain", "scale_score"]
        columns += ["placement", "grade_levels_below"]
        domains = house.read("domain_result", "d1", columns=columns).sort_by("source_id")
        assert [tuple(row.values()) for row in domains.to_pylist()] == DOMAINS
        gap_columns = ["source_id", "person_source_id", "subject", "canonical_domain", "school_year"]
        gap_columns += ["window", "severity", "domain_score", "evidence_result_source_id", "evidence"]
        assert [
            tuple(row.values()) for row in house.read("skill_gap", "d1", columns=gap_columns).to_pylist()
        ] == [GAP]
    finally:
        house.dispose()
    assert _indexes(warehouse_url) == {table: set() for table in DROPPED}

    engine = create_engine(warehouse_url)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0009_input_files")
    engine.dispose()
    assert all(name in _indexes(warehouse_url)[table] for table, name in DROPPED.items())
