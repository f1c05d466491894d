"""Execute one parameterised notebook with papermill and render it as HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cm_research.batch.notebooks import NOTEBOOKS_DIR, notebook_path  # noqa: F401  (defined there; re-exported)
from cm_research.errors import NotebookExecutionError, ParameterError
from cm_research.report.html import notebook_to_html


def notebook_parameters(name: str | Path) -> dict[str, dict]:
    """The parameters a notebook declares in its ``parameters`` cell (papermill's inspection)."""
    import papermill as pm

    return pm.inspect_notebook(str(notebook_path(name)))


def check_parameter_names(parameters: dict[str, Any]) -> None:
    """Raise ParameterError unless every name is a plain Python identifier (not a keyword): papermill writes
    parameters into the notebook as code, ``name = value``, so a name like ``x=1;import os;os.system('...')#``
    would run."""
    import keyword

    bad = [str(k) for k in parameters if not (isinstance(k, str) and k.isidentifier() and not keyword.iskeyword(k))]
    if bad:
        raise ParameterError(f"parameter name{'s' if len(bad) > 1 else ''} {', '.join(repr(b) for b in bad)} "
                             "cannot be used: a name may hold only letters, digits and _, and not start with a digit")


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

    check_parameter_names(parameters)
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
