"""tutoring decisions and delivery

Revision ID: 0003_tutoring
Revises: 0002_assessment
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_tutoring"
down_revision = "0002_assessment"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cycle",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("school_year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_cycle")),
    )
    op.create_table(
        "group_membership",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("group_source_id", sa.String(length=255), nullable=False),
        sa.Column("person_source_id", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=8), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("entry_result_source_id", sa.String(length=255), nullable=True),
        sa.Column("entry_evidence", sa.Text(), nullable=False),
        sa.Column("exit_date", sa.Date(), nullable=True),
        sa.Column("exit_reason", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_group_membership")),
    )
    with op.batch_alter_table("group_membership", schema=None) as batch_op:
        batch_op.create_index("ix_group_membership_group", ["district_id", "group_source_id"], unique=False)
        batch_op.create_index("ix_group_membership_person", ["district_id", "person_source_id"], unique=False)

    op.create_table(
        "session_attendance",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("session_source_id", sa.String(length=255), nullable=False),
        sa.Column("person_source_id", sa.String(length=255), nullable=False),
        sa.Column("attendance", sa.String(length=16), nullable=False),
        sa.Column("minutes_present", sa.Integer(), nullable=False),
        sa.Column("mastery_check", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_session_attendance")),
    )
    with op.batch_alter_table("session_attendance", schema=None) as batch_op:
        batch_op.create_index(
            "ix_session_attendance_person", ["district_id", "person_source_id"], unique=False
        )
        batch_op.create_index(
            "ix_session_attendance_session", ["district_id", "session_source_id"], unique=False
        )

    op.create_table(
        "tier_assignment",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("person_source_id", sa.String(length=255), nullable=False),
        sa.Column("school_source_id", sa.String(length=255), nullable=True),
        sa.Column("grade", sa.String(length=8), nullable=True),
        sa.Column("subject", sa.String(length=8), nullable=False),
        sa.Column("school_year", sa.Integer(), nullable=False),
        sa.Column("window", sa.String(length=8), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("result_source_id", sa.String(length=255), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_tier_assignment")),
    )
    with op.batch_alter_table("tier_assignment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tier_assignment_window", ["district_id", "school_year", "window", "subject"], unique=False
        )

    op.create_table(
        "tutor_profile",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("subjects", sa.String(length=64), nullable=False),
        sa.Column("max_groups", sa.Integer(), nullable=False),
        sa.Column("school_source_ids", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_tutor_profile")),
    )
    op.create_table(
        "tutoring_group",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("school_source_id", sa.String(length=255), nullable=True),
        sa.Column("subject", sa.String(length=8), nullable=False),
        sa.Column("canonical_domain", sa.String(length=64), nullable=False),
        sa.Column("grades", sa.String(length=32), nullable=False),
        sa.Column("tutor_person_source_id", sa.String(length=255), nullable=True),
        sa.Column("cycle_source_id", sa.String(length=255), nullable=False),
        sa.Column("formed_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_tutoring_group")),
    )
    op.create_table(
        "tutoring_session",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column("start_time", sa.String(length=8), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("tutor_person_source_id", sa.String(length=255), nullable=False),
        sa.Column("group_source_id", sa.String(length=255), nullable=True),
        sa.Column("skills_covered", sa.Text(), nullable=True),
        sa.Column("standards", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("next_steps", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_tutoring_session")),
    )
    with op.batch_alter_table("tutoring_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tutoring_session_group", ["district_id", "group_source_id", "session_date"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tutoring_session", schema=None) as batch_op:
        batch_op.drop_index("ix_tutoring_session_group")

    op.drop_table("tutoring_session")
    op.drop_table("tutoring_group")
    op.drop_table("tutor_profile")
    with op.batch_alter_table("tier_assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_tier_assignment_window")

    op.drop_table("tier_assignment")
    with op.batch_alter_table("session_attendance", schema=None) as batch_op:
        batch_op.drop_index("ix_session_attendance_session")
        batch_op.drop_index("ix_session_attendance_person")

    op.drop_table("session_attendance")
    with op.batch_alter_table("group_membership", schema=None) as batch_op:
        batch_op.drop_index("ix_group_membership_person")
        batch_op.drop_index("ix_group_membership_group")

    op.drop_table("group_membership")
    op.drop_table("cycle")
