"""progress_goal.trend_at_goal: where a placement's trend line would be on its goal's date

The reports say "on track" only where the trend, read from 8 points on, would reach the goal by its date:
a trend as steep as the aimline but running under it never does. The rate of improvement alone (a slope)
cannot tell that, so each goal keeps its trend line's value on ``goal_date``. The goals stored before have
none: the progress step's mark is cleared, so the next night reads every goal again and fills it in.

Revision ID: 0015_trend_at_goal
Revises: 0014_sqlite_timestamps
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_trend_at_goal"
down_revision = "0014_sqlite_timestamps"
branch_labels = None
depends_on = None

PROGRESS_STEP = "progress_monitoring"  # frozen here: the step's name when this revision was written


def upgrade() -> None:
    with op.batch_alter_table("progress_goal") as table:
        table.add_column(sa.Column("trend_at_goal", sa.Float(), nullable=True))
    op.execute(sa.text("DELETE FROM step_state WHERE step = :step").bindparams(step=PROGRESS_STEP))


def downgrade() -> None:
    with op.batch_alter_table("progress_goal") as table:
        table.drop_column("trend_at_goal")
