"""What a synthetic district is built from, and the random streams it is built with."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from testkit.synthetic.calendar import DEFAULT_SCHOOL_YEAR


@dataclass(frozen=True, slots=True)
class DistrictSpec:
    """Size and seed of a synthetic district; the draws depend on ``students`` and ``seed`` only.

    ``district_id`` only names things (ids, e-mail domains) and ``school_year`` (the calendar year in which
    the school year ends, as OneRoster counts it) only moves dates, so neither changes who the students are.
    """

    students: int
    seed: int = 0
    district_id: str = "demo"
    school_year: int = DEFAULT_SCHOOL_YEAR

    def __post_init__(self) -> None:
        if self.students < 1:
            raise ValueError(f"a synthetic district needs at least 1 student, not {self.students}")
        if self.seed < 0:
            raise ValueError(f"the seed must be a non-negative integer, not {self.seed}")
        if not re.fullmatch(r"[0-9A-Za-z_-]{1,64}", self.district_id):
            raise ValueError(f"district_id {self.district_id!r}: use 1-64 letters, digits, '_' or '-'")

    def rng(self, purpose: str) -> np.random.Generator:
        """An independent stream per purpose, so a new draw elsewhere never reshuffles this one."""
        return np.random.default_rng([self.seed, self.students, zlib.crc32(purpose.encode())])

    @property
    def email_domain(self) -> str:
        return f"{self.district_id.lower().replace('_', '-')}.k12.example.org"


def numbered(prefix: str, numbers: np.ndarray | pa.Array, width: int) -> pa.Array:
    """Ids such as ``stu-0000042``: a prefix and a zero-padded number, built in bulk."""
    digits = pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder, exact sum)."""
    if len(weights) == 0:
        return np.zeros(0, dtype=np.int64)
    shares = total * weights / weights.sum()
    parts = np.floor(shares).astype(np.int64)
    leftover = total - int(parts.sum())
    parts[np.argsort(parts - shares, kind="stable")[:leftover]] += 1
    return parts


def rank_within(groups: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A random order inside each group: (rank of each element in its group, size of its group).

    ``groups`` are non-negative integer labels; ranks run 0..size-1 in a random order per group.
    """
    order = np.lexsort((rng.random(len(groups)), groups))
    sizes = np.bincount(groups) if len(groups) else np.zeros(0, dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    rank = np.empty(len(groups), dtype=np.int64)
    rank[order] = np.arange(len(groups)) - starts[groups[order]]
    return rank, sizes[groups]
