"""step_state: what each step of the night last did (policy, the sync run of its own last write, summary,
blocking checks), moved out of connector_state, where derived steps posed as connectors

Revision ID: 0008_step_state
Revises: 0007_progress
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008_step_state"
down_revision = "0007_progress"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
STEPS = {  # the step, and the connector names it kept its state under before this revision
    "assessment_results": ("diagnostics_results",),
    "skill_gaps": ("diagnostics_gaps",),
    "tiers": ("tutoring_tiers",),
    "tutoring_groups": ("tutoring_cycles", "tutoring_groups"),
}
connector_state = sa.table(
    "connector_state",
    sa.column("district_id", sa.String),
    sa.column("connector", sa.String),
    sa.column("state", JSON),
    sa.column("fingerprints", JSON),
)
sync_run = sa.table(
    "sync_run",
    sa.column("run_id", sa.Integer),
    sa.column("district_id", sa.String),
    sa.column("connector", sa.String),
    sa.column("outcome", sa.String),
)


def upgrade() -> None:
    step_state = op.create_table(
        "step_state",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("policy_key", sa.Text(), nullable=True),
        sa.Column("through_run", sa.Integer(), nullable=True),
        sa.Column("fingerprints", JSON, nullable=False),
        sa.Column("summary", JSON, nullable=False),
        sa.Column("checks", JSON, nullable=False),
        sa.Column(
            "ran_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "step", name=op.f("pk_step_state")),
    )
    connection = op.get_bind()
    moved = []
    for step, names in STEPS.items():
        rows = connection.execute(
            sa.select(connector_state).where(connector_state.c.connector.in_(names))
        ).mappings()
        by_district: dict[str, list] = {}
        for row in rows:
            by_district.setdefault(row["district_id"], []).append(row)
        for district_id, kept in by_district.items():
            # what an existing warehouse skipped, it keeps skipping: the policy, and the last write's run
            state = {key: value for row in kept for key, value in (row["state"] or {}).items()}
            through = connection.execute(
                sa.select(sa.func.max(sync_run.c.run_id)).where(
                    sync_run.c.district_id == district_id,
                    sync_run.c.connector.in_(names),
                    sync_run.c.outcome == "committed",
                )
            ).scalar_one()
            moved.append(
                {
                    "district_id": district_id,
                    "step": step,
                    "policy_key": state.pop("policy", None),
                    "through_run": through,
                    "fingerprints": {k: v for row in kept for k, v in (row["fingerprints"] or {}).items()},
                    "summary": state,
                    "checks": {},
                }
            )
    if moved:
        op.bulk_insert(step_state, moved)
    old = [name for names in STEPS.values() for name in names]
    connection.execute(sa.delete(connector_state).where(connector_state.c.connector.in_(old)))


def downgrade() -> None:
    step_state = sa.table(
        "step_state",
        sa.column("district_id", sa.String),
        sa.column("step", sa.String),
        sa.column("policy_key", sa.Text),
        sa.column("fingerprints", JSON),
        sa.column("summary", JSON),
    )
    connection = op.get_bind()
    restored = []
    for row in connection.execute(sa.select(step_state)).mappings():
        names = STEPS.get(row["step"], ())
        state = dict(row["summary"] or {})
        if row["policy_key"] is not None:
            state["policy"] = row["policy_key"]
        for name in names[-1:]:  # the step's last writer keeps the state; its fingerprints cover all
            restored.append(
                {
                    "district_id": row["district_id"],
                    "connector": name,
                    "state": state,
                    "fingerprints": row["fingerprints"] or {},
                }
            )
    if restored:
        op.bulk_insert(connector_state, restored)
    op.drop_table("step_state")
