"""Progress monitoring between diagnostics: each placement's goal, aimline, rate of improvement and signal.

Functions over tables, no I/O (like ``hub.tutoring``): the night's step reads the warehouse and writes
``progress_goal``; the reports read what it wrote.
"""

from hub.progress.goals import monitor
from hub.progress.points import diagnostic_points
from hub.progress.policy import SIGNALS, ProgressPolicy

__all__ = ["SIGNALS", "ProgressPolicy", "diagnostic_points", "monitor"]
