"""Matching vendors' student ids to roster persons, through person_identifier and a precedence of id types.

A vendor knows a student by whatever id the district loaded into it: the SIS id, the OneRoster
sourcedId, the state id or a username. For each result, the id types are tried strongest first and the
first type under which the id names anybody decides: one person is a match; two or more is *ambiguous*
and stays so (a weaker id type must not pick one of two people the stronger type could not tell apart);
nobody under any type is *unmatched*. Results that do not match are kept with no person and matched
again on later syncs (``rematch``), so they load by themselves once the roster catches up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics._arrow import (
    NULL_TEXT,
    concat,
    first_per_group,
    put_column,
    require_columns,
    row_numbers,
)
from hub.diagnostics.config import DEFAULT_ID_PRECEDENCE
from hub.diagnostics.errors import DiagnosticsError
from hub.diagnostics.match_report import SAMPLE_IDS, MatchReport, build_reports


@dataclass(frozen=True, slots=True)
class MatchOutcome:
    """The results with ``person_source_id``, ``match_status``, ``matched_by`` and ``match_reason`` set.

    ``matched_by`` is the id type that decided (null when nothing matched); ``match_reason`` says why a
    row is unmatched or ambiguous (null when it matched). Neither is a model column: the warehouse drops
    them on apply.
    """

    results: pa.Table
    reports: tuple[MatchReport, ...]


def active_identifiers(
    identifiers: pa.Table, persons: pa.Table, roles: Sequence[str] = ("student",)
) -> pa.Table:
    """The identifiers of active persons in ``roles``: a teacher who shares a number with a student
    must not make that student ambiguous, and a student who left must not take a newcomer's results."""
    require_columns(persons, ["source_id", "role"], "person")
    keep = pc.is_in(persons.column("role"), value_set=pa.array(list(roles), pa.string()))
    if "status" in persons.column_names:
        keep = pc.and_(keep, pc.equal(persons.column("status"), "active"))
    people = persons.filter(keep).select(["source_id"])
    return identifiers.join(people, keys="person_source_id", right_keys="source_id", join_type="left semi")


@dataclass(frozen=True, slots=True)
class RosterIds:
    """What each id could name under a precedence of id types (``roster_ids``): worked out once for a
    stage that matches many blocks of results against the same roster."""

    candidates: pa.Table
    id_types: tuple[str, ...]


def roster_ids(identifiers: pa.Table, precedence: Sequence[str] = DEFAULT_ID_PRECEDENCE) -> RosterIds:
    """``identifiers`` is the district's person_identifier table (``person_source_id``, ``id_type``,
    ``value``), best narrowed with ``active_identifiers``."""
    require_columns(identifiers, ["person_source_id", "id_type", "value"], "person_identifier")
    id_types = tuple(precedence)
    if not id_types:
        raise DiagnosticsError("identifier precedence is empty: name at least one id type, e.g. sis_id")
    return RosterIds(_candidates(identifiers, id_types), id_types)


def match_students(
    results: pa.Table,
    identifiers: pa.Table,
    precedence: Sequence[str] = DEFAULT_ID_PRECEDENCE,
    *,
    vendor_id_column: str = "vendor_student_id",
    file_column: str = "source_file",
    sample_size: int = SAMPLE_IDS,
) -> MatchOutcome:
    """Match every result row to a roster person; one ``MatchReport`` per value of ``file_column``.

    ``identifiers``: see ``roster_ids``. Ids are compared with surrounding blanks removed; a blank vendor
    id is unmatched.
    """
    roster = roster_ids(identifiers, precedence)
    return match_to(
        results, roster, vendor_id_column=vendor_id_column, file_column=file_column, sample_size=sample_size
    )


