"""assessment_result.measure, the vendor's scale where one subject has several (MAP Reading, Language
Usage); domain_result.standard_error, MAP's Goal<n>StdErr

Revision ID: 0005_measure
Revises: 0004_push
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_measure"
down_revision = "0004_push"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assessment_result", sa.Column("measure", sa.String(length=64), nullable=True))
    op.add_column("domain_result", sa.Column("standard_error", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("domain_result") as batch_op:
        batch_op.drop_column("standard_error")
    with op.batch_alter_table("assessment_result") as batch_op:
        batch_op.drop_column("measure")
