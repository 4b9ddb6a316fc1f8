"""Reports: a parametrised notebook, executed and exported as static HTML anyone can regenerate.

``sk.report("scenarios/x.yaml", "out/report.html", seed=7)`` (or ``simkit report``)

1. validates the scenario and the overrides *before* anything runs, so bad input is one sentence;
2. executes the template ``simkit/ui/templates/report.ipynb`` with papermill, passing the scenario
   path, seed, replications, overrides and a UTC time stamp as parameters;
3. exports the executed notebook to HTML without code (nbconvert, ``exclude_input``): static PNG
   figures, no widgets, no JavaScript needed to read it;
4. writes the file safely (:mod:`simkit.fileio`: an unpredictable temp file in the same folder, then rename).

Scenario text (names, descriptions, labels) is data: the template shows it only HTML-escaped, never
as Markdown or raw HTML, so a hostile scenario cannot put a live tag or script into the page.

The report records its provenance: the scenario file's SHA-256 (of its bytes) and the scenario's
fingerprint after overrides, the seed and replications, the versions of simkit, Python and its
dependencies, and the date.  The same file, overrides, seed and versions give the same numbers.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from simkit.errors import ScenarioError
from simkit.extras import require
from simkit.fileio import Outputs, check_file_target
from simkit.scenario.catalog import example_path
from simkit.scenario.model import Scenario, load

__all__ = ["report", "ReportError", "TEMPLATE"]

TEMPLATE = "templates/report.ipynb"
HTML_TEMPLATE = "templates/report.html.j2"  # the lab template minus CDN scripts


class ReportError(RuntimeError):
    """The report notebook could not be executed or exported; ``str(err)`` is one sentence."""


def _check(scenario: Scenario | str | Path, out: str | Path, seed: int | None, replications: int | None,
           overrides: Mapping[str, Any] | None) -> Scenario:
    if Path(out).suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"the report is HTML: the output file must end in .html, got {str(out)!r}")
    if replications is not None and int(replications) < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    if seed is not None and int(seed) < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    check_file_target(out, "out")
    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    if overrides:
        try:
            sc = sc.override(dict(overrides))
        except ScenarioError as err:
            where = f"{scenario} (overrides)" if not isinstance(scenario, Scenario) else "overrides"
            raise ScenarioError(err.path, err.message, where) from None
    return sc


def _export(executed: Path, title: str) -> str:
    """Static HTML of the executed notebook: outputs only, cells without output dropped."""
    nbformat = require("nbformat", "simkit.report")
    HTMLExporter = require("nbconvert", "simkit.report").HTMLExporter  # noqa: N806

    nb = nbformat.read(executed, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type != "code" or c.get("outputs")]
    for i, cell in enumerate(nb.cells):  # papermill gives its injected cell a random id
        cell["id"] = f"c{i:02d}"
    with resources.as_file(resources.files("simkit.ui") / HTML_TEMPLATE) as template:
        exporter = HTMLExporter(template_name="lab", template_file=str(template), exclude_input=True,
                                exclude_input_prompt=True, exclude_output_prompt=True)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def _local_kernel_manager(log: Path) -> type:
    """A kernel manager on local IPC sockets (nothing listens on the network while a report runs) whose
    kernel writes its stderr to ``log``: a kernel cut short by Ctrl+C prints no traceback of its own."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum

    class IpcKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc")

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            with open(log, "ab") as sink:  # the child keeps its own copy of the descriptor
                await super()._async_launch_kernel(kernel_cmd, **{**kw, "stderr": sink})

    return IpcKernelManager


def _last_line(log: Path) -> str:
    try:
        lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return f" (kernel: {lines[-1][:200]})" if lines else ""


def report(scenario: Scenario | str | Path, out: str | Path = "out/report.html", seed: int | None = None,
           replications: int | None = None, overrides: Mapping[str, Any] | None = None,
           generated_at: str | None = None, keep_notebook: bool = False) -> Path:
    """Execute the report template for ``scenario`` and write static HTML to ``out``.

    Parameters
    ----------
    scenario
        A scenario file (hashed as it is on disk) or a :class:`Scenario` (written to a temporary
        YAML file first, whose hash is then recorded).
    out
        The HTML file to write (its folder is created).
    seed, replications
        Default: the scenario's ``run.seed`` and ``run.replications``.
    overrides
        ``{"dotted.path": value}`` changes applied with :meth:`Scenario.override`.
    generated_at
        The time stamp printed in the provenance (default: now, UTC, to the second).
    keep_notebook
        Also keep the executed notebook next to the HTML (``report.ipynb``).

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    ScenarioError
        The scenario or an override is invalid (one sentence naming the field).
    ValueError
        ``out`` is not ``.html``, or ``seed``/``replications`` are out of range.
    ReportError
        The notebook failed while running or exporting.
    """
    pm = require("papermill", "simkit.report")
    require("matplotlib", "simkit.report")  # the notebook draws charts

    sc = _check(scenario, out, seed, replications, overrides)
    target = Path(out)
    stamp = generated_at or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    with tempfile.TemporaryDirectory(prefix="simkit-report-") as tmp_name:
        tmp = Path(tmp_name)
        if isinstance(scenario, Scenario):
            path = tmp / "scenario.yaml"
            path.write_text(scenario.to_yaml(), encoding="utf-8")
        else:  # a file, or the name of a shipped example
            path = Path(scenario) if Path(scenario).exists() else example_path(str(scenario)) or Path(scenario)
            path = path.resolve()
        executed = tmp / "report.ipynb"
        shown = "(a Scenario object, saved as YAML)" if isinstance(scenario, Scenario) else str(scenario)
        params = {"scenario_path": str(path), "scenario_label": shown,
                  "seed": None if seed is None else int(seed),
                  "replications": None if replications is None else int(replications),
                  "overrides": dict(overrides or {}), "generated_at": stamp}
        with resources.as_file(resources.files("simkit.ui") / TEMPLATE) as template:
            try:
                pm.execute_notebook(str(template), str(executed), parameters=params, kernel_name="python3",
                                    cwd=str(tmp), progress_bar=False, log_output=False,
                                    kernel_manager_class=_local_kernel_manager(tmp / "kernel.log"))
            except pm.PapermillExecutionError as err:
                raise ReportError(f"the report notebook failed: {err.ename}: {err.evalue}") from None
            except (RuntimeError, TimeoutError, OSError) as err:  # a kernel that died or never started
                raise ReportError(f"the report notebook could not run: {type(err).__name__}: {err}"
                                  f"{_last_line(tmp / 'kernel.log')}") from None
        from simkit.ui.memo_html import visible_bidi  # scenario text's bidi controls: shown, not obeyed

        html = visible_bidi(_export(executed, f"simkit report: {sc.name}"))
        with Outputs() as outputs:  # the notebook and the page together, or neither
            if keep_notebook:
                outputs.add(target.with_suffix(".ipynb"), lambda fh: fh.write(executed.read_bytes()))
            outputs.add_text(target, html)
    return target

