"""Execute one parameterised notebook with papermill and render it as HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cm_research.errors import NotebookExecutionError
from cm_research.report.html import notebook_to_html
from cm_research.resources import resource_dir

NOTEBOOKS_DIR = resource_dir("notebooks")


def notebook_path(name: str | Path) -> Path:
    """A notebook by path, or by name in the project's ``notebooks/`` folder ("01_data_quality")."""
    path = Path(name)
    if path.exists():
        return path
    candidate = NOTEBOOKS_DIR / (path.name if path.suffix == ".ipynb" else f"{path.name}.ipynb")
    if candidate.exists():
        return candidate
    known = ", ".join(sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb")))
    raise FileNotFoundError(f"no notebook {str(name)!r}; the project's notebooks are: {known}")


def notebook_parameters(name: str | Path) -> dict[str, dict]:
    """The parameters a notebook declares in its ``parameters`` cell (papermill's inspection)."""
    import papermill as pm

    return pm.inspect_notebook(str(notebook_path(name)))


def run_notebook(notebook: str | Path, output_ipynb: str | Path, parameters: dict[str, Any],
                 html: bool = True, cwd: str | Path | None = None, footer: str | None = None) -> Path:
    """Execute ``notebook`` with ``parameters`` into ``output_ipynb`` (and an HTML rendering beside it,
    with ``footer`` appended when given).

    A notebook marked for internal use (``cm_research.audience: internal`` in its metadata) may not write into a
    run for publication, and leaves ``NOT_FOR_PUBLICATION.txt`` beside its output (see ``batch.audience``).

    Raises NotebookExecutionError naming the notebook, the failing cell and the error; PublicationError when an
    internal notebook's output folder is part of a run for publication.
    """
    import papermill as pm
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from cm_research.batch.audience import check_internal_output, is_internal, write_internal_marker

    source = notebook_path(notebook)
    output_ipynb = Path(output_ipynb)
    internal = is_internal(source)
    if internal:
        check_internal_output(output_ipynb.parent, source)
        write_internal_marker(output_ipynb.parent, f"{source.stem}, run {output_ipynb.parent.name}")
    output_ipynb.parent.mkdir(parents=True, exist_ok=True)
    from cm_research.batch.kernel import kernel_manager_class

    extra = {"kernel_manager_class": kernel_manager_class()} if kernel_manager_class() else {}
    try:
        pm.execute_notebook(str(source), str(output_ipynb), parameters=parameters, progress_bar=False,
                            kernel_name="python3", cwd=str(cwd) if cwd else None, **extra)
    except PapermillExecutionError as exc:
        raise NotebookExecutionError(
            f"{source.name} failed in cell {exc.exec_count} with {exc.ename}: {exc.evalue} "
            f"(the executed notebook, with the error, is at {output_ipynb})"
        ) from None
    except DeadKernelError:
        raise NotebookExecutionError(
            f"{source.name}: the kernel running it died (it ran out of memory, was killed, or a cell ended the "
            f"process); the notebook as far as it got is at {output_ipynb}"
        ) from None
    if html:
        notebook_to_html(output_ipynb, footer=footer)
    return output_ipynb
