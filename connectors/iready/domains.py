"""Diagnostic Results domains -> ``domain_result``: one row per domain per test.

==========================================  ================================
vendor_domain (2025-26 name)                canonical_domain (hub.skills)
==========================================  ================================
Phonological Awareness                      phonological_awareness
Phonics                                     phonics
High-Frequency Words                        high_frequency_words
Vocabulary                                  vocabulary
Comprehension: Overall                      (none: a rollup of the next two)
Comprehension: Literature                   comprehension_literature
Comprehension: Informational Text           comprehension_informational
Number and Operations                       number_and_operations
Algebra and Algebraic Thinking              algebra_and_algebraic_thinking
Measurement and Data                        measurement_and_data
Geometry                                    geometry
==========================================  ================================

Layouts before 2021-22 wrote ``Reading Comprehension: ...``; those domains carry the 2025-26 name, so a
test keeps the same domain rows whichever year's layout it came in.

- ``source_id``: the test's source_id + ``:`` + vendor_domain.
- ``scale_score``: ``<domain> Scale Score``; blank or a status word (``Tested Out``) is null.
- ``placement``: ``<domain> Placement`` verbatim (``Grade K``, ``Level 2``, ``Max Score``).
- ``grade_levels_below``: from ``<domain> Relative Placement`` in any spelling; ``Tested Out``,
  ``Max Score`` and ``Surpassed Level`` are 0; without a relative placement (2021-22 layout), from the
  placement and the student's grade; ``Not Assessed`` stays null.

A domain row is written when any of its three cells has a value.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from connectors.iready import placement
from connectors.iready.arrowtools import (
    Column,
    column_or_null,
    only,
    repeat,
    rows_where,
    to_number,
    unreadable,
)
from connectors.iready.checks import RowChecks, WarningTally
from connectors.iready.reading import FILE, LINE, SUBJECT
from connectors.iready.vocabulary import DOMAIN_STATUS_WORDS, DOMAINS
from hub.connector import Issue
from hub.model import arrow_schema, conform

_MEASURES = ("Scale Score", "Placement", "Relative Placement")
_RESULT = "_result_source_id"
_PLACEMENT_LENGTH = 64  # domain_result.placement


def melt_domains(
    rows: pa.Table, keep: Column, result_ids: Column, tally: WarningTally | None = None
) -> tuple[pa.Table, list[Issue]]:
    """Domain columns side by side -> domain rows of the ``keep`` rows, one Arrow operation per domain.

    ``result_ids`` are the source_ids of the kept rows, in order. Rows are split by subject first, so
    that within a subject every test has every domain and nothing needs filtering on a usual night.
    """
    needed = {FILE, LINE, SUBJECT, "Student Grade"} | {
        f"{vendor_domain} {measure}"
        for domains in DOMAINS.values()
        for vendor_domain, _ in domains
        for measure in _MEASURES
    }
    rows = only(rows.select([name for name in rows.column_names if name in needed]), keep)
    rows = rows.append_column(_RESULT, result_ids)
    parts: list[pa.Table] = []
    issues: list[Issue] = []
    for subject, domains in DOMAINS.items():
        written = [
            (vendor_domain, canonical)
            for vendor_domain, canonical in domains
            if any(f"{vendor_domain} {measure}" in rows.column_names for measure in _MEASURES)
        ]
        if not written:
            continue
        checks = RowChecks(rows_where(rows, SUBJECT, subject), tally)
        parts.extend(_domain_rows(checks, vendor_domain, canonical) for vendor_domain, canonical in written)
        issues.extend(checks.issues)
    if not parts:
        return arrow_schema("domain_result").empty_table(), issues
    return conform("domain_result", pa.concat_tables(parts)), issues


def _domain_rows(checks: RowChecks, vendor_domain: str, canonical: str | None) -> pa.Table:
    rows = checks.rows
    scale_raw, placement_raw, relative = (
        column_or_null(rows, f"{vendor_domain} {measure}") for measure in _MEASURES
    )
    scale = to_number(scale_raw, ignore=DOMAIN_STATUS_WORDS)
    column = f"{vendor_domain} Scale Score"
    lost = unreadable(scale_raw, scale)
    if pc.any(lost).as_py():  # a status word (Tested Out) where the score would be is no error
        words = pc.is_in(pc.utf8_trim_whitespace(scale_raw), value_set=pa.array(sorted(DOMAIN_STATUS_WORDS)))
        checks.warn(
            pc.and_(lost, pc.invert(words)), column, "not_a_number", f"{column} is not a number; left empty"
        )
    text = placement_raw
    if (pc.max(pc.utf8_length(text)).as_py() or 0) > _PLACEMENT_LENGTH:
        too_long = pc.greater(pc.utf8_length(text), _PLACEMENT_LENGTH)
        checks.warn(
            too_long, f"{vendor_domain} Placement", "too_long", "longer than 64 characters; left empty"
        )
        text = pc.if_else(too_long, pa.scalar(None, pa.string()), text)
    category = placement.categories(relative, text, rows.column("Student Grade"))
    ids = rows.column(_RESULT)
    domain_rows = pa.table(
        {
            "source_id": pc.binary_join_element_wise(ids, vendor_domain, ":"),
            "result_source_id": ids,
            "vendor_domain": repeat(vendor_domain, rows.num_rows, pa.string()),
            "canonical_domain": repeat(canonical, rows.num_rows, pa.string()),
            "scale_score": scale,
            "placement": text,
            "grade_levels_below": placement.grade_levels_below(category),
        }
    )
    present = pc.or_(pc.or_(pc.is_valid(scale_raw), pc.is_valid(placement_raw)), pc.is_valid(relative))
    return only(domain_rows, present)
