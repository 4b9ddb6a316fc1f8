"""``sk.memo``: simulate, assemble and write the decision memo (HTML, optionally PDF) all-or-nothing.

The record comes from :mod:`simkit.analysis.memo_record`, the page from :mod:`simkit.ui.memo_html`; this module
only runs what is missing and writes the files through :class:`simkit.fileio.Outputs`, so a failure
(no Chromium, a full disk, Ctrl+C) leaves the previous memo intact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simkit.analysis.memo_record import MemoRecord
    from simkit.experiment.design import Lever
    from simkit.experiment.results import Results
    from simkit.scenario.model import Scenario

__all__ = ["memo", "write_memo", "scenario_and_text"]


def scenario_and_text(source: str | Path | Scenario) -> tuple[Scenario, str | None]:
    """A scenario and its file's YAML text (for the comments that mark sources), from a path, a name or a Scenario."""
    from simkit.scenario.catalog import example_path
    from simkit.scenario.model import Scenario, load
    from simkit.scenario.yamlio import read_file

    if isinstance(source, Scenario):
        return source, None
    path = Path(source)
    if not path.exists() and not path.is_symlink():
        shipped = example_path(str(source))
        path = Path(shipped) if shipped is not None else path
    scenario = load(source)
    return scenario, read_file(path).decode("utf-8", "replace")


def memo(scenario: str | Path | Scenario, out: str | Path | None = None, *, pdf: str | Path | None = None,
         results: Results | None = None, levers: Sequence[Lever] | str | Path | None = None,
         criteria: str | Path | None = None, replications: int | None = None, seed: int | None = None,
         sensitivity_replications: int | None = None, discount_rate: float | None = None,
         service_tolerance: float | None = None, equal_service_note: str = "", executor: Any = "auto",
         progress: bool | None = False, scenario_text: str | None = None,
         before_write: Callable[[], None] | None = None,
         equal_service: Mapping[str, Any] | str | Sequence[str] | None = None, confidence: float = 0.95,
         max_evaluations: int = 60) -> MemoRecord:
    """Build the decision memo of ``scenario`` and write it to ``out`` (HTML) and ``pdf``.

    Parameters
    ----------
    scenario
        A scenario file, the name of a shipped example, or a :class:`~simkit.scenario.model.Scenario`
        (then no YAML comments are read: only its ``sources:`` mark parameters sourced).
    out, pdf
        Files to write (either may be ``None``: the record is returned either way).  The PDF is
        printed by headless Chromium; without Chromium nothing is written.
    results
        A comparison already made; by default every option is simulated.
    equal_service
        Service targets (``{"sla_attainment_share": 0.85}``, ``"lead_time_p90_h<=24"`` or a list): every option
        is first right-sized to the least-cost staffing that meets them with one-sided ``confidence``
        (:func:`simkit.analysis.equal_service.compare_at_equal_service`, at most ``max_evaluations`` runs per
        option), the memo compares them there and its recommendation says so, with each option's staffing.
        An option that no staffing searched brings to the targets is left out and named; fewer than two
        options meeting them is a ``ValueError``.
    levers
        The tornado's levers (a list, or a levers file, :func:`simkit.experiment.design.load_levers`); default
        :func:`simkit.analysis.sensitivity_summary.default_levers`.
    criteria
        A criteria file (a ``criteria:`` section) replacing the scenario's.
    sensitivity_replications
        Replications of the tornado and break-evens (default: as many as the comparison).
    discount_rate, service_tolerance
        See :func:`simkit.analysis.memo_record.memo_record`.
    scenario_text
        The YAML whose comments mark sources, when ``scenario`` is a Scenario read from a file.
    before_write
        Called once everything is computed, before any file is written (it may raise to write nothing).
    executor
        Where the runs go (see :mod:`simkit.experiment.execution`).  ``"auto"``: one pool of worker processes,
        one per core, serves every run of the memo (the comparison, the tornado, the break-evens) and ends with
        it, instead of a pool started and stopped for each run; with one core everything runs here.

    An interrupt (Ctrl+C) during any of the runs raises ``KeyboardInterrupt`` and writes nothing: a memo never
    rests on a part of its replications.
    """
    from simkit.analysis.memo_record import SERVICE_TOLERANCE, memo_record
    from simkit.experiment.design import load_levers
    from simkit.experiment.simulate import simulate
    from simkit.fileio import check_file_target
    from simkit.stats.scorecard import load_criteria

    targets = [check_file_target(p, what) for p, what in ((out, "the memo"), (pdf, "the PDF")) if p is not None]
    if len(targets) == 2 and targets[0].resolve() == targets[1].resolve():
        raise ValueError("the HTML and the PDF need different files")
    sc, text = scenario_and_text(scenario)
    text = scenario_text if scenario_text is not None else text
    if criteria is not None:
        sc = load_criteria(str(criteria), sc)
    if isinstance(levers, str | Path):
        levers = load_levers(levers)
    if pdf is not None:
        from simkit.ui.memo_html import find_chromium

        find_chromium()  # before the runs: a missing browser costs nothing
    with _held_executor(executor) as runner:
        eq = None
        if equal_service is not None:
            if results is not None:
                raise ValueError("give either results or equal_service targets, not both")
            eq = _at_equal_service(sc, equal_service, confidence, replications, seed, max_evaluations, runner)
            results = eq.results
            sc = results.scenario  # the chosen staffing (unless two options share a pool sized differently)
        if results is None:
            results = simulate(sc, replications, seed, executor=runner, progress=progress, keep_logs=True)
        if results.meta.get("interrupted"):
            raise KeyboardInterrupt("the simulation was interrupted")
        reps = sensitivity_replications or int(results.meta.get("replications") or sc.run.replications)
        rec = memo_record(sc, results, levers=levers, scenario_text=text, discount_rate=discount_rate,
                          service_tolerance=SERVICE_TOLERANCE if service_tolerance is None else service_tolerance,
                          equal_service_note=equal_service_note, sensitivity_replications=reps, executor=runner,
                          equal_service=eq)
        if before_write is not None:
            before_write()
    write_memo(rec, out, pdf)
    return rec


