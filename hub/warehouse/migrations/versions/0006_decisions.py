"""tutoring_review and unplaced_entrant (the boundary's decisions for people); group_membership's
tutored_since (a move keeps it) and exit_result_source_id (re-entry waits for another test)

Revision ID: 0006_decisions
Revises: 0005_measure
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_decisions"
down_revision = "0005_measure"
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
    op.add_column("group_membership", sa.Column("tutored_since", sa.Date(), nullable=True))
    op.add_column(
        "group_membership", sa.Column("exit_result_source_id", sa.String(length=255), nullable=True)
    )
    op.create_table(
        "tutoring_review",
        *_tenant_columns(),
        sa.Column("membership_source_id", sa.String(length=255), nullable=False),
        sa.Column("group_source_id", sa.String(length=255), nullable=False),
        sa.Column("person_source_id", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=8), nullable=False),
        sa.Column("school_source_id", sa.String(length=255), nullable=True),
        sa.Column("cycle_source_id", sa.String(length=255), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("tutored_since", sa.Date(), nullable=False),
        sa.Column("cycles_served", sa.Integer(), nullable=False),
        sa.Column("canonical_domain", sa.String(length=64), nullable=True),
        sa.Column("baseline_result_source_id", sa.String(length=255), nullable=True),
        sa.Column("baseline_score", sa.Float(), nullable=True),
        sa.Column("latest_result_source_id", sa.String(length=255), nullable=True),
        sa.Column("latest_score", sa.Float(), nullable=True),
        sa.Column("latest_test", sa.String(length=64), nullable=True),
        sa.Column("percent_progress_typical", sa.Float(), nullable=True),
        sa.Column("sessions_scheduled", sa.Integer(), nullable=False),
        sa.Column("sessions_attended", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        *_lifecycle_columns(),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_tutoring_review")),
    )
    with op.batch_alter_table("tutoring_review", schema=None) as batch_op:
        batch_op.create_index("ix_tutoring_review_person", ["district_id", "person_source_id"], unique=False)
    op.create_table(
        "unplaced_entrant",
        *_tenant_columns(),
        sa.Column("person_source_id", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=8), nullable=False),
        sa.Column("school_source_id", sa.String(length=255), nullable=True),
        sa.Column("grade", sa.String(length=8), nullable=True),
        sa.Column("canonical_domain", sa.String(length=64), nullable=False),
        sa.Column("boundary_date", sa.Date(), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        *_lifecycle_columns(),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_unplaced_entrant")),
    )


def downgrade() -> None:
    op.drop_table("unplaced_entrant")
    with op.batch_alter_table("tutoring_review", schema=None) as batch_op:
        batch_op.drop_index("ix_tutoring_review_person")
    op.drop_table("tutoring_review")
    with op.batch_alter_table("group_membership") as batch_op:
        batch_op.drop_column("exit_result_source_id")
        batch_op.drop_column("tutored_since")
