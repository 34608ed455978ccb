"""Recognising an i-Ready export from its header: which report, which subject, which year's layout.

The header decides and the file name is only a hint, because exports get renamed between the vendor's SFTP
and the hub. Columns are matched by name, never by position; older names are mapped onto the 2025-26 ones
so that everything after reading speaks one vocabulary. A column the vendor never wrote is the district's
own (state flags, an integrator's ``API_YEAR``) and travels along as an extra.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from connectors.iready import headers

RESULTS = "diagnostic_results"
LESSONS = "instruction_by_lesson"


@dataclass(frozen=True, slots=True)
class Layout:
    label: str
    """Shown in ``Extract.info`` and in errors, e.g. ``2025-26``."""
    kind: str
    subject: str | None
    """``ela`` or ``math``; None where each row says (lesson exports)."""
    columns: tuple[str, ...]
    """The vendor's header, names as written that year."""
    tests_side_by_side: bool = False
    """Diagnostic and Instruction: ``columns`` are one test's, unwrapped (see ``instruction``)."""


LAYOUTS = (
    Layout("2026-27 i-Ready Inform", RESULTS, "ela", headers.ELA_2026_27),
    Layout("2026-27 i-Ready Inform", RESULTS, "math", headers.MATH_2026_27),
    Layout("2025-26", RESULTS, "ela", headers.ELA_2025_26),
    Layout("2025-26", RESULTS, "math", headers.MATH_2025_26),
    Layout("2024-25", RESULTS, "ela", headers.ELA_2024_25),
    Layout("2024-25", RESULTS, "math", headers.MATH_2024_25),
    Layout("2023-24", RESULTS, "ela", headers.ELA_2023_24),
    Layout("2023-24", RESULTS, "math", headers.MATH_2023_24),
    Layout("61-column (Diagnostic Language, no state IDs)", RESULTS, "ela", headers.ELA_61),
    Layout("49-column (no demographics)", RESULTS, "ela", headers.ELA_49),
    Layout("2021-22", RESULTS, "ela", headers.ELA_2021_22),
    Layout("2021-22", RESULTS, "math", headers.MATH_2021_22),
    Layout("2020-21", RESULTS, "ela", headers.ELA_2020_21),
    Layout("2020-21", RESULTS, "math", headers.MATH_2020_21),
    Layout("2020-21 with demographics", RESULTS, "ela", headers.ELA_2020_21_DEMO),
    Layout("Diagnostic and Instruction", RESULTS, "ela", headers.DNI_ELA, tests_side_by_side=True),
    Layout("Diagnostic and Instruction", RESULTS, "math", headers.DNI_MATH, tests_side_by_side=True),
    Layout("Personalized Instruction by Lesson", LESSONS, None, headers.LESSONS_OEA),
    Layout(
        "Personalized Instruction by Lesson with demographics",
        LESSONS,
        None,
        headers.LESSONS_WITH_DEMOGRAPHICS,
    ),
    Layout(
        "Comprehensive Student Lesson Activity with Standards", LESSONS, None, headers.LESSONS_WITH_STANDARDS
    ),
)

RENAMES = {
    "Gender": "Sex",
    "Diagnostic used to establish Growth Measures (Y/N)": "Baseline Diagnostic (Y/N)",
    "Most Recent Diagnostic (Y/N)": "Most Recent Diagnostic YTD (Y/N)",
    **{inform: current for current, inform in headers.INFORM_RENAMES.items()},
    **headers.DNI_RENAMES,
    **{
        f"Reading Comprehension: {part} {measure}": f"Comprehension: {part} {measure}"
        for part in ("Overall", "Literature", "Informational Text")
        for measure in ("Scale Score", "Placement", "Relative Placement")
    },
}
"""Older and 2026-27 column names -> the 2025-26 name of the same column."""

REQUIRED = {
    RESULTS: (
        "Student ID",
        "Academic Year",
        "Start Date",
        "Completion Date",
        "Overall Scale Score",
        "Overall Placement",
        "Overall Relative Placement",
    ),
    LESSONS: ("Student ID", "Domain", "Completion Date", "Passed or Not Passed"),
}

_VENDOR_NAMES = {
    name.casefold(): RENAMES.get(name, name) for layout in LAYOUTS for name in (*layout.columns, *RENAMES)
}
_KIND_MARKERS = {
    LESSONS: {"Lesson ID", "Passed or Not Passed"},
    RESULTS: {"Overall Scale Score", "Overall Placement", "Overall Relative Placement"},
}
_SUBJECT_MARKERS = {
    "ela": (
        "Lexile",
        "Phonics",
        "Phonological Awareness",
        "High-Frequency Words",
        "Vocabulary",
        "Comprehension",
    ),
    "math": ("Quantile", "Number and Operations", "Algebra and", "Measurement and Data", "Geometry"),
}
_UNSUPPORTED_TOKENS = {"spanish", "pro"}  # Spanish reading is on another scale; i-Ready Pro lessons differ


def vendor_name(name: str) -> str | None:
    """The 2025-26 name of a vendor column (any year, any case), or None for a district's own column."""
    return _VENDOR_NAMES.get(name.strip().casefold())


@dataclass(frozen=True, slots=True)
class Hint:
    """What a file name suggests: SFTP names like ``diagnostic_results_math_CONFIDENTIAL.csv``."""

    kind: str | None
    subject: str | None
    unsupported: bool

    @classmethod
    def of(cls, file_name: str) -> Hint:
        tokens = set(re.split(r"[^a-z0-9]+", PurePath(file_name).stem.casefold()))
        kind = LESSONS if "lesson" in tokens else RESULTS if tokens & {"diagnostic", "inform"} else None
        subject = "math" if "math" in tokens else "ela" if tokens & {"ela", "reading"} else None
        return cls(kind, subject, bool(tokens & _UNSUPPORTED_TOKENS))


@dataclass(frozen=True, slots=True)
class Recognised:
    layout: Layout
    subject: str | None
    columns: tuple[str, ...]
    """The header under 2025-26 names; a district's columns keep their own."""
    extras: tuple[str, ...]
    missing: tuple[str, ...]
    """Required columns the header lacks."""


def recognise(header: Sequence[str], file_name: str) -> Recognised | None:
    """The closest known layout to ``header``, or None when it is no export this connector reads."""
    hint = Hint.of(file_name)
    columns = tuple(vendor_name(name) or name.strip() or f"Column {n}" for n, name in enumerate(header, 1))
    kind = next((kind for kind, markers in _KIND_MARKERS.items() if markers & set(columns)), hint.kind)
    if kind is None or hint.unsupported:
        return None
    subject = _subject(columns, hint) if kind == RESULTS else hint.subject
    written = {name.strip().casefold() for name in header}
    candidates = [
        lay for lay in LAYOUTS if lay.kind == kind and (subject is None or lay.subject in (subject, None))
    ]
    layout = max(candidates, key=lambda lay: _likeness(written, lay))
    return Recognised(
        layout=layout,
        subject=subject,
        columns=columns,
        extras=tuple(name for name in columns if vendor_name(name) is None),
        missing=tuple(name for name in REQUIRED[kind] if name not in columns),
    )


def _subject(columns: Sequence[str], hint: Hint) -> str | None:
    found = {
        subject
        for subject, prefixes in _SUBJECT_MARKERS.items()
        if any(vendor_name(c) and c.startswith(prefixes) for c in columns)
    }
    return found.pop() if len(found) == 1 else hint.subject


def _likeness(written: set[str], layout: Layout) -> int:
    known = {name.casefold() for name in layout.columns}
    return len(written & known) - len(known - written)
