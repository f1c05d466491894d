"""Errors of the practitioners' app: one class per kind of problem, each with a message a practitioner can act on."""

from __future__ import annotations

from cm_research.errors import CMResearchError


class ProjectFolderError(CMResearchError):
    """The project folder cannot be used (it is a file, a link out of its parent, or a path outside it was asked for)."""


class UploadError(CMResearchError):
    """An uploaded file is refused: its name, type or size is not allowed. Nothing of it is kept."""


class CycleFormError(CMResearchError):
    """The action-research cycle form is incomplete or wrong; ``problems`` lists each field and what to fix."""

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.problems = problems or []


class ReviewError(CMResearchError):
    """A review decision cannot be recorded (no suggestions yet, an unknown suggestion or code)."""


class DownloadRefused(CMResearchError):
    """A report may not be downloaded for publication: its disclosure check failed (the message says why)."""


class PortInUseError(CMResearchError):
    """The app cannot start: another program (often the app itself, started earlier) already uses the port."""
