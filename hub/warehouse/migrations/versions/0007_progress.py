"""progress_point (observed progress-monitoring scores) and progress_goal (each placement's goal, aimline
and decision-rule signal)

Revision ID: 0007_progress
Revises: 0006_decisions
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_progress"
down_revision = "0006_decisions"
branch_labels = None
depends_on = None


def _tenant_columns() -> list[sa.Column]:
    return [
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
    ]


def _lifecycle_columns() -> list[sa.Column]:
    return [
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "progress_point",
        *_tenant_columns(),
        sa.Column("person_source_id", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=8), nullable=True),
        sa.Column("canonical_domain", sa.String(length=64), nullable=True),
        sa.Column("measure", sa.String(length=64), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("goal_score", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        *_lifecycle_columns(),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_progress_point")),
    )
    op.create_index(
        "ix_progress_point_person", "progress_point", ["district_id", "person_source_id", "observed_on"]
    )
    op.create_table(
        "progress_goal",
        *_tenant_columns(),
        sa.Column("membership_source_id", sa.String(length=255), nullable=False),
        sa.Column("group_source_id", sa.String(length=255), nullable=False),
        sa.Column("person_source_id", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=8), nullable=False),
        sa.Column("school_source_id", sa.String(length=255), nullable=True),
        sa.Column("cycle_source_id", sa.String(length=255), nullable=False),
        sa.Column("canonical_domain", sa.String(length=64), nullable=True),
        sa.Column("measure", sa.String(length=64), nullable=False),
        sa.Column("goal_basis", sa.Text(), nullable=False),
        sa.Column("baseline_date", sa.Date(), nullable=False),
        sa.Column("baseline_score", sa.Float(), nullable=False),
        sa.Column("goal_date", sa.Date(), nullable=False),
        sa.Column("goal_score", sa.Float(), nullable=False),
        sa.Column("aimline_per_week", sa.Float(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("latest_date", sa.Date(), nullable=True),
        sa.Column("latest_score", sa.Float(), nullable=True),
        sa.Column("rate_of_improvement", sa.Float(), nullable=True),
        sa.Column("signal", sa.String(length=16), nullable=False),
        sa.Column("signal_reason", sa.Text(), nullable=False),
        sa.Column("signal_since", sa.Date(), nullable=True),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        *_lifecycle_columns(),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_progress_goal")),
    )
    op.create_index("ix_progress_goal_person", "progress_goal", ["district_id", "person_source_id"])


def downgrade() -> None:
    op.drop_index("ix_progress_goal_person", table_name="progress_goal")
    op.drop_table("progress_goal")
    op.drop_index("ix_progress_point_person", table_name="progress_point")
    op.drop_table("progress_point")
