"""Revision 0015 gives each goal its trend's value on the goal's date: the goals stored before have none,
so the progress step's mark is cleared (the next night reads every goal again) and no other step's is."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from hub.warehouse.engine import alembic_config

BEFORE, REVISION = "0014_sqlite_timestamps", "0015_trend_at_goal"
STEPS = ("progress_monitoring", "tutoring_groups", "review_packets")


def _migrate(url: str, how: str, revision: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        getattr(command, how)(alembic_config(connection), revision)
    engine.dispose()


def _goal_columns(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns("progress_goal")}
    finally:
        engine.dispose()


def test_goals_gain_their_trend_and_the_progress_step_runs_again(warehouse_url: str) -> None:
    _migrate(warehouse_url, "upgrade", BEFORE)
    engine = create_engine(warehouse_url)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO district (district_id, name, timezone) VALUES ('d1', 'D', 'UTC')")
        )
        connection.execute(
            text(
                "INSERT INTO step_state (district_id, step, policy_key, through_run, fingerprints, summary, "
                "checks) VALUES ('d1', :step, 'key', 7, '{}', '{}', '{}')"
            ),
            [{"step": step} for step in STEPS],
        )
    assert "trend_at_goal" not in _goal_columns(warehouse_url)

    _migrate(warehouse_url, "upgrade", REVISION)
    assert "trend_at_goal" in _goal_columns(warehouse_url)
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT step FROM step_state ORDER BY step")).scalars().all()
    assert kept == ["review_packets", "tutoring_groups"]

    _migrate(warehouse_url, "downgrade", BEFORE)
    assert "trend_at_goal" not in _goal_columns(warehouse_url)
    engine.dispose()
