"""MAP goals (up to eight per test, named by the test itself) as ``domain_result`` rows.

Goals are discovered from the data: ``Goal1Name`` .. ``Goal8Name``, whichever exist and are filled, melted
column by column into one row per goal. Goal names depend on the test and the state's standards, so they
map onto the canonical skill domains of ``hub.skills`` by keywords, tried in order within the result's
subject (a math goal is never read with the ELA rules):

    ELA (Reading, Language Usage)               canonical domain
    "Phonological ..."                          phonological_awareness
    Foundational Skills (and Vocabulary)        phonics  [1]
    Vocabulary; Vocabulary: Acquisition and Use vocabulary
    Literature; Literary Text                   comprehension_literature
    Informational Text                          comprehension_informational
    Language and Writing; Writing; Language:
      Understand, Edit for Mechanics; Grammar   language_and_writing

    Mathematics                                 canonical domain
    Statistics and Probability                  statistics_and_probability
    Geometry                                    geometry
    Measurement and Data                        measurement_and_data
    Operations and Algebraic Thinking;
      Algebraic Thinking; Expressions and
      Equations; Functions; Inequalities        algebra_and_algebraic_thinking  [2]
    Number and Operations; The Number System;
      Real and Complex Number Systems; Ratios
      and Proportional Relationships            number_and_operations

[1] K-2 Reading reports foundational skills and vocabulary as one goal; a low score there is met first
    with decoding work, so it lands on phonics rather than vocabulary.
[2] Algebra is tried before number, so "Operations and Algebraic Thinking" and the high-school course
    goals ("Number and Algebraic Methods") count as algebra.

A goal name that no rule matches keeps ``canonical_domain`` null (and is reported once per file).
``Goal<n>Adjective`` is Low / LoAvg / Avg / HiAvg / High; a trailing ``*`` (NWEA could not compute the
adjective reliably) is stripped and counted in a warning. The model has no place for ``Goal<n>StdErr``.
"""

from __future__ import annotations

from functools import reduce

import pyarrow as pa
import pyarrow.compute as pc

from connectors.nwea_map.config import QUINTILES
from connectors.nwea_map.csvfile import FILE, LINE
from connectors.nwea_map.findings import Findings
from connectors.nwea_map.layouts import MAX_GOALS
from connectors.nwea_map.values import Column, invalid, map_distinct, numbers
from hub.connector import Issue

_RULES = {
    "ela": (
        (("phonological",), "phonological_awareness"),
        (("foundational", "phonics"), "phonics"),
        (("vocabulary",), "vocabulary"),
        (("literature", "literary"), "comprehension_literature"),
        (("informational",), "comprehension_informational"),
        (("writing", "language", "grammar", "mechanics"), "language_and_writing"),
    ),
    "math": (
        (("statistic", "probability"), "statistics_and_probability"),
        (("geometr",), "geometry"),
        (("measurement",), "measurement_and_data"),
        (("algebra", "function", "equation", "expression", "inequalit"), "algebra_and_algebraic_thinking"),
        (("number", "operation", "ratio", "proportional"), "number_and_operations"),
    ),
}


_BY_SUBJECT = pa.struct([(subject, pa.string()) for subject in _RULES])


def _domains_by_subject(goal_name: str) -> dict[str, str | None]:
    return {subject: canonical_domain(subject, goal_name) for subject in _RULES}


def canonical_domain(subject: str, goal_name: str) -> str | None:
    """The ``hub.skills`` key a MAP goal of ``subject`` measures, or None."""
    folded = goal_name.casefold()
    return next(
        (domain for keywords, domain in _RULES[subject] if any(word in folded for word in keywords)), None
    )


