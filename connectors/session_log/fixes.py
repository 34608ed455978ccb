"""Fixing what can be fixed safely in checked session rows, one warning per kind and file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.session_log import format as fmt
from connectors.session_log.reading import LINE
from hub.connector import Issue
from hub.skills import DOMAINS

TIME = r"^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
_DOMAIN_NAMES = {
    name.lower(): key
    for domains in DOMAINS.values()
    for key, label in domains.items()
    for name in (key, label)
}


@dataclass(slots=True)
class Checked:
    """What survives checking one file, and what was found."""

    table: pa.Table
    issues: list[Issue] = field(default_factory=list)
    rejected: int = 0


def replaced(table: pa.Table, name: str, values: pa.ChunkedArray | pa.Array) -> pa.Table:
    return table.set_column(table.column_names.index(name), name, values)


@dataclass(slots=True)
class Warnings:
    """One warning per kind and file, however many blocks the file is fixed in: its first row shown, every
    row counted."""

    first: dict[str, Issue] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def note(
        self, table: pa.Table, mask: pa.ChunkedArray, kind: str, column: str, reason: str, file: str
    ) -> None:
        flags = pc.fill_null(mask, False)
        count = pc.sum(flags.cast(pa.int64())).as_py() or 0
        if not count:
            return
        if kind not in self.first:
            row = table.slice(int(np.flatnonzero(flags.to_numpy(zero_copy_only=False))[0]), 1).to_pylist()[0]
            self.first[kind] = Issue(file, row[LINE], column, row[column], kind, reason, "warning")
        self.counts[kind] = self.counts.get(kind, 0) + count

    def issues(self) -> list[Issue]:
        return [
            replace(issue, reason=f"{issue.reason} ({self.counts[kind]} row(s), first shown)")
            for kind, issue in self.first.items()
        ]


def fix(table: pa.Table, file: str, warnings: Warnings) -> pa.Table:
    """Fix what can be fixed safely in a block of a file, noting one warning per kind: the session still
    counts."""
    start = table["start_time"]
    good_time = pc.fill_null(pc.match_substring_regex(start, TIME), True)
    warnings.note(
        table, pc.invert(good_time), "bad_time", "start_time", "start_time is not HH:MM; left blank", file
    )
    start = pc.if_else(good_time, start, pa.scalar(None, pa.string()))
    start = pc.utf8_slice_codeunits(pc.replace_substring_regex(start, r"^(\d):", r"0\1:"), 0, 5)
    table = replaced(table, "start_time", start)

    skills, unknown = _canonical_skills(table["skills_covered"])
    warnings.note(
        table,
        pc.is_in(table["skills_covered"], pa.array(sorted(unknown), pa.string())),
        "unknown_skill",
        "skills_covered",
        "skills_covered names a domain that is not a canonical skill domain; that name is dropped",
        file,
    )
    table = replaced(table, "skills_covered", skills)
    table = replaced(table, "standards", pc.replace_substring_regex(table["standards"], r"\s*[;,]\s*", ","))

    long_check = pc.fill_null(
        pc.greater(pc.utf8_length(table["mastery_check"]), fmt.MASTERY_CHECK_LENGTH), False
    )
    warnings.note(
        table,
        long_check,
        "long_mastery_check",
        "mastery_check",
        f"mastery_check is longer than {fmt.MASTERY_CHECK_LENGTH} characters; cut to that length",
        file,
    )
    return replaced(
        table, "mastery_check", pc.utf8_slice_codeunits(table["mastery_check"], 0, fmt.MASTERY_CHECK_LENGTH)
    )


def _canonical_skills(values: pa.ChunkedArray) -> tuple[pa.ChunkedArray, set[str]]:
    """Skill names as canonical domain keys, comma-joined. Loops over distinct values only (a handful)."""
    distinct = pc.unique(values).drop_null().to_pylist()
    mapped: list[str | None] = []
    unknown: set[str] = set()
    for text in distinct:
        names = [name.strip() for name in re.split(fmt.LIST_SEPARATORS, text) if name.strip()]
        keys = [_DOMAIN_NAMES.get(name.lower()) for name in names]
        if None in keys:
            unknown.add(text)
        known = list(dict.fromkeys(key for key in keys if key))
        mapped.append(",".join(known) or None)
    index = pc.index_in(values, pa.array(distinct, pa.string()))
    return pa.array(mapped, pa.string()).take(index), unknown
