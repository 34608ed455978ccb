"""i-Ready export headers, verbatim and in order, for every layout the connector recognises.

Pure data: the vendor's column names by school year, as Curriculum Associates exported them (older names
kept as they were; ``layouts.RENAMES`` maps them onto the 2025-26 names). Columns a district or an
integrator appends (state flags, ``API_YEAR``) are not listed: they are the district's, not the vendor's.
"""

from __future__ import annotations


def _columns(*parts: str) -> tuple[str, ...]:
    return tuple("".join(parts).split(" | "))


ELA_2025_26 = _columns(
    "Last Name | First Name | Student ID | Student Grade | Academic Year | School | Enrolled | "
    "District State ID | Account State ID | School State ID | Student State ID | User Name | Sex | "
    "Hispanic or Latino | Race | English Language Learner | Special Education | "
    "Economically Disadvantaged | Migrant | Class(es) | Class Teacher(s) | Report Group(s) | "
    "Start Date | Completion Date | Norming Window | Baseline Diagnostic (Y/N) | "
    "Most Recent Diagnostic YTD (Y/N) | Duration (min) | Rush Flag | Read Aloud | "
    "Overall Scale Score | Overall Placement | Overall Relative Placement | Percentile | Grouping | "
    "Lexile Measure | Lexile Range | Phonological Awareness Scale Score | "
    "Phonological Awareness Placement | Phonological Awareness Relative Placement | "
    "Phonics Scale Score | Phonics Placement | Phonics Relative Placement | "
    "High-Frequency Words Scale Score | High-Frequency Words Placement | "
    "High-Frequency Words Relative Placement | Vocabulary Scale Score | Vocabulary Placement | "
    "Vocabulary Relative Placement | Comprehension: Overall Scale Score | "
    "Comprehension: Overall Placement | Comprehension: Overall Relative Placement | "
    "Comprehension: Literature Scale Score | Comprehension: Literature Placement | "
    "Comprehension: Literature Relative Placement | Comprehension: Informational Text Scale Score | "
    "Comprehension: Informational Text Placement | "
    "Comprehension: Informational Text Relative Placement | Diagnostic Gain | "
    "Annual Typical Growth Measure | Annual Stretch Growth Measure | "
    "Percent Progress to Annual Typical Growth (%) | Percent Progress to Annual Stretch Growth (%) | "
    "Mid On Grade Level Scale Score | Reading Difficulty Indicator (Y/N)"
)
MATH_2025_26 = _columns(
    "Last Name | First Name | Student ID | Student Grade | Academic Year | School | Enrolled | "
    "District State ID | Account State ID | School State ID | Student State ID | User Name | Sex | "
    "Hispanic or Latino | Race | English Language Learner | Special Education | "
    "Economically Disadvantaged | Migrant | Class(es) | Class Teacher(s) | Report Group(s) | "
    "Start Date | Completion Date | Norming Window | Baseline Diagnostic (Y/N) | "
    "Most Recent Diagnostic YTD (Y/N) | Duration (min) | Rush Flag | Read Aloud | "
    "Overall Scale Score | Overall Placement | Overall Relative Placement | Percentile | Grouping | "
    "Quantile Measure | Quantile Range | Number and Operations Scale Score | "
    "Number and Operations Placement | Number and Operations Relative Placement | "
    "Algebra and Algebraic Thinking Scale Score | Algebra and Algebraic Thinking Placement | "
    "Algebra and Algebraic Thinking Relative Placement | Measurement and Data Scale Score | "
    "Measurement and Data Placement | Measurement and Data Relative Placement | Geometry Scale Score | "
    "Geometry Placement | Geometry Relative Placement | Diagnostic Gain | "
    "Annual Typical Growth Measure | Annual Stretch Growth Measure | "
    "Percent Progress to Annual Typical Growth (%) | Percent Progress to Annual Stretch Growth (%) | "
    "Mid On Grade Level Scale Score | Proficiency if Student Shows No Additional Growth | "
    "Projection if Student Achieves Typical Growth | Projection if Student Achieves Stretch Growth"
)
ELA_2024_25 = _columns(
    "Last Name | First Name | Student ID | Student Grade | Academic Year | School | Enrolled | "
    "User Name | Sex | Hispanic or Latino | Race | English Language Learner | Special Education | "
    "Economically Disadvantaged | Migrant | Class(es) | Class Teacher(s) | Report Group(s) | "
    "Start Date | Completion Date | Baseline Diagnostic (Y/N) | Most Recent Diagnostic YTD (Y/N) | "
    "Duration (min) | Rush Flag | Read Aloud | Overall Scale Score | Overall Placement | "
    "Overall Relative Placement | Percentile | Grouping | Lexile Measure | Lexile Range | "
    "Phonological Awareness Scale Score | Phonological Awareness Placement | "
    "Phonological Awareness Relative Placement | Phonics Scale Score | Phonics Placement | "
    "Phonics Relative Placement | High-Frequency Words Scale Score | High-Frequency Words Placement | "
    "High-Frequency Words Relative Placement | Vocabulary Scale Score | Vocabulary Placement | "
    "Vocabulary Relative Placement | Comprehension: Overall Scale Score | "
    "Comprehension: Overall Placement | Comprehension: Overall Relative Placement | "
    "Comprehension: Literature Scale Score | Comprehension: Literature Placement | "
    "Comprehension: Literature Relative Placement | Comprehension: Informational Text Scale Score | "
    "Comprehension: Informational Text Placement | "
    "Comprehension: Informational Text Relative Placement | Diagnostic Gain | "
    "Annual Typical Growth Measure | Annual Stretch Growth Measure | "
    "Percent Progress to Annual Typical Growth (%) | Percent Progress to Annual Stretch Growth (%) | "
    "Mid On Grade Level Scale Score | Reading Difficulty Indicator (Y/N) | "
    "Proficiency if Student Shows No Additional Growth | "
    "Projection if Student Achieves Typical Growth | Projection if Student Achieves Stretch Growth"
)
MATH_2024_25 = _columns(
    "Last Name | First Name | Student ID | Student Grade | Academic Year | School | Enrolled | "
    "User Name | Sex | Hispanic or Latino | Race | English Language Learner | Special Education | "
    "Economically Disadvantaged | Migrant | Class(es) | Class Teacher(s) | Report Group(s) | "
    "Start Date | Completion Date | Baseline Diagnostic (Y/N) | Most Recent Diagnostic YTD (Y/N) | "
    "Duration (min) | Rush Flag | Read Aloud | Overall Scale Score | Overall Placement | "
    "Overall Relative Placement | Percentile | Grouping | Quantile Measure | Quantile Range | "
    "Number and Operations Scale Score | Number and Operations Placement | "
    "Number and Operations Relative Placement | Algebra and Algebraic Thinking Scale Score | "
    "Algebra and Algebraic Thinking Placement | Algebra and Algebraic Thinking Relative Placement | "
    "Measurement and Data Scale Score | Measurement and Data Placement | "
    "Measurement and Data Relative Placement | Geometry Scale Score | Geometry Placement | "
    "Geometry Relative Placement | Diagnostic Language | Diagnostic Gain | "
    "Annual Typical Growth Measure | Annual Stretch Growth Measure | "
    "Percent Progress to Annual Typical Growth (%) | Percent Progress to Annual Stretch Growth (%) | "
    "Mid On Grade Level Scale Score | Proficiency if Student Shows No Additional Growth | "
    "Projection if Student Achieves Typical Growth | Projection if Student Achieves Stretch Growth"
)
PROJECTIONS = _columns(
    "Proficiency if Student Shows No Additional Growth | "
    "Projection if Student Achieves Typical Growth | Projection if Student Achieves Stretch Growth"
)
ELA_2023_24 = (*ELA_2025_26, *PROJECTIONS)  # 2025-26 dropped the three projections at the end
MATH_2023_24 = _columns(
    "Last Name | First Name | Student ID | Student Grade | Academic Year | School | Enrolled | "
    "District State ID | Account State ID | School State ID | Student State ID | User Name | Sex | "
    "Hispanic or Latino | Race | English Language Learner | Special Education | "
    "Economically Disadvantaged | Migrant | Class(es) | Class Teacher(s) | Report Group(s) | "
    "Start Date | Completion Date | Baseline Diagnostic (Y/N) | Most Recent Diagnostic YTD (Y/N) | "
    "Duration (min) | Rush Flag | Overall Scale Score | Overall Placement | "
    "Overall Relative Placement | Percentile | Grouping | Quantile Measure | Quantile Range | "
    "Number and Operations Scale Score | Number and Operations Placement | "
    "Number and Operations Relative Placement | Algebra and Algebraic Thinking Scale Score | "
    "Algebra and Algebraic Thinking Placement | Algebra and Algebraic Thinking Relative Placement | "
    "Measurement and Data Scale Score | Measurement and Data Placement | "
    "Measurement and Data Relative Placement | Geometry Scale Score | Geometry Placement | "
    "Geometry Relative Placement | Diagnostic Language | Diagnostic Gain | "
    "Annual Typical Growth Measure | Annual Stretch Growth Measure | "
    "Percent Progress to Annual Typical Growth (%) | Percent Progress to Annual Stretch Growth (%) | "
    "Mid On Grade Level Scale Score | Proficiency if Student Shows No Additional Growth | "
    "Projection if Student Achieves Typical Growth | Projection if Student Achieves Stretch Growth"
)
ELA_61 = _columns(
    "Last Name | First Name | Student ID | Student Grade | Academic Year | School | Enrolled | "
    "User Name | Sex | Hispanic or Latino | Race | English Language Learner | Special Education | "
    "Economically Disadvantaged | Migrant | Class(es) | Class Teacher(s) | Report Group(s) | "
    "Start Date | Completion Date | Baseline Diagnostic (Y/N) | Most Recent Diagnostic YTD (Y/N) | "
    "Duration (min) | Rush Flag | Read Aloud | Overall Scale Score | Overall Placement | "
    "Overall Relative Placement | Percentile | Grouping | Lexile Measure | Lexile Range | "
    "Phonological Awareness Scale Score | Phonological Awareness Placement | "
    "Phonological Awareness Relative Placement | Phonics Scale Score | Phonics Placement | "
    "Phonics Relative Placement | High-Frequency Words Scale Score | High-Frequency Words Placement | "
    "High-Frequency Words Relative Placement | Vocabulary Scale Score | Vocabulary Placement | "
    "Vocabulary Relative Placement | Comprehension: Overall Scale Score | "
    "Comprehension: Overall Placement | Comprehension: Overall Relative Placement | "
    "Comprehension: Literature Scale Score | Comprehension: Literature Placement | "
    "Comprehension: Literature Relative Placement | Comprehension: Informational Text Scale Score | "
    "Comprehension: Informational Text Placement | "
    "Comprehension: Informational Text Relative Placement | Diagnostic Language | Diagnostic Gain | "
    "Annual Typical Growth Measure | Annual Stretch Growth Measure | "
    "Percent Progress to Annual Typical Growth (%) | Percent Progress to Annual Stretch Growth (%) | "
    "Mid On Grade Level Scale Score | Reading Difficulty Indicator (Y/N)"
)
ELA_49 = _columns(
    "Last Name | First Name | Student ID | Student Grade | Academic Year | School | Enrolled | "
    "Start Date | Completion Date | Baseline Diagnostic (Y/N) | Most Recent Diagnostic YTD (Y/N) | "
    "Duration (min) | Rush Flag | Read Aloud | Overall Scale Score | Overall Placement | "
    "Overall Relative Placement | Percentile | Grouping | Lexile Measure | Lexile Range | "
    "Phonological Awareness Scale Score | Phonological Awareness Placement | "
    "Phonological Awareness Relative Placement | Phonics Scale Score | Phonics Placement | "
    "Phonics Relative Placement | High-Frequency Words Scale Score | High-Frequency Words Placement | "
    "High-Frequency Words Relative Placement | Vocabulary Scale Score | Vocabulary Placement | "
    "Vocabulary Relative Placement | Comprehension: Overall Scale Score | "
    "Comprehension: Overall Placement | Comprehension: Overall Relative Placement | "
    "Comprehension: Literature Scale Score | Comprehension: Literature Placement | "
    "Comprehension: Literature Relative Placement | Comprehension: Informational Text Scale Score | "
    "Comprehension: Informational Text Placement | "
    "Comprehension: Informational Text Relative Placement | Diagnostic Gain | "
    "Annual Typical Growth Measure | Annual Stretch Growth Measure | "
    "Percent Progress to Annual Typical Growth (%) | Percent Progress to Annual Stretch Growth (%) | "
    "Mid On Grade Level Scale Score | Reading Difficulty Indicator (Y/N)"
)
ELA_2020_21 = _columns(
    "Last Name | First Name | Student ID | Student Grade | Academic Year | School | Start Date | "
    "Completion Date | Diagnostic used to establish Growth Measures (Y/N) | "
    "Most Recent Diagnostic (Y/N) | Duration (min) | Rush Flag | Overall Scale Score | "
    "Overall Placement | Overall Relative Placement | Percentile | Grouping | Lexile Measure | "
    "Lexile Range | Phonological Awareness Scale Score | Phonological Awareness Placement | "
    "Phonological Awareness Relative Placement | Phonics Scale Score | Phonics Placement | "
    "Phonics Relative Placement | High-Frequency Words Scale Score | High-Frequency Words Placement | "
    "High-Frequency Words Relative Placement | Vocabulary Scale Score | Vocabulary Placement | "
    "Vocabulary Relative Placement | Reading Comprehension: Literature Scale Score | "
    "Reading Comprehension: Literature Placement | "
    "Reading Comprehension: Literature Relative Placement | "
    "Reading Comprehension: Informational Text Scale Score | "
    "Reading Comprehension: Informational Text Placement | "
    "Reading Comprehension: Informational Text Relative Placement | Diagnostic Language | "
    "Annual Typical Growth Measure | Annual Stretch Growth Measure | Mid On Grade Level Scale Score | "
    "Reading Difficulty Indicator (Y/N)"
)
MATH_2020_21 = _columns(
    "Last Name | First Name | Student ID | Student Grade | Academic Year | School | Start Date | "
    "Completion Date | Diagnostic used to establish Growth Measures (Y/N) | "
    "Most Recent Diagnostic (Y/N) | Duration (min) | Rush Flag | Overall Scale Score | "
    "Overall Placement | Overall Relative Placement | Percentile | Grouping | Quantile Measure | "
    "Quantile Range | Number and Operations Scale Score | Number and Operations Placement | "
    "Number and Operations Relative Placement | Algebra and Algebraic Thinking Scale Score | "
    "Algebra and Algebraic Thinking Placement | Algebra and Algebraic Thinking Relative Placement | "
    "Measurement and Data Scale Score | Measurement and Data Placement | "
    "Measurement and Data Relative Placement | Geometry Scale Score | Geometry Placement | "
    "Geometry Relative Placement | Diagnostic Language | Annual Typical Growth Measure | "
    "Annual Stretch Growth Measure | Mid On Grade Level Scale Score"
)
ELA_2020_21_DEMO = _columns(
    "Last Name | First Name | Student ID | Student Grade | Academic Year | School | User Name | "
    "Gender | Hispanic or Latino | Race | English Language Learner | Special Education | "
    "Economically Disadvantaged | Migrant | Class(es) | Class Teacher(s) | Report Group(s) | "
    "Start Date | Completion Date | Diagnostic used to establish Growth Measures (Y/N) | "
    "Most Recent Diagnostic (Y/N) | Duration (min) | Rush Flag | Overall Scale Score | "
    "Overall Placement | Overall Relative Placement | Percentile | Grouping | Lexile Measure | "
    "Lexile Range | Phonological Awareness Scale Score | Phonological Awareness Placement | "
    "Phonological Awareness Relative Placement | Phonics Scale Score | Phonics Placement | "
    "Phonics Relative Placement | High-Frequency Words Scale Score | High-Frequency Words Placement | "
    "High-Frequency Words Relative Placement | Vocabulary Scale Score | Vocabulary Placement | "
    "Vocabulary Relative Placement | Reading Comprehension: Literature Scale Score | "
    "Reading Comprehension: Literature Placement | "
    "Reading Comprehension: Literature Relative Placement | "
    "Reading Comprehension: Informational Text Scale Score | "
    "Reading Comprehension: Informational Text Placement | "
    "Reading Comprehension: Informational Text Relative Placement | Annual Typical Growth Measure | "
    "Annual Stretch Growth Measure | Mid On Grade Level Scale Score | "
    "Reading Difficulty Indicator (Y/N)"
)
ELA_2021_22 = _columns(
    "Last Name | First Name | Student ID | Student Grade | Academic Year | School | Start Date | "
    "Completion Date | Baseline Diagnostic (Y/N) | Most Recent Diagnostic YTD (Y/N) | Duration (min) | "
    "Rush Flag | Overall Scale Score | Overall Placement | Overall Relative Placement | Percentile | "
    "Grouping | Lexile Measure | Lexile Range | Phonological Awareness Scale Score | "
    "Phonological Awareness Placement | Phonics Scale Score | Phonics Placement | "
    "High-Frequency Words Scale Score | High-Frequency Words Placement | Vocabulary Scale Score | "
    "Vocabulary Placement | Comprehension: Literature Scale Score | "
    "Comprehension: Literature Placement | Comprehension: Informational Text Scale Score | "
    "Comprehension: Informational Text Placement | Annual Typical Growth Measure | "
    "Annual Stretch Growth Measure | Mid On Grade Level Scale Score"
)
MATH_2021_22 = _columns(
    "Last Name | First Name | Student ID | Student Grade | Academic Year | School | Start Date | "
    "Completion Date | Baseline Diagnostic (Y/N) | Most Recent Diagnostic YTD (Y/N) | Duration (min) | "
    "Rush Flag | Overall Scale Score | Overall Placement | Overall Relative Placement | Percentile | "
    "Grouping | Quantile Measure | Quantile Range | Number and Operations Scale Score | "
    "Number and Operations Placement | Algebra and Algebraic Thinking Scale Score | "
    "Algebra and Algebraic Thinking Placement | Measurement and Data Scale Score | "
    "Measurement and Data Placement | Geometry Scale Score | Geometry Placement | "
    "Annual Typical Growth Measure | Annual Stretch Growth Measure | Mid On Grade Level Scale Score"
)
LESSONS_OEA = _columns(
    "Last Name | First Name | Student ID | Student Grade | Academic Year | School | Subject | Domain | "
    "Lesson Grade | Lesson Level | Lesson ID | Lesson Name | Lesson Objective | Lesson Language | "
    "Completion Date | Total Time on Lesson (min) | Score | Passed or Not Passed | "
    "Teacher-Assigned Lesson"
)
LESSONS_WITH_DEMOGRAPHICS = _columns(
    "Last Name | First Name | Student ID | Student Grade | Academic Year | School | Subject | "
    "Enrolled | User Name | Sex | Hispanic or Latino | Race | English Language Learner | "
    "Special Education | Economically Disadvantaged | Migrant | Class(es) | Class Teacher(s) | "
    "Report Group(s) | Domain | Lesson Grade | Lesson Level | Lesson ID | Lesson Name | "
    "Lesson Objective | Lesson Language | Completion Date | Total Time on Lesson (min) | Score | "
    "Passed or Not Passed | Teacher-Assigned Lesson"
)
LESSONS_WITH_STANDARDS = (
    *LESSONS_OEA,
    *_columns("State Standards | Type of Standard | Standard Code | Standard Text"),
)

