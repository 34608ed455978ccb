"""push ledger: last confirmed content per destination target, and the append-only push log

Revision ID: 0004_push
Revises: 0003_tutoring
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_push"
down_revision = "0003_tutoring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "push_target",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("destination", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("last_outcome", sa.String(length=16), nullable=False),
        sa.Column(
            "last_pushed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "district_id", "destination", "kind", "target", "content_type", name=op.f("pk_push_target")
        ),
    )
    op.create_table(
        "push_log",
        sa.Column("log_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("destination", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("log_id", name=op.f("pk_push_log")),
    )
    with op.batch_alter_table("push_log", schema=None) as batch_op:
        batch_op.create_index("ix_push_log_target", ["district_id", "destination", "target"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("push_log", schema=None) as batch_op:
        batch_op.drop_index("ix_push_log_target")
    op.drop_table("push_log")
    op.drop_table("push_target")
