"""connector_state.inputs: the content hashes of the files a source's last committed apply was read from

Revision ID: 0009_input_files
Revises: 0008_step_state
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009_input_files"
down_revision = "0008_step_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    document = sa.JSON().with_variant(JSONB(), "postgresql")
    # Existing rows hold no hashes: their sources are read and applied once more, then recorded.
    op.add_column("connector_state", sa.Column("inputs", document, nullable=False, server_default="{}"))


def downgrade() -> None:
    op.drop_column("connector_state", "inputs")
