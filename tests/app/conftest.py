import pytest

from tests.app import builders


@pytest.fixture
def project(tmp_path):
    from cm_research.app.project import Project

    return Project.open(tmp_path / "my-evaluation")


@pytest.fixture
def filled(tmp_path):
    """Fill the Excel data-folder template (#18) as a practitioner would: returns a function (table, mistakes)."""
    from cm_research.interop import write_template_folder

    templates = tmp_path / "templates"
    write_template_folder(["participants", "outcomes"], templates)

    def fill(table: str, mistakes: bool = False):
        if table == "participants":
            rows, columns = builders.participants(mistakes), builders.PARTICIPANT_COLUMNS
        else:
            rows, columns = builders.outcomes(), builders.OUTCOME_COLUMNS
        out = tmp_path / f"{table}{'-mistakes' if mistakes else ''}.xlsx"
        return builders.fill_workbook(templates / f"{table}.xlsx", out, table, columns, rows).read_bytes()

    return fill
