"""roster and sync bookkeeping

Revision ID: 0001_roster
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001_roster"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "academic_session",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("session_type", sa.String(length=32), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("parent_source_id", sa.String(length=255), nullable=True),
        sa.Column("school_year", sa.String(length=4), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_academic_session")),
    )
    op.create_table(
        "connector_state",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("state", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("fingerprints", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "connector", name=op.f("pk_connector_state")),
    )
    op.create_table(
        "course",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("course_code", sa.String(length=255), nullable=True),
        sa.Column("school_year_source_id", sa.String(length=255), nullable=True),
        sa.Column("org_source_id", sa.String(length=255), nullable=True),
        sa.Column("grades", sa.String(length=255), nullable=True),
        sa.Column("subjects", sa.Text(), nullable=True),
        sa.Column("subject_codes", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_course")),
    )
    op.create_table(
        "demographics",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=16), nullable=True),
        sa.Column("american_indian_or_alaska_native", sa.Boolean(), nullable=True),
        sa.Column("asian", sa.Boolean(), nullable=True),
        sa.Column("black_or_african_american", sa.Boolean(), nullable=True),
        sa.Column("native_hawaiian_or_other_pacific_islander", sa.Boolean(), nullable=True),
        sa.Column("white", sa.Boolean(), nullable=True),
        sa.Column("two_or_more_races", sa.Boolean(), nullable=True),
        sa.Column("hispanic_or_latino", sa.Boolean(), nullable=True),
        sa.Column("english_learner", sa.Boolean(), nullable=True),
        sa.Column("disability", sa.Boolean(), nullable=True),
        sa.Column("economically_disadvantaged", sa.Boolean(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_demographics")),
    )
    op.create_table(
        "district",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("district_id", name=op.f("pk_district")),
    )
    op.create_table(
        "enrollment",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("section_source_id", sa.String(length=255), nullable=False),
        sa.Column("school_source_id", sa.String(length=255), nullable=True),
        sa.Column("person_source_id", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=True),
        sa.Column("begin_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_enrollment")),
    )
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.create_index("ix_enrollment_person", ["district_id", "person_source_id"], unique=False)
        batch_op.create_index("ix_enrollment_section", ["district_id", "section_source_id"], unique=False)

    op.create_table(
        "person",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.Column("given_name", sa.String(length=255), nullable=True),
        sa.Column("family_name", sa.String(length=255), nullable=True),
        sa.Column("middle_name", sa.String(length=255), nullable=True),
        sa.Column("preferred_given_name", sa.String(length=255), nullable=True),
        sa.Column("identifier", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("grade", sa.String(length=8), nullable=True),
        sa.Column("primary_school_source_id", sa.String(length=255), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_person")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index("ix_person_district_role", ["district_id", "role"], unique=False)

    op.create_table(
        "person_identifier",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("person_source_id", sa.String(length=255), nullable=False),
        sa.Column("id_type", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint(
            "district_id", "person_source_id", "id_type", "value", name=op.f("pk_person_identifier")
        ),
    )
    with op.batch_alter_table("person_identifier", schema=None) as batch_op:
        batch_op.create_index(
            "ix_person_identifier_lookup", ["district_id", "id_type", "value"], unique=False
        )

    op.create_table(
        "person_role",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("person_source_id", sa.String(length=255), nullable=False),
        sa.Column("org_source_id", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("role_type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_person_role")),
    )
    with op.batch_alter_table("person_role", schema=None) as batch_op:
        batch_op.create_index("ix_person_role_person", ["district_id", "person_source_id"], unique=False)

    op.create_table(
        "school",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("org_type", sa.String(length=32), nullable=False),
        sa.Column("identifier", sa.String(length=255), nullable=True),
        sa.Column("parent_source_id", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_school")),
    )
    op.create_table(
        "section",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("class_code", sa.String(length=255), nullable=True),
        sa.Column("class_type", sa.String(length=32), nullable=True),
        sa.Column("course_source_id", sa.String(length=255), nullable=True),
        sa.Column("school_source_id", sa.String(length=255), nullable=False),
        sa.Column("term_source_ids", sa.Text(), nullable=True),
        sa.Column("grades", sa.String(length=255), nullable=True),
        sa.Column("subjects", sa.Text(), nullable=True),
        sa.Column("subject_codes", sa.Text(), nullable=True),
        sa.Column("periods", sa.String(length=255), nullable=True),
        sa.Column("location", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_section")),
    )
    op.create_table(
        "sync_run",
        sa.Column("run_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("counts", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_sync_run")),
    )
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_run_district_id"), ["district_id"], unique=False)

    op.create_table(
        "sync_reject",
        sa.Column("reject_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("file", sa.String(length=255), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("column", sa.String(length=255), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["sync_run.run_id"], name=op.f("fk_sync_reject_run_id_sync_run")),
        sa.PrimaryKeyConstraint("reject_id", name=op.f("pk_sync_reject")),
    )
    with op.batch_alter_table("sync_reject", schema=None) as batch_op:
        batch_op.create_index("ix_sync_reject_run", ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sync_reject", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_reject_run")

    op.drop_table("sync_reject")
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_run_district_id"))

    op.drop_table("sync_run")
    op.drop_table("section")
    op.drop_table("school")
    with op.batch_alter_table("person_role", schema=None) as batch_op:
        batch_op.drop_index("ix_person_role_person")

    op.drop_table("person_role")
    with op.batch_alter_table("person_identifier", schema=None) as batch_op:
        batch_op.drop_index("ix_person_identifier_lookup")

    op.drop_table("person_identifier")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index("ix_person_district_role")

    op.drop_table("person")
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.drop_index("ix_enrollment_section")
        batch_op.drop_index("ix_enrollment_person")

    op.drop_table("enrollment")
    op.drop_table("district")
    op.drop_table("demographics")
    op.drop_table("course")
    op.drop_table("connector_state")
    op.drop_table("academic_session")
