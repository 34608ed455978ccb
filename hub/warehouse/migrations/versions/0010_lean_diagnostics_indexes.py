"""domain_result and skill_gap keep only their primary keys: the second indexes no query used

Every read of either table takes a district's rows whole (or filtered on values, not on the indexed
columns), while each index cost a B-tree insert per row: at 350,000 students 24 M domain and gap rows.
Both primary keys already begin with what the dropped indexes led with (the test's source_id, the
student's person_source_id), so a lookup of one test's domains or one student's gaps stays a key range.
Rows are untouched.

Revision ID: 0010_lean_diagnostics_indexes
Revises: 0009_input_files
"""

from alembic import op

revision = "0010_lean_diagnostics_indexes"
down_revision = "0009_input_files"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_domain_result_result", table_name="domain_result")
    op.drop_index("ix_skill_gap_person", table_name="skill_gap")


def downgrade() -> None:
    op.create_index("ix_skill_gap_person", "skill_gap", ["district_id", "person_source_id", "subject"])
    op.create_index("ix_domain_result_result", "domain_result", ["district_id", "result_source_id"])
