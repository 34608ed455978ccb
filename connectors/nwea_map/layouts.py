"""The MAP Growth export layouts: which file is which, in which year's columns, and what must be there.

NWEA has reshaped ``AssessmentResults.csv`` twice (2015 and ~2020) and ships the same data as one
``ComboStudentAssessment.csv`` in the Combined Data File. Every layout is recognised from its header,
renamed onto the current (2020+) column names, and from then on read by name, never by position.
"""

from __future__ import annotations

from dataclasses import dataclass

GROWTH_PAIRS = (
    "FallToFall",
    "FallToWinter",
    "FallToSpring",
    "WinterToWinter",
    "WinterToSpring",
    "SpringToSpring",
)
GROWTH_FIELDS = (
    "ProjectedGrowth",
    "ObservedGrowth",
    "ObservedGrowthSE",
    "MetProjectedGrowth",
    "ConditionalGrowthIndex",
    "ConditionalGrowthPercentile",
    "GrowthQuintile",
)
GOAL_FIELDS = ("Name", "RitScore", "StdErr", "Range", "Adjective")
MAX_GOALS = 8

_ORGS = ["TermName", "DistrictName", "District_StateID", "SchoolName", "School_StateID"]
_WEEKS = [
    f"WI{when}AY{season}" for when in ("Selected", "Previous") for season in ("Fall", "Winter", "Spring")
]
_STUDENT = [
    "StudentLastName",
    "StudentFirstName",
    "StudentMI",
    "StudentID",
    "Student_StateID",
    "StudentDateOfBirth",
    "StudentEthnicGroup",
    "NWEAStandard_EthnicGroup",
    "StudentGender",
    "Grade",
    "NWEAStandard_Grade",
]
_SCORES = [
    "TestStartDate",
    "TestStartTime",
    "TestDurationMinutes",
    "TestRITScore",
    "TestStandardError",
    "TestPercentile",
    "AchievementQuintile",
    "PercentCorrect",
    "RapidGuessingPercentage",
]
_LEXILE_QUANTILE = [f"{scale}{part}" for scale in ("Lexile", "Quantile") for part in ("Score", "Min", "Max")]
_RIT_TO_READING = ["RITtoReadingScore", "RITtoReadingMin", "RITtoReadingMax"]
_TYPICAL = [f"Typical{pair}Growth" for pair in GROWTH_PAIRS]


def _growth(fields: tuple[str, ...] = GROWTH_FIELDS) -> list[str]:
    return [f"{pair}{field}" for pair in GROWTH_PAIRS for field in fields]


def _goals() -> list[str]:
    return [f"Goal{n}{field}" for n in range(1, MAX_GOALS + 1) for field in GOAL_FIELDS]


def _projections(first: int, last: int) -> list[str]:
    return [f"ProjectedProficiency{kind}{n}" for n in range(first, last + 1) for kind in ("Study", "Level")]


ASSESSMENT_RESULTS_2020 = [
    *_ORGS,
    "StudentID",
    "Student_StateID",
    "Subject",
    "Course",
    "GrowthMeasureYN",
    "NormsReferenceData",
    *_WEEKS,
    "TestType",
    "TestName",
    "TestID",
    *_SCORES,
    *_growth(),
    *_LEXILE_QUANTILE,
    *_goals(),
    *_TYPICAL,
    *_projections(1, 10),
]
"""``AssessmentResults.csv`` of the Comprehensive Data File since ~2020: 143 columns, in order."""

COMBO_2020 = [
    *_ORGS,
    *_STUDENT,
    "Subject",
    "Course",
    "NormsReferenceData",
    *_WEEKS,
    "TestType",
    "TestName",
    *_SCORES,
    *_growth(),
    *_LEXILE_QUANTILE,
    *_goals(),
    "AccommodationCategories",
    "Accommodations",
    *_TYPICAL,
    *_projections(1, 10),
]
"""``ComboStudentAssessment.csv``: 152 columns; no ``TestID`` and no ``GrowthMeasureYN``."""

COMBO_2020_TEACHER = [*COMBO_2020[:18], "Teacher Name", "Teacher UID", *COMBO_2020[18:]]
"""The tab-delimited "combined with teacher" variant."""

ASSESSMENT_RESULTS_2015 = [
    "TermName",
    "StudentID",
    "SchoolName",
    "MeasurementScale",
    "Discipline",
    "GrowthMeasureYN",
    "NormsReferenceData",
    *_WEEKS,
    "TestType",
    "TestName",
    "TestID",
    "TestStartDate",
    "TestDurationMinutes",
    "TestRITScore",
    "TestStandardError",
    "TestPercentile",
    *_growth(GROWTH_FIELDS[:-1]),
    *_RIT_TO_READING,
    *_goals(),
    "TestStartTime",
    "PercentCorrect",
    *_projections(1, 3),
    *_TYPICAL,
    *_projections(4, 10),
]
"""2015-16 to 2019-20 ("post-2015"): 128 columns."""

