"""Ids named in warehouse reads a batch at a time.

A read names its rows' ids in an ``IN`` list: a batch keeps that list far below PostgreSQL's 65,535
parameters, and what one read hands over follows the batch, not the district.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa


def id_batches(ids: pa.Array, size: int) -> Iterator[list[str]]:
    """``ids`` in order, as lists of at most ``size``; one empty list when there are none, so that a
    reader built on the batches still answers, with its columns and no rows."""
    for first in range(0, max(len(ids), 1), size):
        yield ids.slice(first, size).to_pylist()
