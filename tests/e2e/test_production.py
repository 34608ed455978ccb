"""The production configuration: the warehouse on PostgreSQL and Dagster's instance on PostgreSQL
(dagster-postgres), running a whole night for a synthetic district against the real local server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import dagster as dg
import pytest
import yaml

from cli.demo import write_demo_data
from cli.night import run_districts
from hub.pipeline.context import DistrictRun
from hub.plugins import installed
from hub.settings import load_hub_config
from tests.conftest import fresh_postgres_database


@pytest.fixture
def dagster_database() -> Iterator[str]:
    """A throw-away database for Dagster's run, event and schedule storage.

    dagster-postgres speaks psycopg2 (its NOTIFY takes client-side parameters); SQLAlchemy 2.1 would pick
    psycopg 3 for a bare postgresql:// URL, so the driver is named.
    """
    with fresh_postgres_database("tutorhub_dagster", driver="postgresql+psycopg2") as url:
        yield url


@pytest.mark.slow
def test_a_night_on_postgresql_for_warehouse_and_dagster(
    tmp_path: Path, postgres_url: str, dagster_database: str
) -> None:
    write_demo_data(400, 11, tmp_path / "drop", echo=lambda _: None)
    connectors = [
        {"name": "roster", "type": "oneroster_csv", "settings": {"path": "drop/oneroster-1.2-bulk.zip"}},
        {"name": "iready", "type": "iready", "settings": {"path": "drop/iready"}},
        {"name": "map", "type": "nwea_map", "settings": {"path": "drop/map"}},
        {"name": "sessions", "type": "session_log", "settings": {"path": "drop/sessions"}},
        {"name": "progress", "type": "progress_csv", "settings": {"path": "drop/progress"}},
        {"name": "sftp_drop", "type": "files", "settings": {"directory": "exports"}},
    ]
    district = {"id": "prod", "name": "Production-shaped District", "timezone": "America/Denver"}
    config = {
        "data_dir": "data",
        "districts": [
            {
                **district,
                "warehouse_url": postgres_url,
                "as_of": date(2026, 6, 1).isoformat(),
                "connectors": connectors,
            }
        ],
    }
    (tmp_path / "hub.yaml").write_text(yaml.safe_dump(config))
    hub = load_hub_config(tmp_path / "hub.yaml")
    overrides = {"storage": {"postgres": {"postgres_url": dagster_database}}}
    with dg.instance_for_test(overrides=overrides) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        [outcome] = run_districts(hub, ["prod"], instance=instance)
        assert outcome.success, outcome.failures + outcome.checks_failed
        assert instance.get_run_by_id(outcome.run_id).is_success
    run = DistrictRun(hub, hub.district("prod"), installed())
    try:
        assert run.warehouse.dialect == "postgresql"
        for table in (
            "person",
            "assessment_result",
            "tier_assignment",
            "tutoring_group",
            "session_attendance",
            "progress_point",
            "progress_goal",
        ):
            assert run.warehouse.count(table, "prod") > 0, table
        goals = run.warehouse.read("progress_goal", "prod", columns=["measure", "signal"])
        # the mastery checks, the fluency probes and the rule's verdicts all made it through PostgreSQL
        assert {"mastery_check", "orf_wcpm"} <= set(goals["measure"].to_pylist())
        assert {"on_track", "adjust", "raise_goal"} <= set(goals["signal"].to_pylist())
    finally:
        run.close()
    exported = list((tmp_path / "exports" / "prod").glob("school-*.html"))
    assert exported, "the files destination received the school dashboards"
