"""connector_state.inputs: the content hashes of the files a source's last committed apply was read from

Revision ID: 0008_input_files
Revises: 0007_progress
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008_input_files"
down_revision = "0007_progress"
branch_labels = None
depends_on = None


def upgrade() -> None:
    document = sa.JSON().with_variant(JSONB(), "postgresql")
    # Existing rows hold no hashes: their sources are read and applied once more, then recorded.
    op.add_column("connector_state", sa.Column("inputs", document, nullable=False, server_default="{}"))


def downgrade() -> None:
    op.drop_column("connector_state", "inputs")
