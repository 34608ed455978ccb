"""assessment_result and result_domains carry the sync run that last changed each row (sync_run_id)

A derived step redoes only the students whose input rows carry a run after its own last write (skill gaps
first). Rows already stored hold null: they were there before any step's next write, and the step's own
marker makes its first derivation after this revision a whole one.

Revision ID: 0013_sync_run_stamps
Revises: 0012_mastery_on_attendance
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_sync_run_stamps"
down_revision = "0012_mastery_on_attendance"
branch_labels = None
depends_on = None

STAMPED = ("assessment_result", "result_domains")


def upgrade() -> None:
    for table in STAMPED:
        op.add_column(table, sa.Column("sync_run_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in STAMPED:  # SQLite drops a column in place (3.35+): no table copy under the view
        op.drop_column(table, "sync_run_id")