INFORM_RENAMES = {
    "Baseline Diagnostic (Y/N)": "Baseline Assessment (Y/N)",
    "Most Recent Diagnostic YTD (Y/N)": "Most Recent Assessment YTD (Y/N)",
    "Diagnostic Gain": "Assessment Gain",
    "Diagnostic Language": "Assessment Language",
}
"""2026-27: i-Ready Diagnostic became i-Ready Inform; four columns renamed, ``Tactile Graphics`` added."""


def _inform(columns: tuple[str, ...]) -> tuple[str, ...]:
    # The vendor did not publish where the new column sits; last is where added columns have gone before.
    return (*(INFORM_RENAMES.get(name, name) for name in columns), "Tactile Graphics")


ELA_2026_27 = _inform(ELA_2025_26)
MATH_2026_27 = _inform(MATH_2025_26)

# Diagnostic and Instruction (year-to-date window): one row per student and subject, a fixed prefix, then
# the most recent test and up to five numbered tests side by side, each column written
# ``Diagnostic: <name> (<test>)``, then lesson totals (``Instruction: ...``). Listed here are the prefix and
# the most recent test's columns with their ``Diagnostic: `` / ``(Most Recent)`` wrapping taken off: the
# names one test's columns have once a row per test is made of them.
_DNI_PREFIX = (
    "Last Name | First Name | Student ID | Enrolled | Student Grade | Academic Year | School | Subject | "
    "User Name | Gender | Hispanic or Latino | Race | English Language Learner | Special Education | "
    "Economically Disadvantaged | Migrant | Class(es) | Class Teacher(s) | Report Group(s) | "
    "Number of Completed Diagnostics during the time frame | Annual Typical Growth Measure | "
    "Annual Stretch Growth Measure | Diagnostic Gain (Note: negative gains=zero) | "
    "Start Date | Completion Date | Time on Task (min) | Rush Flag | Overall Scale Score | "
    "Overall Placement | Percentile | Overall Relative Placement | Tier | "
)
DNI_ELA = _columns(
    _DNI_PREFIX,
    "Lexile Measure | Lexile Range | Grouping | Language | Phonological Awareness Scale Score | "
    "Phonological Awareness Placement | Phonological Awareness Relative Placement | Phonics Scale Score | "
    "Phonics Placement | Phonics Relative Placement | High-Frequency Words Scale Score | "
    "High-Frequency Words Placement | High-Frequency Words Relative Placement | Vocabulary Scale Score | "
    "Vocabulary Placement | Vocabulary Relative Placement | "
    "Reading Comprehension: Literature Scale Score | Reading Comprehension: Literature Placement | "
    "Reading Comprehension: Literature Relative Placement | "
    "Reading Comprehension: Informational Text Scale Score | "
    "Reading Comprehension: Informational Text Placement | "
    "Reading Comprehension: Informational Text Relative Placement",
)
DNI_MATH = _columns(
    _DNI_PREFIX,
    "Quantile Measure | Quantile Range | Grouping | Language | Number and Operations Scale Score | "
    "Number and Operations Placement | Number and Operations Relative Placement | "
    "Algebra and Algebraic Thinking Scale Score | Algebra and Algebraic Thinking Placement | "
    "Algebra and Algebraic Thinking Relative Placement | Measurement and Data Scale Score | "
    "Measurement and Data Placement | Measurement and Data Relative Placement | Geometry Scale Score | "
    "Geometry Placement | Geometry Relative Placement",
)
DNI_RENAMES = {
    "Time on Task (min)": "Duration (min)",
    "Diagnostic Gain (Note: negative gains=zero)": "Diagnostic Gain",
    "Language": "Diagnostic Language",
}
"""Diagnostic and Instruction names -> the 2025-26 name of the same column."""
