"""Domain results stored one row per test (result_domains, 8 numbered slots); domain_result becomes a view

One row per domain was the night's largest write (19.3 M rows at 350,000 students) for facts that always
arrive, change and leave per test. ``result_domains`` holds a test's domains in slots ``d1_`` .. ``d8_``
(every field a domain row held); the view ``domain_result`` shows them one row per domain again, with the
same columns and keys, so every vendor field stays queryable.

The rows are carried: each test's domain rows fill its slots in key (source_id) order, which is the
vendor's order for the built-in connectors' keys only by chance; new applies keep the vendor's order. A
test's row is active if any of its domain rows was, holding those; one whose rows were all deleted keeps
them, deleted. A test with more domains than slots stops the upgrade (nothing is dropped silently). The
downgrade restores the table from the view; each domain row then carries its test's lifecycle columns.

Revision ID: 0011_result_domains
Revises: 0010_lean_diagnostics_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_result_domains"
down_revision = "0010_lean_diagnostics_indexes"
branch_labels = None
depends_on = None

SLOTS = 8
FIELDS = {  # frozen here: the model may change, this revision may not
    "vendor_domain": sa.String(length=255),
    "canonical_domain": sa.String(length=64),
    "scale_score": sa.Float(),
    "standard_error": sa.Float(),
    "placement": sa.String(length=64),
    "grade_levels_below": sa.Integer(),
    "goal_adjective": sa.String(length=16),
    "range_text": sa.String(length=32),
}
LIFECYCLE = ("status", "source_modified_at", "synced_at")


def _slot(slot: int, field: str) -> str:
    return f"d{slot}_{field}"


def _lifecycle_columns() -> list[sa.Column]:
    return [
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("source_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
    ]


def _view() -> str:
    """``domain_result`` as a UNION ALL of the slots, empty slots skipped."""
    selects = []
    for slot in range(1, SLOTS + 1):
        fields = ", ".join(f"{_slot(slot, field)} AS {field}" for field in FIELDS)
        selects.append(
            f"SELECT district_id, source_id || ':' || {_slot(slot, 'vendor_domain')} AS source_id, "
            f"source_id AS result_source_id, {fields}, {', '.join(LIFECYCLE)} "
            f"FROM result_domains WHERE {_slot(slot, 'vendor_domain')} IS NOT NULL"
        )
    return "CREATE VIEW domain_result AS " + " UNION ALL ".join(selects)


def upgrade() -> None:
    op.create_table(
        "result_domains",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        *[
            sa.Column(_slot(slot, field), kind, nullable=True)
            for slot in range(1, SLOTS + 1)
            for field, kind in FIELDS.items()
        ],
        *_lifecycle_columns(),
        sa.PrimaryKeyConstraint("district_id", "source_id", name=op.f("pk_result_domains")),
    )
    # A test's rows in its best state: its active ones, or (none active) its deleted ones.
    kept = (
        "SELECT d.*, ROW_NUMBER() OVER "
        "(PARTITION BY district_id, result_source_id ORDER BY source_id) AS slot FROM domain_result d "
        "WHERE status = 'active' OR NOT EXISTS (SELECT 1 FROM domain_result a "
        "WHERE a.district_id = d.district_id AND a.result_source_id = d.result_source_id "
        "AND a.status = 'active')"
    )
    bind = op.get_bind()
    crowded = bind.execute(sa.text(f"SELECT COUNT(*) FROM ({kept}) k WHERE slot > {SLOTS}")).scalar_one()
    if crowded:
        raise RuntimeError(
            f"0011: {crowded} domain row(s) are past the {SLOTS}th domain of their test; "
            "result_domains has no slot for them, so the upgrade stops rather than drop them"
        )
    slots = ", ".join(_slot(slot, field) for slot in range(1, SLOTS + 1) for field in FIELDS)
    pivots = ", ".join(
        f"MAX(CASE WHEN slot = {slot} THEN {field} END)" for slot in range(1, SLOTS + 1) for field in FIELDS
    )
    bind.execute(
        sa.text(
            f"INSERT INTO result_domains (district_id, source_id, {slots}, {', '.join(LIFECYCLE)}) "
            f"SELECT district_id, result_source_id, {pivots}, MIN(status), MAX(source_modified_at), "
            f"MAX(synced_at) FROM ({kept}) k GROUP BY district_id, result_source_id"
        )
    )
    op.drop_table("domain_result")
    op.execute(_view())


def downgrade() -> None:
    op.create_table(
        "domain_result_restored",
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("result_source_id", sa.String(length=255), nullable=False),
        *[sa.Column(field, kind, nullable=field != "vendor_domain") for field, kind in FIELDS.items()],
        *_lifecycle_columns(),
        sa.PrimaryKeyConstraint("district_id", "source_id", name="pk_domain_result"),
    )
    columns = ", ".join(["district_id", "source_id", "result_source_id", *FIELDS, *LIFECYCLE])
    op.execute(f"INSERT INTO domain_result_restored ({columns}) SELECT {columns} FROM domain_result")
    op.execute("DROP VIEW domain_result")
    op.drop_table("result_domains")
    op.rename_table("domain_result_restored", "domain_result")
