"""Revision 0008 moves the derived steps' state out of connector_state: an existing warehouse keeps
skipping what it skipped, and real connectors keep their cursors."""

from __future__ import annotations

import json

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from hub.warehouse import Warehouse
from hub.warehouse.engine import alembic_config

STATE = [  # connector, state, fingerprints, as a warehouse before 0008 kept them
    ("roster", {"cursor": "2026-01-01"}, {"person": "f-person"}),
    ("diagnostics_results", {"policy": "p1", "pending": 0, "summary": {"results": 3}}, {"a": "f-a"}),
    ("diagnostics_gaps", {"policy": "t1|domain_score"}, {"skill_gap": "f-gap"}),
    ("tutoring_cycles", {}, {"cycle": "f-cycle"}),
    ("tutoring_groups", {"last_boundary": "2026-01-05"}, {"tutoring_group": "f-group"}),
]


def test_derived_state_moves_to_step_state_and_keeps_its_marks(warehouse_url: str) -> None:
    before = ScriptDirectory.from_config(alembic_config()).get_revision("0008_step_state").down_revision
    engine = create_engine(warehouse_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), str(before))
        district = "INSERT INTO district (district_id, name, timezone) VALUES ('d1', 'D1', 'UTC')"
        connection.execute(text(district))
        runs = ["roster", "diagnostics_results", "diagnostics_gaps", "tutoring_cycles", "tutoring_groups"]
        for run_id, connector in enumerate([*runs, "diagnostics_results"], start=1):
            outcome = "failed" if run_id == 6 else "committed"  # a failed run is no write
            connection.execute(
                text(
                    "INSERT INTO sync_run (run_id, district_id, connector, outcome, counts) "
                    "VALUES (:run_id, 'd1', :connector, :outcome, '{}')"
                ),
                {"run_id": run_id, "connector": connector, "outcome": outcome},
            )
        for connector, state, fingerprints in STATE:
            connection.execute(
                text(
                    "INSERT INTO connector_state (district_id, connector, state, fingerprints) "
                    "VALUES ('d1', :connector, :state, :fingerprints)"
                ),
                {
                    "connector": connector,
                    "state": json.dumps(state),
                    "fingerprints": json.dumps(fingerprints),
                },
            )
    engine.dispose()

    house = Warehouse(warehouse_url)  # migrates to head
    try:
        results = house.step_record("d1", "assessment_results")
        assert (results.policy_key, results.through_run) == ("p1", 2)
        assert results.summary == {"pending": 0, "summary": {"results": 3}}
        gaps = house.step_record("d1", "skill_gaps")
        assert (gaps.policy_key, gaps.through_run, gaps.fingerprints) == (
            "t1|domain_score",
            3,
            {"skill_gap": "f-gap"},
        )
        groups = house.step_record("d1", "tutoring_groups")
        assert groups.summary == {"last_boundary": "2026-01-05"} and groups.through_run == 5
        assert groups.fingerprints == {"cycle": "f-cycle", "tutoring_group": "f-group"}
        assert house.connector_state("d1", "roster") == {"cursor": "2026-01-01"}
        assert house.connector_state("d1", "diagnostics_results") == {}
        assert not house.changed_after("d1", results.through_run, ["assessment_result"])
    finally:
        house.dispose()