@contextmanager
def _held_executor(executor: Any) -> Iterator[Any]:
    """The executor every run of one memo shares: for ``"auto"``, one worker pool kept for the memo's life.

    ``"auto"`` on each run would start (and stop) a pool per run, a dozen for a memo, each paying the start of
    its workers and the load of the compiled kernel.  Any other ``executor`` is passed through and left open.
    A task's numbers do not depend on where it ran, so the memo is the same either way.
    """
    from simkit.experiment.execution import cpu_workers, worker_pool

    if not (isinstance(executor, str) and executor == "auto"):
        yield executor
        return
    if cpu_workers() < 2:
        yield None
        return
    pool = worker_pool(cpu_workers())
    finished = False
    try:
        yield pool
        finished = True
    finally:
        workers = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=finished, cancel_futures=not finished)
        if not finished:  # after Ctrl+C or an error, stop the workers mid-task rather than wait for their batch
            for proc in workers:
                proc.terminate()
            for proc in workers:
                proc.join(timeout=5)


def _at_equal_service(sc: Scenario, targets: Mapping[str, Any] | str | Sequence[str], confidence: float,
                      replications: int | None, seed: int | None, max_evaluations: int, executor: Any) -> Any:
    """Every option right-sized to ``targets``; a ``ValueError`` naming who met them when fewer than two did."""
    from simkit.analysis.equal_service import compare_at_equal_service

    if not 0.5 <= confidence < 1:
        raise ValueError(f"the confidence of the service targets must be in [0.5, 1), got {confidence!r}")
    eq = compare_at_equal_service(sc, targets, confidence=confidence, replications=replications, seed=seed,
                                  max_evaluations=max_evaluations, executor=executor)
    if eq.results is None or len(eq.met) < 2:
        raise ValueError(f"only {len(eq.met)} option(s) meet {' and '.join(map(str, eq.targets))} at a staffing "
                         f"searched ({', '.join(eq.met) or 'none'}): nothing to compare at equal service")
    if eq.results.meta.get("interrupted"):
        raise KeyboardInterrupt("the right-sizing was interrupted")
    return eq


def write_memo(rec: MemoRecord, out: str | Path | None, pdf: str | Path | None = None) -> None:
    """Render ``rec`` and write the HTML and the PDF together (all or nothing; the PDF printed first)."""
    from simkit.fileio import Outputs
    from simkit.ui.memo_html import html_to_pdf, memo_html

    if out is None and pdf is None:
        return
    page = memo_html(rec)
    data = html_to_pdf(page) if pdf is not None else None
    with Outputs() as files:
        if out is not None:
            files.add_text(out, page)
        if pdf is not None and data is not None:
            files.add(pdf, lambda fh: fh.write(data))
