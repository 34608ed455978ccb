"""The tutors file: who may tutor which subjects, at which schools, for how many groups at once."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from connectors.session_log import format as fmt
from connectors.session_log.fixes import Checked, replaced
from connectors.session_log.reading import read_csv
from connectors.session_log.validate import whole_numbers
from hub.csvtext import Rejects, repeats
from hub.model import conform
from hub.skills import SUBJECTS


def _joined_list(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """ "a; b ,c" -> "a,b,c" (the model stores lists comma-joined)."""
    joined = pc.replace_substring_regex(values, r"\s*" + fmt.LIST_SEPARATORS + r"\s*", ",")
    return pc.replace_substring_regex(joined, r"^,+|,+$", "")


def check_tutors(path: Path) -> tuple[Checked, int]:
    """The file's accepted rows (subjects as canonical keys) and how many data rows it had."""
    table, issues = read_csv(path, fmt.TUTOR_REQUIRED, 0)
    for column in fmt.TUTOR_COLUMNS:
        if column not in table.column_names:
            table = table.append_column(column, pa.nulls(table.num_rows, pa.string()))
    subjects = _joined_list(pc.utf8_lower(table["subjects"]))
    table = replaced(table, "subjects", subjects)
    table = replaced(table, "schools", _joined_list(table["schools"]))
    rejects = Rejects(table, path.name)
    for column in fmt.TUTOR_REQUIRED:
        rejects.add(
            pc.is_null(table[column]), "missing_required", column, lambda r, c=column: f"{c} is blank"
        )
    known = "(" + "|".join(SUBJECTS) + ")"
    rejects.add(
        pc.invert(pc.match_substring_regex(subjects, f"^{known}(,{known})*$")),
        "bad_subject",
        "subjects",
        lambda r: f"{r['subjects']!r} names a subject other than {', '.join(SUBJECTS)}",
    )
    groups = whole_numbers(table["max_groups"])
    rejects.add(
        pc.invert(pc.fill_null(pc.less_equal(groups, fmt.MAX_TUTOR_GROUPS), False)),
        "max_groups_range",
        "max_groups",
        lambda r: f"{r['max_groups']!r} is not a whole number from 0 to {fmt.MAX_TUTOR_GROUPS}",
    )
    rejects.add(
        pa.array(repeats(table["tutor_id"], ~rejects.rejected)),
        "duplicate_tutor",
        "tutor_id",
        lambda r: f"tutor {r['tutor_id']} is listed twice; the first row is kept",
    )
    kept = table.filter(pa.array(~rejects.rejected))
    unread = sum(issue.severity == "reject" for issue in issues)
    return Checked(kept, issues + rejects.issues, unread + int(rejects.rejected.sum())), table.num_rows


def tutor_profiles(tutors: pa.Table) -> pa.Table:
    return conform(
        "tutor_profile",
        pa.table(
            {
                "source_id": tutors["tutor_id"],
                "subjects": tutors["subjects"],
                "max_groups": tutors["max_groups"].cast(pa.int64()),
                "school_source_ids": tutors["schools"],
            }
        ),
    )
