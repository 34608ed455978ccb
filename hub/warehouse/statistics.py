"""PostgreSQL's planner statistics kept up with the night's bulk writes.

A table loaded or largely rewritten during a night has no statistics, or stale ones, until autovacuum's
next pass (a minute or more later, and never inside a long night's steps if they query at once). A
planner that believes a table of a million rows empty picks nested loops over it: the review packets'
part reads of a 300-student district took 115 s instead of 0.7 s. So once an apply has committed, each
table it changed by more than autovacuum's own threshold (50 rows and a tenth of the table as last
analyzed) is analyzed at once: ANALYZE samples a fixed number of rows, so it costs a fraction of a second
even on a large table. SQLite needs none of this: it plans these reads from its indexes alone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from hub.warehouse.statements import TableChange

log = logging.getLogger(__name__)

AUTOVACUUM_BASE, AUTOVACUUM_SCALE = 50, 0.1
"""PostgreSQL's defaults for ``autovacuum_analyze_threshold`` and ``autovacuum_analyze_scale_factor``."""
SIZES = text(
    "SELECT relname, reltuples FROM pg_class "
    "WHERE relname = ANY(:names) AND relkind = 'r' AND pg_table_is_visible(oid)"
)
"""The tables' sizes as their last ANALYZE (or VACUUM) found them; -1 for a table never analyzed."""


def refresh_statistics(engine: Engine, changes: Mapping[str, TableChange]) -> list[str]:
    """Analyze the tables ``changes`` altered past autovacuum's threshold; the tables analyzed. A table
    that cannot be analyzed is left to autovacuum, with a warning: the rows are committed already."""
    changed = {name: change.inserted + change.updated + change.deleted for name, change in changes.items()}
    changed = {name: rows for name, rows in changed.items() if rows}
    if engine.dialect.name != "postgresql" or not changed:
        return []
    try:
        with engine.begin() as connection:
            sizes = {name: size for name, size in connection.execute(SIZES, {"names": list(changed)})}
            due = [name for name, size in sizes.items() if changed[name] > _threshold(size)]
            quote = connection.dialect.identifier_preparer.quote
            for name in sorted(due):
                connection.exec_driver_sql(f"ANALYZE {quote(name)}")
    except SQLAlchemyError as error:
        log.warning("the planner's statistics were not refreshed (%s); autovacuum will", type(error).__name__)
        return []
    return sorted(due)


def _threshold(size: float) -> float:
    """Rows changed past which a table of ``size`` rows (-1: never analyzed) is analyzed."""
    return 0 if size < 0 else AUTOVACUUM_BASE + AUTOVACUUM_SCALE * size
