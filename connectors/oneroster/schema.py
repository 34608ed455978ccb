"""What a OneRoster CSV file must look like, per version: columns, required fields, value kinds, references.

Column lists follow the 1.1 CSV tables and the 1.2.1 CSV binding. Only the rostering files are described:
this connector reads rosters; gradebook and resources files are recognised and left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

LIFECYCLE = ("sourcedId", "status", "dateLastModified")

# Dependency order: a file's references point only at files before it (or at itself).
ORDER = ("orgs", "academicSessions", "courses", "classes", "users", "roles", "enrollments", "demographics")

# Files the spec defines that this connector recognises but does not read.
IGNORED = (
    "userProfiles",
    "resources",
    "classResources",
    "courseResources",
    "userResources",
    "categories",
    "lineItems",
    "results",
    "scoreScales",
    "lineItemLearningObjectiveIds",
    "lineItemScoreScales",
    "resultLearningObjectiveIds",
    "resultScoreScales",
)
KNOWN_STEMS = ORDER + IGNORED


@dataclass(frozen=True, slots=True)
class Reference:
    """A column holding sourcedId(s) of rows in ``target``.

    ``hard`` references reject the row when they do not resolve; soft ones (a parent org, a guardian) only
    warn, because the row still means what it says without them.
    """

    column: str
    target: str
    many: bool = False
    hard: bool = True


@dataclass(frozen=True, slots=True)
class FileSpec:
    stem: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    enums: dict[str, str] = field(default_factory=dict)  # column -> vocabulary name (see vocab.VOCABULARIES)
    booleans: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    user_ids: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    also_known: tuple[str, ...] = ()  # columns some exporters of this version write; no warning when absent
    legacy_names: dict[str, str] = field(default_factory=dict)  # 1.0 header -> current header

    @property
    def file(self) -> str:
        return f"{self.stem}.csv"


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_RACE_FLAGS = _names(
    "americanIndianOrAlaskaNative asian blackOrAfricanAmerican nativeHawaiianOrOtherPacificIslander white "
    "demographicRaceTwoOrMoreRaces hispanicOrLatinoEthnicity"
)

_SHARED = {
    "orgs": FileSpec(
        "orgs",
        (*LIFECYCLE, *_names("name type identifier parentSourcedId")),
        _names("sourcedId name type"),
        enums={"type": "org_type"},
        references=(Reference("parentSourcedId", "orgs", hard=False),),
    ),
    "academicSessions": FileSpec(
        "academicSessions",
        (*LIFECYCLE, *_names("title type startDate endDate parentSourcedId schoolYear")),
        _names("sourcedId title type startDate endDate schoolYear"),
        enums={"type": "session_type"},
        dates=("startDate", "endDate"),
        years=("schoolYear",),
        references=(Reference("parentSourcedId", "academicSessions", hard=False),),
    ),
    "courses": FileSpec(
        "courses",
        (
            *LIFECYCLE,
            *_names("schoolYearSourcedId title courseCode grades orgSourcedId subjects subjectCodes"),
        ),
        _names("sourcedId title orgSourcedId"),
        grades=("grades",),
        references=(
            Reference("schoolYearSourcedId", "academicSessions", hard=False),
            Reference("orgSourcedId", "orgs"),
        ),
        legacy_names={"schoolYearId": "schoolYearSourcedId", "grade": "grades"},
    ),
    "classes": FileSpec(
        "classes",
        (
            *LIFECYCLE,
            *_names("title grades courseSourcedId classCode classType location schoolSourcedId"),
            *_names("termSourcedIds subjects subjectCodes periods"),
        ),
        _names("sourcedId title courseSourcedId classType schoolSourcedId termSourcedIds"),
        enums={"classType": "class_type"},
        grades=("grades",),
        references=(
            Reference("courseSourcedId", "courses"),
            Reference("schoolSourcedId", "orgs"),
            Reference("termSourcedIds", "academicSessions", many=True),
        ),
        legacy_names={"grade": "grades", "termSourcedId": "termSourcedIds"},
    ),
    "enrollments": FileSpec(
        "enrollments",
        (*LIFECYCLE, *_names("classSourcedId schoolSourcedId userSourcedId role primary beginDate endDate")),
        _names("sourcedId classSourcedId schoolSourcedId userSourcedId role"),
        enums={"role": "enrollment_role"},
        booleans=("primary",),
        dates=("beginDate", "endDate"),
        references=(
            Reference("classSourcedId", "classes"),
            Reference("userSourcedId", "users"),
            Reference("schoolSourcedId", "orgs"),
        ),
    ),
    "demographics": FileSpec(
        "demographics",
        (
            *LIFECYCLE,
            *_names("birthDate sex"),
            *_RACE_FLAGS,
            *_names("countryOfBirthCode stateOfBirthAbbreviation cityOfBirth publicSchoolResidenceStatus"),
        ),
        ("sourcedId",),
        enums={"sex": "sex"},
        booleans=_RACE_FLAGS,
        dates=("birthDate",),
        references=(Reference("sourcedId", "users"),),
        legacy_names={"userSourcedId": "sourcedId", "birthdate": "birthDate"},
    ),
}

_USER_COMMON = dict(
    grades=("grades",),
    user_ids=("userIds",),
    booleans=("enabledUser",),
    legacy_names={"userId": "userIds", "agents": "agentSourcedIds"},
)
_USER_DETAILS = _names("middleName identifier email sms phone agentSourcedIds grades password")

_USERS_11 = FileSpec(
    "users",
    (
        *LIFECYCLE,
        *_names("enabledUser orgSourcedIds role username userIds givenName familyName"),
        *_USER_DETAILS,
    ),
    _names("sourcedId enabledUser orgSourcedIds role username givenName familyName"),
    enums={"role": "user_role"},
    references=(
        Reference("orgSourcedIds", "orgs", many=True),
        Reference("agentSourcedIds", "users", many=True, hard=False),
    ),
    **_USER_COMMON,
)

_USERS_12 = FileSpec(
    "users",
    (
        *LIFECYCLE,
        *_names("enabledUser username userIds givenName familyName"),
        *_USER_DETAILS,
        *_names("userMasterIdentifier preferredGivenName preferredMiddleName preferredFamilyName"),
        *_names("primaryOrgSourcedId pronouns"),
    ),
    _names("sourcedId enabledUser username givenName familyName"),
    references=(
        Reference("primaryOrgSourcedId", "orgs", hard=False),
        Reference("agentSourcedIds", "users", many=True, hard=False),
    ),
    also_known=("resourceSourcedIds",),  # 1.2 (2022) only; 1.2.1 dropped it
    **_USER_COMMON,
)

_ROLES = FileSpec(
    "roles",
    (*LIFECYCLE, *_names("userSourcedId roleType role beginDate endDate orgSourcedId userProfileSourcedId")),
    _names("sourcedId userSourcedId roleType role orgSourcedId"),
    enums={"role": "role_12", "roleType": "role_type"},
    dates=("beginDate", "endDate"),
    references=(Reference("userSourcedId", "users"), Reference("orgSourcedId", "orgs")),
)

# 1.0 lacked these columns; a 1.0 file is read without them rather than refused.
_ABSENT_IN_10 = {"users": ("enabledUser",), "academicSessions": ("schoolYear",)}


def _without_10_columns(spec: FileSpec) -> FileSpec:
    absent = _ABSENT_IN_10.get(spec.stem, ())
    return replace(spec, required=tuple(c for c in spec.required if c not in absent))


SPECS: dict[str, dict[str, FileSpec]] = {
    "1.1": {**_SHARED, "users": _USERS_11},
    "1.2": {**_SHARED, "users": _USERS_12, "roles": _ROLES},
}
SPECS["1.0"] = {stem: _without_10_columns(spec) for stem, spec in SPECS["1.1"].items()}


def file_specs(version: str) -> list[FileSpec]:
    """The files of ``version`` this connector reads, in dependency order."""
    specs = SPECS[version]
    return [specs[stem] for stem in ORDER if stem in specs]