def match_to(
    results: pa.Table,
    roster: RosterIds,
    *,
    vendor_id_column: str = "vendor_student_id",
    file_column: str = "source_file",
    sample_size: int = SAMPLE_IDS,
) -> MatchOutcome:
    """``match_students`` against a roster's ids worked out before (``roster_ids``)."""
    require_columns(results, [vendor_id_column], "diagnostic results")
    id_types = roster.id_types
    vendor_ids = _clean(results.column(vendor_id_column))
    probe = pa.table({"_row": row_numbers(results.num_rows), "_id": vendor_ids})
    # only the ids these results carry: a block of results is joined to its own students, not the roster
    candidates = roster.candidates.filter(pc.is_in(roster.candidates.column("value"), pc.unique(vendor_ids)))
    hits = probe.join(candidates, keys="_id", right_keys="value", join_type="inner")
    decided = hits.take(first_per_group(hits, ["_row"], [("_rank", "ascending")]))
    found = (
        probe.select(["_row"])
        .join(decided.drop_columns(["_id", "_rank"]), keys="_row", join_type="left outer")
        .sort_by("_row")
    )

    persons = found.column("_persons")
    status = pc.if_else(
        pc.is_null(persons), "unmatched", pc.if_else(pc.equal(persons, 1), "matched", "ambiguous")
    )
    reason = _reasons(status, persons, found.column("_id_type"), vendor_ids, id_types)
    matched = results
    for name, values in (
        ("person_source_id", pc.if_else(pc.equal(status, "matched"), found.column("_person"), NULL_TEXT)),
        ("match_status", status),
        ("matched_by", found.column("_id_type")),
        ("match_reason", reason),
    ):
        matched = put_column(matched, name, values)
    files = matched.column(file_column) if file_column in matched.column_names else None
    return MatchOutcome(matched, build_reports(status, vendor_ids, files, id_types, sample_size))


def rematch(
    stored: pa.Table,
    identifiers: pa.Table,
    precedence: Sequence[str] = DEFAULT_ID_PRECEDENCE,
    *,
    vendor_id_column: str = "vendor_student_id",
    sample_size: int = SAMPLE_IDS,
) -> MatchOutcome:
    """Match again the results a past sync could not place (unmatched or ambiguous), as read from the
    warehouse. Apply the outcome's results as a delta upsert (rows that still do not match are left as
    they were), then mark the test of record again: a newly matched test joins its student's window."""
    require_columns(stored, ["match_status"], "assessment_result")
    pending = stored.filter(pc.not_equal(stored.column("match_status"), "matched"))
    return match_students(
        pending, identifiers, precedence, vendor_id_column=vendor_id_column, sample_size=sample_size
    )


def _clean(values: pa.ChunkedArray) -> pa.ChunkedArray:
    trimmed = pc.utf8_trim_whitespace(values.cast(pa.string()))
    return pc.if_else(pc.equal(trimmed, ""), NULL_TEXT, trimmed)


def _candidates(identifiers: pa.Table, id_types: tuple[str, ...]) -> pa.Table:
    """Per (id type, value) in the precedence: its rank, how many persons it names, and one of them."""
    wanted = identifiers.filter(pc.is_in(identifiers.column("id_type"), value_set=pa.array(id_types)))
    named = pa.table(
        {
            "id_type": wanted.column("id_type").cast(pa.string()),
            "value": _clean(wanted.column("value")),
            "person": wanted.column("person_source_id").cast(pa.string()),
        }
    )
    per_value = named.group_by(["id_type", "value"]).aggregate(
        [("person", "count_distinct"), ("person", "min")]
    )
    return pa.table(
        {
            "value": per_value.column("value"),
            "_id_type": per_value.column("id_type"),
            "_rank": pc.index_in(per_value.column("id_type"), value_set=pa.array(id_types)),
            "_persons": per_value.column("person_count_distinct"),
            "_person": per_value.column("person_min"),
        }
    ).filter(pc.is_valid(per_value.column("value")))


def _reasons(
    status: pa.Array,
    persons: pa.ChunkedArray,
    id_type: pa.ChunkedArray,
    vendor_ids: pa.ChunkedArray,
    id_types: tuple[str, ...],
) -> pa.Array:
    nobody = f"no roster person has {'/'.join(id_types)} = this id"
    shared = concat(persons.cast(pa.string()), " roster persons share ", id_type, " = this id")
    unmatched = pc.if_else(pc.is_null(vendor_ids), "the result carries no student id", nobody)
    return pc.if_else(
        pc.equal(status, "matched"), NULL_TEXT, pc.if_else(pc.equal(status, "ambiguous"), shared, unmatched)
    )
