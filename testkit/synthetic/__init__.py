"""A realistic synthetic school district, deterministic by (students, seed), for demos, tests and benchmarks.

    district = build_district(DistrictSpec(students=2000, seed=7))
    district.students, district.sections, ...        # Arrow tables
    for chunk in district.iter_enrollments(): ...     # streamed
    district.level_at("math", "spring")               # grade levels relative to grade, per student

Vendors' layouts are written by each connector's ``writer.py``; this package knows no vendor.
"""

from testkit.synthetic.calendar import WINDOWS, window_dates
from testkit.synthetic.catalog import SUBJECT_NAMES
from testkit.synthetic.district import SyntheticDistrict, build_district
from testkit.synthetic.spec import DistrictSpec

__all__ = ["SUBJECT_NAMES", "WINDOWS", "DistrictSpec", "SyntheticDistrict", "build_district", "window_dates"]
