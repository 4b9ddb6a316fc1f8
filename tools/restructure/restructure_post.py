"""Second step after restructure.py: leaf modules, circles broken, public names kept.

    python restructure_post.py REPO_DIR
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
import shutil

RUFF = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))


def read(p: Path) -> str:
    return p.read_text(encoding="utf-8")


def write(p: Path, text: str) -> None:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")


def cut_toplevel(src: Path, names: list[str]) -> str:
    """Remove top-level definitions/assignments named ``names`` from ``src``; return their source text."""
    text = read(src)
    lines = text.splitlines(keepends=True)
    tree = ast.parse(text)
    spans = []
    for node in tree.body:
        name = None
        if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            name = node.name
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name = node.target.id
        if name in names:
            start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
            end = node.end_lineno
            # a docstring right after an assignment belongs to it
            idx = tree.body.index(node)
            if (isinstance(node, ast.Assign | ast.AnnAssign) and idx + 1 < len(tree.body)
                    and isinstance(tree.body[idx + 1], ast.Expr)
                    and isinstance(getattr(tree.body[idx + 1], "value", None), ast.Constant)
                    and isinstance(tree.body[idx + 1].value.value, str)):
                end = tree.body[idx + 1].end_lineno
            spans.append((start, end, name))
    missing = set(names) - {n for _, _, n in spans}
    if missing:
        print(f"  not found in {src}: {sorted(missing)}")
    out = []
    for start, end, _ in sorted(spans):
        out.append("".join(lines[start:end]))
    for start, end, _ in sorted(spans, reverse=True):
        del lines[start:end]
        while start < len(lines) and start > 0 and lines[start].strip() == "" and lines[start - 1].strip() == "":
            del lines[start]
    write(src, "".join(lines))
    return "\n\n".join(out)


IMPORT_LINE = re.compile(r"^(?P<indent>[ \t]*)from (?P<mod>[\w.]+) import (?P<names>\([^)]*\)|[^\n]+)$", re.M)


def move_names(repo: Path, old_mod: str, new_mod: str, names: set[str]) -> None:
    """In every file: ``from old_mod import a, X`` -> ``from old_mod import a`` + ``from new_mod import X``."""
    files = [*(repo / "simkit").rglob("*.py"), *(repo / "tests").rglob("*.py"), *(repo / "notebooks").rglob("*.py"),
             *(repo / "benchmarks").rglob("*.py")]
    for f in files:
        text = read(f)

        def sub(m: re.Match) -> str:
            if m["mod"] != old_mod:
                return m.group(0)
            raw = m["names"]
            comment = ""
            if "#" in raw and not raw.lstrip().startswith("("):
                raw, comment = raw.split("#", 1)
                comment = "  #" + comment
            items = [x.strip() for x in raw.strip().strip("()").replace("\n", " ").split(",") if x.strip()]
            keep = [x for x in items if x.split(" as ")[0].strip() not in names]
            moved = [x for x in items if x.split(" as ")[0].strip() in names]
            if not moved:
                return m.group(0)
            ind = m["indent"]
            out = []
            if keep:
                out.append(f"{ind}from {old_mod} import {', '.join(keep)}{comment}")
                comment = comment if "noqa" in comment else ""  # a noqa holds for both lines
            out.append(f"{ind}from {new_mod} import {', '.join(moved)}{comment}")
            return "\n".join(out)

        new = IMPORT_LINE.sub(sub, text)
        new = new.replace(f'"{old_mod}.', f'"{old_mod}.')  # strings handled below
        for n in names:
            new = new.replace(f"{old_mod}.{n}", f"{new_mod}.{n}")
        if new != text:
            write(f, new)


IMPORTLINTER = """[tool.importlinter]
root_package = "simkit"
exclude_type_checking_imports = true