def domain_results(
    tests: pa.Table, result_ids: Column, subjects: Column, results: Column
) -> tuple[pa.Table, list[Issue]]:
    """One row per filled goal of the rows of ``tests`` that became results (mask ``results``)."""
    goals, melt_issues = _melt(tests, result_ids, subjects, results)
    findings = Findings(goals)
    scale_score = _goal_number(findings, "rit", "Goal<n>RitScore", "goal RIT score")
    standard_error = _goal_number(findings, "standard_error", "Goal<n>StdErr", "goal standard error")
    raw_adjective = pc.utf8_trim_whitespace(goals.column("adjective"))
    flagged = pc.ends_with(raw_adjective, "*")
    findings.warn(
        flagged,
        "Goal<n>Adjective",
        "goal_adjective_flagged",
        "goal adjective marked '*' by NWEA; kept without the mark",
    )
    adjective = pc.utf8_trim_whitespace(pc.utf8_rtrim(raw_adjective, "*"))
    known = pc.is_in(adjective, pa.array(QUINTILES))
    findings.warn(
        pc.and_not(pc.is_valid(adjective), known),
        "Goal<n>Adjective",
        "goal_adjective",
        f"goal adjective is not one of {', '.join(QUINTILES)}; left blank",
    )
    names = goals.column("vendor_domain")
    by_subject = map_distinct(names, _domains_by_subject, _BY_SUBJECT)
    canonical = pc.if_else(
        pc.equal(goals.column("subject"), "ela"),
        pc.struct_field(by_subject, "ela"),
        pc.struct_field(by_subject, "math"),
    )
    unmapped = pc.is_null(canonical)
    if pc.any(unmapped).as_py():
        listed = "; ".join(sorted(pc.unique(names.filter(unmapped)).to_pylist())[:10])
        findings.warn(
            unmapped, "Goal<n>Name", "unmapped_goal", f"goal name(s) match no skill domain: {listed}"
        )
    table = pa.table(
        {
            "source_id": pc.binary_join_element_wise(goals.column("result_source_id"), names, ":"),
            "result_source_id": goals.column("result_source_id"),
            "vendor_domain": names,
            "canonical_domain": canonical,
            "scale_score": scale_score,
            "standard_error": standard_error,
            "goal_adjective": pc.if_else(known, adjective, pa.scalar(None, pa.string())),
            "range_text": pc.utf8_trim_whitespace(goals.column("range")),
        }
    )
    return table, [*melt_issues, *findings.issues]


def _goal_number(findings: Findings, column: str, vendor_column: str, what: str) -> Column:
    """A goal's number; text that is not one is left blank, with one warning."""
    raw = findings.table.column(column)
    values = numbers(raw)
    findings.warn(invalid(raw, values), vendor_column, "bad_number", f"{what} is not a number; left blank")
    return values


def _melt(
    tests: pa.Table, result_ids: Column, subjects: Column, results: Column
) -> tuple[pa.Table, list[Issue]]:
    """Goal slots stacked: each slot's filled cells, for the vendor rows that became results.

    A goal name repeated within one test would give two rows one id; the later slot is dropped. Names are
    compared slot against slot, row by row, which is far cheaper than hashing millions of goal ids.
    """
    findings = Findings(tests)
    findings.scope = results
    text = findings.text
    slots = [n for n in range(1, MAX_GOALS + 1) if f"Goal{n}Name" in tests.column_names]
    files = pc.cast(tests.column(FILE), pa.string())
    parts = []
    earlier: list[Column] = []
    for n in slots or [1]:
        names = pc.utf8_trim_whitespace(text(f"Goal{n}Name"))
        repeated = reduce(pc.or_, [pc.equal(names, name) for name in earlier], pa.scalar(False))
        repeated = pc.fill_null(pc.and_(repeated, pc.not_equal(names, "")), False)
        reason = "a test names the same goal twice; the first is kept"
        findings.warn(repeated, f"Goal{n}Name", "duplicate_goal", reason)
        earlier.append(names)
        filled = pc.and_(pc.and_not(pc.fill_null(pc.not_equal(names, ""), False), repeated), results)
        columns = {
            "result_source_id": result_ids,
            "subject": subjects,
            "vendor_domain": names,
            "rit": text(f"Goal{n}RitScore"),
            "standard_error": text(f"Goal{n}StdErr"),
            "range": text(f"Goal{n}Range"),
            "adjective": text(f"Goal{n}Adjective"),
            FILE: files,
            LINE: tests.column(LINE),
        }
        parts.append(pa.table({name: pc.filter(values, filled) for name, values in columns.items()}))
    return pa.concat_tables(parts), findings.issues
