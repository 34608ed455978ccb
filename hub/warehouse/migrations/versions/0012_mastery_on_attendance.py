"""Mastery checks stored once, on their attendance rows; progress_point becomes a view

A session log's mastery check was stored twice: as the attendance row's ``mastery_check`` text and again
as a ``progress_point`` row (1.45 M of a 20,000-student first night's 5.24 M row writes). Its point is now
``session_attendance.mastery_percent``, on the subject and skill the session gives (``tutoring_session``
``subject`` and ``canonical_domain``); every other point moves to ``stored_progress_point``. The view
``progress_point`` shows both with the same columns and keys, so every point stays queryable.

The rows are carried: an active session-log point whose attendance row is stored becomes that row's
percent, and its session takes the point's subject and skill. A session-log point without one (none is
made so; an active one is kept as it was) stays a stored point. Session-log points marked deleted are not
carried: they were what a corrected log took back, and its attendance rows went with them. The downgrade
restores the table from the view.

Revision ID: 0012_mastery_on_attendance
Revises: 0011_result_domains
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_mastery_on_attendance"
down_revision = "0011_result_domains"
branch_labels = None
depends_on = None

STORED = "stored_progress_point"
COLUMNS = (  # frozen here: the model may change, this revision may not
    "district_id", "source_id", "person_source_id", "subject", "canonical_domain", "measure", "observed_on",
    "score", "goal_score", "source", "status", "source_modified_at", "synced_at",
)  # fmt: skip
SESSION_POINT = "p.source = 'session_log' AND p.measure = 'mastery_check'"
OF_ATTENDANCE = "p.district_id = a.district_id AND p.source_id = 'mastery_check:' || a.source_id"
VIEW = (
    f"CREATE VIEW progress_point AS SELECT {', '.join(COLUMNS)} FROM {STORED} UNION ALL "
    "SELECT a.district_id, 'mastery_check:' || a.source_id, a.person_source_id, s.subject, "
    "s.canonical_domain, 'mastery_check', s.session_date, a.mastery_percent, CAST(NULL AS FLOAT), "
    "'session_log', a.status, a.source_modified_at, a.synced_at "
    "FROM session_attendance a JOIN tutoring_session s "
    "ON s.district_id = a.district_id AND s.source_id = a.session_source_id "
    "WHERE a.mastery_percent IS NOT NULL"
)


def _points_table(name: str, key: str) -> None:
    op.create_table(
        name,
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("person_source_id", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=8), nullable=True),
        sa.Column("canonical_domain", sa.String(length=64), nullable=True),
        sa.Column("measure", sa.String(length=64), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("goal_score", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=f"pk_{key}"),
    )


def upgrade() -> None:
    with op.batch_alter_table("tutoring_session") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("canonical_domain", sa.String(length=64), nullable=True))
    with op.batch_alter_table("session_attendance") as batch:
        batch.add_column(sa.Column("mastery_percent", sa.Float(), nullable=True))
    op.execute(
        "UPDATE session_attendance SET mastery_percent = (SELECT p.score FROM progress_point p "
        f"WHERE {OF_ATTENDANCE.replace('a.', 'session_attendance.')} AND {SESSION_POINT} "
        "AND p.status = 'active') WHERE mastery_check IS NOT NULL"
    )
    op.execute(
        "UPDATE tutoring_session SET (subject, canonical_domain) = "
        "(SELECT MAX(p.subject), MAX(p.canonical_domain) FROM session_attendance a "
        f"JOIN progress_point p ON {OF_ATTENDANCE} WHERE a.district_id = tutoring_session.district_id "
        f"AND a.session_source_id = tutoring_session.source_id AND {SESSION_POINT} AND p.status = 'active')"
    )
    _points_table(STORED, STORED)
    listed = ", ".join(COLUMNS)
    op.execute(
        f"INSERT INTO {STORED} ({listed}) SELECT {listed} FROM progress_point p WHERE NOT ({SESSION_POINT} "
        f"AND (p.status <> 'active' OR EXISTS (SELECT 1 FROM session_attendance a WHERE {OF_ATTENDANCE})))"
    )
    op.drop_table("progress_point")
    op.create_index(
        "ix_stored_progress_point_person", STORED, ["district_id", "person_source_id", "observed_on"]
    )
    op.execute(VIEW)


def downgrade() -> None:
    _points_table("progress_point_restored", "progress_point")
    listed = ", ".join(COLUMNS)
    op.execute(f"INSERT INTO progress_point_restored ({listed}) SELECT {listed} FROM progress_point")
    op.execute("DROP VIEW progress_point")
    op.drop_table(STORED)
    op.rename_table("progress_point_restored", "progress_point")
    op.create_index(
        "ix_progress_point_person", "progress_point", ["district_id", "person_source_id", "observed_on"]
    )
    with op.batch_alter_table("session_attendance") as batch:
        batch.drop_column("mastery_percent")
    with op.batch_alter_table("tutoring_session") as batch:
        batch.drop_column("canonical_domain")
        batch.drop_column("subject")
