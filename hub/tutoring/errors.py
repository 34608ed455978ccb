"""The tutoring stage's own exception, caught once at the edge (CLI, Dagster asset) and shown as is."""

from __future__ import annotations

from hub.errors import HubError


class TutoringError(HubError, ValueError):
    """Tutoring inputs or settings that cannot give a sound decision; the message says what to fix."""