ASSESSMENT_RESULTS_PRE_2015 = [
    "TermName",
    "StudentID",
    "SchoolName",
    "MeasurementScale",
    "Discipline",
    "GrowthMeasureYN",
    "TestType",
    "TestName",
    "TestID",
    "TestStartDate",
    "TestDurationMinutes",
    "TestRITScore",
    "TestStandardError",
    "TestPercentile",
    "TypicalFallToFallGrowth",
    "TypicalSpringToSpringGrowth",
    "TypicalFallToSpringGrowth",
    "TypicalFallToWinterGrowth",
    *_RIT_TO_READING,
    *_goals(),
    "TestStartTime",
    "PercentCorrect",
    "ProjectedProficiency",
]
"""Web-based MAP before 2015: 64 columns."""

STUDENTS_BY_SCHOOL_2020 = [*_ORGS, *_STUDENT]
"""Current ``StudentsBySchool.csv``: the 16 student columns of the Combined Data File (not seen verbatim)."""

STUDENTS_BY_SCHOOL_PRE_2020 = [
    "TermName",
    "DistrictName",
    "SchoolName",
    "StudentLastName",
    "StudentFirstName",
    "StudentMI",
    "StudentID",
    "StudentDateOfBirth",
    "StudentEthnicGroup",
    "StudentGender",
    "Grade",
]

CLASS_ASSIGNMENTS = ["TermName", "StudentID", "SchoolName", "ClassName", "TeacherName"]

RENAMES = {
    "MeasurementScale": "Course",
    "Discipline": "Subject",
    "RITtoReadingScore": "LexileScore",
    "RITtoReadingMin": "LexileMin",
    "RITtoReadingMax": "LexileMax",
    "ProjectedProficiency": "ProjectedProficiencyLevel1",
}
"""Old column -> its 2020+ name. ``Typical*Growth`` kept its name when it moved behind the goals."""


@dataclass(frozen=True, slots=True)
class FileKind:
    """One file of the export family: how its name is recognised and what it cannot do without."""

    stream: str
    required: tuple[str, ...]
    layouts: dict[str, list[str]]


ASSESSMENT_REQUIRED = ("TermName", "StudentID", "Subject", "TestStartDate", "TestRITScore")

FILE_KINDS = (
    FileKind(
        "AssessmentResults",
        ASSESSMENT_REQUIRED,
        {
            "2020": ASSESSMENT_RESULTS_2020,
            "2015": ASSESSMENT_RESULTS_2015,
            "pre-2015": ASSESSMENT_RESULTS_PRE_2015,
        },
    ),
    FileKind(
        "ComboStudentAssessment",
        ASSESSMENT_REQUIRED,
        {"combined-2020": COMBO_2020, "combined-2020-teacher": COMBO_2020_TEACHER},
    ),
    FileKind(
        "StudentsBySchool",
        ("TermName", "StudentID", "Grade"),
        {"2020": STUDENTS_BY_SCHOOL_2020, "pre-2020": STUDENTS_BY_SCHOOL_PRE_2020},
    ),
    FileKind("ClassAssignments", ("TermName", "StudentID", "ClassName"), {"2014+": CLASS_ASSIGNMENTS}),
)

KNOWN_COLUMNS = frozenset(
    RENAMES.get(name, name) for kind in FILE_KINDS for layout in kind.layouts.values() for name in layout
)
_CANONICAL = {
    name.casefold(): name for kind in FILE_KINDS for layout in kind.layouts.values() for name in layout
}


def kind_of(file_name: str) -> FileKind | None:
    """The file kind a name suggests (``Fall2013AssessmentResults.csv``): used only when the header fits
    no kind, so that a damaged header of a named file says what it lacks."""
    folded = file_name.casefold()
    return next((kind for kind in FILE_KINDS if kind.stream.casefold() in folded), None)


def kind_by_header(header: list[str]) -> FileKind | None:
    """The file kind whose required columns the header holds, the closest layout deciding between kinds
    that share them (AssessmentResults and the Combined file)."""
    present = set(canonical_names(header))
    fitting = [kind for kind in FILE_KINDS if set(kind.required) <= present]

    def likeness(kind: FileKind) -> float:
        return max(len(present & set(cols)) / len(present | set(cols)) for cols in kind.layouts.values())

    return max(fitting, key=likeness, default=None)


def canonical_names(header: list[str]) -> list[str]:
    """NWEA's own spelling of each known column (tools lower-case headers), then the 2020+ name."""
    names = [_CANONICAL.get(name.strip().casefold(), name.strip()) for name in header]
    present = set(names)
    # An old name is renamed only if the file does not also carry the new one.
    return [RENAMES[name] if name in RENAMES and RENAMES[name] not in present else name for name in names]


def guess_layout(kind: FileKind, header: list[str]) -> str:
    """The known layout whose header overlaps this one most (for messages and ``Extract.info``)."""
    present = {_CANONICAL.get(name.strip().casefold(), name.strip()) for name in header}

    def overlap(columns: list[str]) -> float:
        return len(present & set(columns)) / len(present | set(columns))

    return max(kind.layouts, key=lambda name: overlap(kind.layouts[name]))
