"""Relative placement, per row: the one number tutoring decisions read from a placement.

Everything downstream (grade levels below, proficiency band) comes from a category 0 (three or more grade
levels below) .. 4 (mid or above grade level), whichever spelling or layout the export used.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc

from connectors.iready.arrowtools import Column, recode
from connectors.iready.vocabulary import (
    GRADE_LEVELS_BELOW,
    RELATIVE_PLACEMENTS,
    placement_category,
    relative_category,
)

_SEPARATOR = "\x1f"


def categories(relative: Column, placement: Column, student_grade: Column) -> Column:
    """The relative placement as written, else worked out from placement and grade (older layouts)."""
    category = recode(relative, relative_category, pa.int8())
    unplaced = pc.and_(pc.is_null(category), pc.is_valid(placement))
    if not pc.any(unplaced).as_py():
        return category
    pairs = pc.binary_join_element_wise(placement, pc.fill_null(student_grade, ""), _SEPARATOR)
    derived = recode(pairs, lambda pair: placement_category(*pair.split(_SEPARATOR)), pa.int8())
    return pc.coalesce(category, derived)


def grade_levels_below(category: Column) -> Column:
    return pc.take(pa.array(GRADE_LEVELS_BELOW, pa.int64()), category)


def proficiency_bands(category: Column, bands: Mapping[str, int]) -> Column:
    return pc.take(pa.array([bands[name] for name in RELATIVE_PLACEMENTS], pa.int64()), category)
