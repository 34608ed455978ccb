"""What the hub derives from stored rows (tests of record, skill gaps), and when that work can be skipped.

A derived step records its writes under its own connector name and keeps the policy it ran under in its
connector state; a night on which neither its input tables nor that policy moved has nothing to redo.
"""

from __future__ import annotations

from hub.pipeline.context import DistrictRun

DERIVED = "diagnostics"  # the prefix of the connector names the hub's own derived writes are recorded under


def unchanged(run: DistrictRun, derived: str, tables: list[str], policy_key: str) -> dict | None:
    """The state a derived step saved last time, if neither its input tables nor its policy moved since."""
    state = run.warehouse.connector_state(run.district_id, derived)
    if state.get("policy") != policy_key or run.warehouse.changed_since(run.district_id, derived, tables):
        return None
    return state