[[tool.importlinter.contracts]]
name = "Layers: each package imports only the packages below it (docs/architecture.md)"
type = "layers"
layers = [
    "simkit.ui",
    "simkit.analysis | (simkit.fitting) | (simkit.game)",
    "simkit.experiment",
    "simkit.stats",
    "simkit.accounting",
    "simkit.engine",
    "simkit.workload",
    "simkit.scenario",
    "simkit.calendars",
    "simkit.analytic | (simkit.fileio) | (simkit.extras)",
    "simkit._version | simkit.errors | simkit.units | simkit.streams",
]

[[tool.importlinter.contracts]]
name = "No import cycles among the modules of a package"
type = "acyclic_siblings"
ancestors = ["simkit"]
# simkit.fitting reads a history (read) and cleans it (clean), each calling the other; to be split.
skip_descendants = ["simkit.fitting"]
# Results.reprice() is the public shortcut to simkit.experiment.reprice.reprice(results, ...): the one import
# back from the record to the module that builds on it.
ignore_imports = ["simkit.experiment.results -> simkit.experiment.reprice"]
"""


def main(repo: Path) -> None:
    sk = repo / "simkit"
    # 1. version leaf
    init = read(sk / "__init__.py")
    m = re.search(r'^__version__ = "([^"]+)"\s*$', init, re.M)
    if m and not (sk / "_version.py").exists():
        write(sk / "_version.py", f'"""The version of simkit (one place; read by the package, the CLI and stored files)."""\n\n'
                                  f'__version__ = "{m[1]}"\n')
        init = init.replace(m.group(0), "from simkit._version import __version__  # noqa: E402")
        write(sk / "__init__.py", init)
    for f in sk.rglob("*.py"):
        t = read(f)
        t2 = t.replace("from simkit import __version__", "from simkit._version import __version__")
        if t2 != t:
            write(f, t2)
    # 2. units leaf
    trace = sk / "workload" / "trace.py"
    if not (sk / "units.py").exists():
        body = cut_toplevel(trace, ["HOURS_PER_YEAR", "HOURS_PER_MONTH"])
        write(sk / "units.py", '"""Units of time shared by every layer: the calendar year and month in hours."""\n\n'
                               f"{body}\n")
        t = read(trace)
        t = re.sub(r"(\n__all__)", "\nfrom simkit.units import HOURS_PER_MONTH, HOURS_PER_YEAR  # noqa: F401 - re-exported\n\\1",
                   t, count=1)
        write(trace, t)
        move_names(repo, "simkit.workload.trace", "simkit.units", {"HOURS_PER_YEAR", "HOURS_PER_MONTH"})
    # 3. errors leaf: ScenarioError
    model = sk / "scenario" / "model.py"
    if not (sk / "errors.py").exists():
        home = next(f for f in sorted((sk / "scenario").glob("*.py")) if "\nclass ScenarioError(" in read(f))
        old_home = "simkit.scenario." + home.stem
        src_text = read(home)
        names = [n for n in ["SHOWN_CHARS", "_UNSAFE", "one_line", "show", "_PLAIN_KEY", "show_key", "ScenarioError"]
                 if re.search(rf"^(def |class )?{n}\b", src_text, re.M)]
        body = cut_toplevel(home, names)
        write(sk / "errors.py", '"""Errors every layer raises, and how their messages show input.\n\nA scenario (or any other '
                                'input) that is wrong is one :class:`ScenarioError` whose\nmessage is one line naming the '
                                'field, the value (quoted, escaped and shortened) and\nwhat is allowed.\n"""\n\n'
                                "from __future__ import annotations\n\nimport json\nimport re\nfrom typing import Any\n\n\n"
                                f"{body}\n")
        public = [n for n in names if not n.startswith("_")]
        t = read(home)
        t = re.sub(r"(\nimport yaml\n|\nfrom simkit\.)", "\nfrom simkit.errors import " + ", ".join(public)
                   + "  # noqa: F401 - re-exported\\1", t, count=1)
        write(home, t)
        move_names(repo, old_home, "simkit.errors", set(public))
        if old_home != "simkit.scenario.model":
            move_names(repo, "simkit.scenario.model", "simkit.errors", {"ScenarioError"})
    # 4. the replication core: one replication and its failure record, from simulate.py and preflight.py
    pre = sk / "scenario" / "preflight.py"
    sim = sk / "experiment" / "simulate.py"
    rep = sk / "experiment" / "replication.py"
    if not rep.exists() and pre.exists():
        err_names = ["FailedReplicationWarning", "_one_line", "ReplicationError", "warn_failures"]
        core_names = ["LEDGER_COLUMNS", "Replication", "draw_trace", "price_log", "run_replication"]
        errors = cut_toplevel(pre, err_names)
        core = cut_toplevel(sim, core_names)
        header = ('"""One replication: a trace through every option, each run priced and measured; and the record\n'
                  'of a replication that failed.\n\nEverything that runs replications (:func:`simkit.simulate`, sweeps, '
                  're-pricing and reuse)\nbuilds on :func:`run_replication`. A replication that raises becomes a\n'
                  ':class:`ReplicationError` naming the replication, its seed and the scenario, so that\nexactly it can '
                  'be re-run (:meth:`ReplicationError.rerun`).\n"""\n\n'
                  "from __future__ import annotations\n\nimport warnings\nfrom collections.abc import Mapping, Sequence\n"
                  "from dataclasses import dataclass\nfrom typing import Any\n\nimport numpy as np\nimport pandas as pd\n\n"
                  "from simkit.accounting.costs import CATEGORIES, account\nfrom simkit.accounting.kpi import measure\n"
                  "from simkit.engine import RunLog, simulate_option\n"
                  "from simkit.scenario.model import Scenario\nfrom simkit.scenario.preflight import check_size\n"
                  "from simkit.scenario.limits import check_run_args\nfrom simkit.errors import show\n"
                  "from simkit.streams import Streams\nfrom simkit.workload.trace import Trace, generate\n\n"
                  "__all__ = [\"run_replication\", \"draw_trace\", \"price_log\", \"Replication\", \"LEDGER_COLUMNS\",\n"
                  "           \"ReplicationError\", \"FailedReplicationWarning\", \"warn_failures\"]\n\n\n")
        write(rep, header + core + "\n\n\n" + errors + "\n")
        t = read(rep).replace("        from simkit.experiment.simulate import run_replication\n\n", "")
        write(rep, t)
        t = read(pre)
        for n in err_names:
            t = re.sub(rf'\s*"{n}",', "", t)
        write(pre, t)
        t = read(sim)
        t = re.sub(r"(\nfrom simkit\.experiment\.execution)",
                   "\nfrom simkit.experiment.replication import (  # noqa: F401 - re-exported; run_replication is the seam\n"
                   "    LEDGER_COLUMNS, Replication, draw_trace, price_log, run_replication)\\1", t, count=1)
        write(sim, t)
        move_names(repo, "simkit.scenario.preflight", "simkit.experiment.replication", set(err_names))
        # the test seam lives where the replication core is: simulate reads it from there at call time
        t = read(sim)
        t = t.replace("    replicate = replicate or run_replication\n",
                      "    replicate = replicate or replication.run_replication\n")
        t = t.replace("keep_logs, run_replication) for b, opts in jobs]", "keep_logs, replication.run_replication)\n"
                      "             for b, opts in jobs]")
        t = t.replace("``simkit.experiment.simulate.run_replication``", "``simkit.experiment.replication.run_replication``")
        t = re.sub(r"(\nfrom simkit\.experiment\.execution)", "\nfrom simkit.experiment import replication\\1", t, count=1)
        write(sim, t)
        for f in (repo / "tests").rglob("*.py"):
            t = read(f)
            if "import simkit.experiment.simulate as experiment" not in t:
                continue
            t2 = re.sub(r'setattr\(experiment, "(run_replication|simulate_option)"', r'setattr(replication, "\1"', t)
            t2 = t2.replace("experiment.run_replication", "replication.run_replication")
            if t2 != t:
                t2 = re.sub(r"^([ \t]*)import simkit\.experiment\.simulate as experiment$",
                            r"\1import simkit.experiment.replication as replication\n"
                            r"\1import simkit.experiment.simulate as experiment", t2, flags=re.M)
                write(f, t2)
    # 4b. facts about fields: which only change prices (read by re-pricing, reuse and the dashboard)
    rp = sk / "experiment" / "reprice.py"
    fields = sk / "scenario" / "fields.py"
    if rp.exists() and not fields.exists():
        names = ["COST_ONLY_PATHS", "is_cost_only", "split_changes"]
        body = cut_toplevel(rp, names)
        write(fields, '"""Facts about scenario fields that several layers need.\n\nA field is *cost-only* when the '
                      'engine never reads it: changing it changes only the money,\nso stored run logs can be re-priced '
                      'instead of re-simulated (:mod:`simkit.experiment.reprice`),\nand an option whose other fields '
                      'are unchanged can reuse its logs (:mod:`simkit.experiment.reuse`).\n"""\n\n'
                      "from __future__ import annotations\n\nfrom collections.abc import Mapping\nfrom typing import Any\n\n"
                      '__all__ = ["COST_ONLY_PATHS", "is_cost_only", "split_changes"]\n\n' + body + "\n")
        t = read(rp)
        t = re.sub(r"(\nfrom simkit\.)", "\nfrom simkit.scenario.fields import COST_ONLY_PATHS, is_cost_only, split_changes"
                   "  # noqa: F401 - re-exported\\1", t, count=1)
        write(rp, t)
        move_names(repo, "simkit.experiment.reprice", "simkit.scenario.fields", set(names))
    # 4c. the arrival-rate profile is a fact about the workload spec (the scenario layer): the closed-form
    # preview and the load summary read it without the trace generator
    trace = sk / "workload" / "trace.py"
    prof = sk / "scenario" / "profile.py"
    if not prof.exists() and "def rate_at" in read(trace):
        body = cut_toplevel(trace, ["_multiplier", "rate_at", "_local_day"])
        write(prof, '"""The arrival-rate profile a workload describes: the base rate shaped by hour, day, month and\n'
                    'growth, at any time.\n\nA pure function of the scenario\'s workload section, read by the trace '
                    'generator\n(:mod:`simkit.workload.trace`), the closed-form preview and the load summary.\n"""\n\n'
                    "from __future__ import annotations\n\nimport numpy as np\n\n"
                    "from simkit.scenario.schema import WorkloadSpec\nfrom simkit.units import HOURS_PER_MONTH, "
                    "HOURS_PER_YEAR\n\n__all__ = [\"rate_at\"]\n\n\n" + body + "\n")
        t = read(trace)
        t = t.replace("from simkit.scenario.schema import WorkloadSpec\n",
                      "from simkit.scenario.profile import _local_day, _multiplier, rate_at  # noqa: F401 - re-exported\n"
                      "from simkit.scenario.schema import WorkloadSpec\n", 1)
        write(trace, t)
        move_names(repo, "simkit.workload.trace", "simkit.scenario.profile", {"rate_at"})
    # 4d. magnitudes belong with the other limits (preflight reads them; no circle)
    lim = sk / "scenario" / "limits.py"
    if lim.exists() and "def check_magnitudes" in read(pre):
        body = cut_toplevel(pre, ["MAX_MAGNITUDE", "check_magnitudes"])
        t = read(lim).replace("    from simkit.scenario.preflight import check_magnitudes\n\n", "")
        write(lim, t.rstrip("\n") + "\n\n\n" + body + "\n")
        t = read(pre)
        t = t.replace("from simkit.scenario.limits import check_events",
                      "from simkit.scenario.limits import MAX_MAGNITUDE, check_events, check_magnitudes  # noqa: F401", 1)
        write(pre, t)
        move_names(repo, "simkit.scenario.preflight", "simkit.scenario.limits", {"MAX_MAGNITUDE", "check_magnitudes"})
    # 4e. annotations only: the scenario type under TYPE_CHECKING, so the summary and preview do not import
    # the module whose methods call them
    for name in ("summary.py", "preview.py", "preflight.py", "limits.py"):
        f = sk / "scenario" / name
        if f.exists():
            t = read(f)
            if "\nfrom simkit.scenario.model import Scenario\n" in t and "TYPE_CHECKING" not in t:
                t = t.replace("\nfrom simkit.scenario.model import Scenario\n", "\n", 1)
                t = re.sub(r"(\n__all__)", "\nif TYPE_CHECKING:\n    from simkit.scenario.model import Scenario\n\\1",
                           t, count=1)
                t = t.replace("from __future__ import annotations\n",
                              "from __future__ import annotations\n\nfrom typing import TYPE_CHECKING\n", 1)
                write(f, t)
    # 5. lazy public names
    init = read(sk / "__init__.py")
    for old, new in {'"widgets"': '"ui.widgets"', '"report"}': '"ui.report"}', '"design"': '"experiment.design"',
                     '"sensitivity"': '"analysis.sensitivity"'}.items():
        init = init.replace(old, new)
    if "_MODULES" not in init:
        init = init.replace(
            "\n\ndef __getattr__(name: str):",
            '\n_MODULES = {"plots": "simkit.ui.plots", "lessons": "simkit.ui.lessons"}  # `from simkit import plots`\n'
            "\n\ndef __getattr__(name: str):")
        init = init.replace(
            "    if name in _LAZY:\n        import importlib\n",
            "    import importlib\n\n    if name in _MODULES:\n        return importlib.import_module(_MODULES[name])\n"
            "    if name in _LAZY:")
    write(sk / "__init__.py", init)
    # 6. report: no module class swap
    rp = sk / "ui" / "report.py"
    t = read(rp)
    t = re.sub(r"\n\nclass _CallableModule\(types\.ModuleType\):.*?sys\.modules\[__name__\]\.__class__ = _CallableModule\n",
               "\n", t, flags=re.S)
    write(rp, t)
    # 7. python -m simkit
    main_py = sk / "__main__.py"
    if not main_py.exists():
        write(main_py, '"""``python -m simkit``: the command line."""\n\nfrom simkit.ui.cli import main\n\n'
                       'if __name__ == "__main__":\n    raise SystemExit(main())\n')
    # 8. the contract, the map
    pp = repo / "pyproject.toml"
    t = read(pp)
    if "[tool.importlinter]" not in t:
        t = t.rstrip("\n") + "\n\n" + IMPORTLINTER
        write(pp, t)
    mk = repo / "Makefile"
    t = read(mk)
    if "lint-imports" not in t:
        t = re.sub(r"(\t\$\(VENV\)/bin/ruff check [^\n]*\n)", "\\1\t$(VENV)/bin/lint-imports\n", t)
        write(mk, t)
    t = read(pp)
    if '"import-linter' not in t:
        t = re.sub(r'(test = \[\n(?:    [^\n]*\n)*?)(\])', '\\1    "import-linter>=2.1",\n\\2', t, count=1)
        write(pp, t)
    env = repo / "environment.yml"
    t = read(env)
    if "import-linter" not in t:
        t = t.replace("  - ruff>=", "  - import-linter>=2.1\n  - ruff>=", 1)
        write(env, t)
    arch = repo / "docs" / "architecture.md"
    if not arch.exists():
        write(arch, read(Path(__file__).with_name("architecture.md")))
    for f in [repo / "tests" / "experiment" / "test_reprice.py"]:
        if f.exists():
            write(f, read(f).replace("  # the in-house team is swamped", "  # the team is swamped"))
    f = repo / "benchmarks" / "workflow_bench.py"
    if f.exists():
        write(f, read(f).replace('"call": "simkit.experiment.reprice.reprice_sweep(simulate(..., keep_logs=True), {path: prices})"',
                                 '"call": "simkit.reprice_sweep(simulate(..., keep_logs=True), {path: prices})"'))
    subprocess.run([RUFF, "check", "--fix", "--select", "I,F401", "-q",
                    str(sk), str(repo / "tests"), str(repo / "benchmarks"), str(repo / "notebooks")], cwd=repo)


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
