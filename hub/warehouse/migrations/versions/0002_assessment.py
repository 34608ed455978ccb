"""assessment results, domains and skill gaps

Revision ID: 0002_assessment
Revises: 0001_roster
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_assessment"
down_revision = "0001_roster"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_result",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("vendor", sa.String(length=32), nullable=False),
        sa.Column("vendor_student_id", sa.String(length=255), nullable=False),
        sa.Column("person_source_id", sa.String(length=255), nullable=True),
        sa.Column("match_status", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=8), nullable=False),
        sa.Column("school_year", sa.Integer(), nullable=False),
        sa.Column("window", sa.String(length=8), nullable=False),
        sa.Column("test_date", sa.Date(), nullable=True),
        sa.Column("student_grade", sa.String(length=8), nullable=True),
        sa.Column("vendor_school_id", sa.String(length=255), nullable=True),
        sa.Column("scale_score", sa.Float(), nullable=True),
        sa.Column("standard_error", sa.Float(), nullable=True),
        sa.Column("percentile", sa.Integer(), nullable=True),
        sa.Column("placement", sa.String(length=64), nullable=True),
        sa.Column("grade_levels_below", sa.Integer(), nullable=True),
        sa.Column("proficiency_band", sa.Integer(), nullable=True),
        sa.Column("lexile_or_quantile", sa.String(length=32), nullable=True),
        sa.Column("typical_growth", sa.Float(), nullable=True),
        sa.Column("stretch_growth", sa.Float(), nullable=True),
        sa.Column("growth_to_date", sa.Float(), nullable=True),
        sa.Column("percent_progress_typical", sa.Float(), nullable=True),
        sa.Column("percent_progress_stretch", sa.Float(), nullable=True),
        sa.Column("conditional_growth_index", sa.Float(), nullable=True),
        sa.Column("conditional_growth_percentile", sa.Integer(), nullable=True),
        sa.Column("duration_minutes", sa.Float(), nullable=True),
        sa.Column("rapid_guessing_percent", sa.Float(), nullable=True),
        sa.Column("rushed", sa.Boolean(), nullable=False),
        sa.Column("vendor_most_recent", sa.Boolean(), nullable=True),
        sa.Column("is_test_of_record", sa.Boolean(), nullable=False),
        sa.Column("extras", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_assessment_result")),
    )
    with op.batch_alter_table("assessment_result", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessment_result_person", ["district_id", "person_source_id", "subject"], unique=False
        )
        batch_op.create_index(
            "ix_assessment_result_window", ["district_id", "school_year", "window"], unique=False
        )

    op.create_table(
        "domain_result",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("result_source_id", sa.String(length=255), nullable=False),
        sa.Column("vendor_domain", sa.String(length=255), nullable=False),
        sa.Column("canonical_domain", sa.String(length=64), nullable=True),
        sa.Column("scale_score", sa.Float(), nullable=True),
        sa.Column("placement", sa.String(length=64), nullable=True),
        sa.Column("grade_levels_below", sa.Integer(), nullable=True),
        sa.Column("goal_adjective", sa.String(length=16), nullable=True),
        sa.Column("range_text", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_domain_result")),
    )
    with op.batch_alter_table("domain_result", schema=None) as batch_op:
        batch_op.create_index("ix_domain_result_result", ["district_id", "result_source_id"], unique=False)

    op.create_table(
        "skill_gap",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("person_source_id", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=8), nullable=False),
        sa.Column("canonical_domain", sa.String(length=64), nullable=False),
        sa.Column("school_year", sa.Integer(), nullable=False),
        sa.Column("window", sa.String(length=8), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("domain_score", sa.Float(), nullable=True),
        sa.Column("evidence_result_source_id", sa.String(length=255), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_skill_gap")),
    )
    with op.batch_alter_table("skill_gap", schema=None) as batch_op:
        batch_op.create_index(
            "ix_skill_gap_person", ["district_id", "person_source_id", "subject"], unique=False
        )

    op.create_table(
        "lesson_evidence",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("vendor", sa.String(length=32), nullable=False),
        sa.Column("vendor_student_id", sa.String(length=255), nullable=False),
        sa.Column("person_source_id", sa.String(length=255), nullable=True),
        sa.Column("match_status", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=8), nullable=False),
        sa.Column("school_year", sa.Integer(), nullable=False),
        sa.Column("vendor_domain", sa.String(length=255), nullable=False),
        sa.Column("canonical_domain", sa.String(length=64), nullable=True),
        sa.Column("lessons_passed", sa.Integer(), nullable=False),
        sa.Column("lessons_not_passed", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Float(), nullable=True),
        sa.Column("first_lesson_date", sa.Date(), nullable=True),
        sa.Column("last_lesson_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_lesson_evidence")),
    )
    op.create_index(
        "ix_lesson_evidence_person",
        "lesson_evidence",
        ["district_id", "person_source_id", "subject"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_lesson_evidence_person", table_name="lesson_evidence")
    op.drop_table("lesson_evidence")
    with op.batch_alter_table("skill_gap", schema=None) as batch_op:
        batch_op.drop_index("ix_skill_gap_person")

    op.drop_table("skill_gap")
    with op.batch_alter_table("domain_result", schema=None) as batch_op:
        batch_op.drop_index("ix_domain_result_result")

    op.drop_table("domain_result")
    with op.batch_alter_table("assessment_result", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_result_window")
        batch_op.drop_index("ix_assessment_result_person")

    op.drop_table("assessment_result")
