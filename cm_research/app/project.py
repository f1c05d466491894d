"""The practitioner's project folder: where the app keeps a partnership's templates, uploads, data and reports.

Layout (made on first start; nothing in it is ever overwritten except the *current* copies in ``data/``)::

    my-evaluation/
      README.txt            what the folder is
      templates/            Excel templates to download and fill in
      uploads/              every file uploaded, kept with its time: 20250314-101502-123456__participants.xlsx
      data/                 the current file of each table, the cycle record and the survey: what reports read
      cycles/               every saved action-research cycle record, kept with its time
      interviews/           uploaded transcripts
      review/               suggested codes for review and the decisions made
      reports/              one folder per report run (manifest.json, HTML, .docx, disclosure check)

The app reads and serves files only through :meth:`Project.path`, which refuses anything that resolves
outside the folder (``..``, absolute paths, symbolic links pointing out).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cm_research.app.errors import ProjectFolderError

DEFAULT_PROJECT = "my-evaluation"
FOLDERS = ("templates", "uploads", "data", "cycles", "interviews", "review", "reports")
README = """This folder holds one evaluation made with the cm_research app (cm-research app).

templates/   Excel templates to fill in          uploads/   every file you uploaded, with its time
data/        the current data the reports read    cycles/    every action-research cycle you saved
interviews/  interview transcripts                review/    suggested codes and your decisions
reports/     every report run, with its disclosure check

Files in uploads/, cycles/ and reports/ are never overwritten. Keep this folder on secure storage:
it holds the partnership's data about children and young people.
"""


def timestamp(now: dt.datetime | None = None) -> str:
    """A sortable time stamp for file names, to the microsecond (two uploads never share one)."""
    return (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S-%f")


@dataclass(frozen=True)
class Project:
    """A project folder, made if missing. ``root`` is resolved: every path the app uses lies under it."""

    root: Path

    @classmethod
    def open(cls, folder: str | os.PathLike = DEFAULT_PROJECT) -> "Project":
        """Open (and on first start make) the project folder ``folder``.

        Raises ProjectFolderError when ``folder`` is a file, or is (or lies inside) a symbolic link below a
        top-level folder: the app keeps the data where the user can see it, not wherever a link points.
        """
        given = Path(folder).expanduser()
        absolute = given if given.is_absolute() else Path.cwd() / given
        # top-level system folders may be links (macOS: /tmp -> /private/tmp); everything below them may not
        for candidate in (c for c in (absolute, *absolute.parents) if len(c.parts) > 2):
            if candidate.is_symlink():
                raise ProjectFolderError(
                    f"{given}: {candidate} is a symbolic link; give the app a real folder (the project folder and "
                    "the folders above it must not be links), so its data stay where you can see them")
        if absolute.exists() and not absolute.is_dir():
            raise ProjectFolderError(f"{given} is a file, not a folder; give the app a folder for the project")
        absolute.mkdir(parents=True, exist_ok=True)
        project = cls(absolute.resolve())
        for name in FOLDERS:
            sub = project.root / name
            if sub.is_symlink() or (sub.exists() and not sub.is_dir()):
                raise ProjectFolderError(f"{sub} must be a folder inside the project, not a file or a link")
            sub.mkdir(exist_ok=True)
        readme = project.root / "README.txt"
        if not readme.exists():
            readme.write_text(README, encoding="utf-8")
        project.refuse_links()
        return project

    def refuse_links(self) -> None:
        """Raise ProjectFolderError when a symbolic link lies anywhere in the folder. A link (left by a synced or
        shared drive, an unpacked archive, another program) would make the app read, or write, the file it points
        to, wherever that is: the data, the checks and the reports use real files in the folder only. Called on
        opening the folder and before anything reads the data."""
        for folder, dirs, files in os.walk(self.root):  # links to folders are listed in dirs, never entered
            for name in (*dirs, *files):
                found = Path(folder, name)
                if found.is_symlink():
                    raise ProjectFolderError(
                        f"{found} is a symbolic link (to {os.readlink(found)}); the app reads only real files in the "
                        "project folder. Remove the link and put the file itself there, then try again.")

    def path(self, *parts: str | os.PathLike) -> Path:
        """``root/parts...``, refusing anything that resolves outside the project folder (``..``, an absolute
        path, a NUL byte, a symbolic link pointing out)."""
        for part in parts:
            if "\x00" in str(part):
                raise ProjectFolderError("a file name with a NUL character is not allowed")
        target = self.root.joinpath(*parts).resolve()
        if target != self.root and self.root not in target.parents:
            raise ProjectFolderError(f"{Path(*parts)} is outside the project folder {self.root}; the app reads and "
                                     "serves files inside it only")
        return target

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def missing(self) -> str:
        """What to say when the folder has gone while the app runs ("" while it is there)."""
        if self.root.is_dir():
            return ""
        return (f"The project folder {self.root} is no longer there: it was moved, renamed or deleted while the app "
                "was running. Nothing was saved. Put the folder back (or stop the app with Ctrl-C and start it "
                "again, which makes a new, empty one), then try again.")

    def failure(self, exc: BaseException, doing: str) -> str:
        """``exc``, raised while ``doing`` (``"checking the upload"``), in words a practitioner can act on: the page
        shows no tracebacks, so an error the app did not foresee must still be explained, never lost."""
        if self.missing():
            return self.missing()
        where = getattr(exc, "filename", None) or self.root
        if isinstance(exc, PermissionError):
            return (f"Could not finish {doing}: the app may not write to {where} (the folder or file is read-only, "
                    "or open in another program such as Excel). Close it or make the folder writable, then try "
                    "again.")
        if isinstance(exc, OSError):
            return f"Could not finish {doing}: {exc.strerror or exc} ({where}). Put this right, then try again."
        return (f"Could not finish {doing}: an unexpected problem ({type(exc).__name__}: {exc}). Try again; if it "
                "happens again, send this message to your analyst.")

    def describe(self) -> str:
        """One sentence for the app's first step."""
        return f"Your project folder is {self.root}. Everything you upload, save or run is kept there."
