"""One-off: move simkit into layered subpackages and rewrite every import.

    python restructure.py REPO_DIR [--dry-run]

Refuses to run twice (when simkit/scenario/ already exists as a package).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

# old dotted module -> new dotted module (missing sources are skipped)
MODULES = {
    "simkit.calendar": "simkit.calendars.weekly",
    "simkit.timeline": "simkit.calendars.timeline",
    "simkit.scenario": "simkit.scenario.model",
    "simkit.schema": "simkit.scenario.schema",
    "simkit.mechanisms": "simkit.scenario.mechanisms",
    "simkit.distributions": "simkit.scenario.distributions",
    "simkit.checks": "simkit.scenario.preflight",
    "simkit.yamlio": "simkit.scenario.yamlio",
    "simkit.limits": "simkit.scenario.limits",
    "simkit.catalog": "simkit.scenario.catalog",
    "simkit.summary": "simkit.scenario.summary",
    "simkit.workload": "simkit.workload.trace",
    "simkit.costs": "simkit.accounting.costs",
    "simkit.kpi": "simkit.accounting.kpi",
    "simkit.kpis": "simkit.accounting.registry",
    "simkit.analysis": "simkit.stats.estimates",
    "simkit.decision": "simkit.stats.decision",
    "simkit.tdist": "simkit.stats.tdist",
    "simkit.experiment": "simkit.experiment.simulate",
    "simkit.execution": "simkit.experiment.execution",
    "simkit.memo": "simkit.experiment.reuse",
    "simkit.results": "simkit.experiment.results",
    "simkit.reprice": "simkit.experiment.reprice",
    "simkit.design": "simkit.experiment.design",
    "simkit.sweep": "simkit.experiment.sweep",
    "simkit.store": "simkit.experiment.store",
    "simkit.sensitivity": "simkit.analysis.sensitivity",
    "simkit.preview": "simkit.scenario.preview",
    "simkit.screening": "simkit.analysis.screening",
    "simkit.exit_drill": "simkit.analysis.exit_drill",
    "simkit.cli": "simkit.ui.cli",
    "simkit.widgets": "simkit.ui.widgets",
    "simkit.controls": "simkit.ui.controls",
    "simkit.plots": "simkit.ui.plots",
    "simkit.chartstyle": "simkit.ui.chartstyle",
    "simkit.monthly_plots": "simkit.ui.monthly_plots",
    "simkit.sensitivity_plots": "simkit.ui.sensitivity_plots",
    "simkit.report": "simkit.ui.report",
    "simkit.drill_report": "simkit.ui.drill_report",
}
PACKAGES = {  # whole packages / data folders moved as they are
    "simkit.lessons": "simkit.ui.lessons",
}
DATA_DIRS = {"simkit/templates": "simkit/ui/templates", "simkit/styles": "simkit/ui/styles"}
LAYER_DOCS = {
    "calendars": "Working calendars and capacity timelines: when people work, in hours from the scenario start.",
    "scenario": "The scenario: schema, mechanism sections, distributions, YAML loading, messages and pre-flight checks.",
    "workload": "The workload: one trace of arrivals per replication, shared by every option.",
    "accounting": "What a run cost and how it performed: usage, pricing, the ledger and the KPIs.",
    "stats": "Statistics over replications: intervals, paired differences, risk, ranking and the decision record.",
    "experiment": "Replications on any executor, reuse, re-pricing, designs, sweeps, stored results.",
    "analysis": "Questions asked of many runs: sensitivity, break-evens, previews, screening and exit drills.",
    "ui": "Presentation only: command line, dashboard, controls, charts, reports and lessons.",
}
TESTS = {  # test file -> folder under tests/
    "test_analytic.py": "", "test_fileio.py": "", "test_extras.py": "", "test_streams.py": "",
    "test_calendar.py": "calendars", "test_timeline.py": "calendars",
    "test_scenario.py": "scenario", "test_distributions.py": "scenario", "test_yamlio.py": "scenario", "test_limits.py": "scenario",
    "test_checks.py": "scenario", "test_summary.py": "scenario", "test_catalog.py": "scenario",
    "test_workload.py": "workload",
    "test_engine.py": "engine", "test_kernels.py": "engine", "test_review.py": "engine",
    "test_costs.py": "accounting", "test_kpi.py": "accounting",
    "test_decision.py": "stats", "test_intervals.py": "stats", "test_tdist.py": "stats",
    "test_experiments.py": "experiment", "test_memo.py": "experiment", "test_reprice.py": "experiment",
    "test_sweep.py": "experiment", "test_store.py": "experiment", "test_design.py": "experiment",
    "test_screen.py": "analysis", "test_drill.py": "analysis", "test_sensitivity.py": "analysis",
    "test_fit.py": "fitting", "test_execution.py": "experiment", "test_game.py": "game", "test_student.py": "ui", "test_summary.py": "scenario", "test_install.py": "packaging", "test_wheel.py": "packaging", "test_docs.py": "packaging",
    "test_cli.py": "ui", "test_controls.py": "ui", "test_widgets.py": "ui", "test_plots.py": "ui",
    "test_report.py": "ui", "test_lessons.py": "ui",
    "test_invariants.py": "properties",
    "test_theory.py": "theory", "test_mechanisms.py": "theory", "test_archetypes.py": "theory",
    "test_hostile.py": "hostile", "test_degenerate.py": "hostile",
    "test_determinism.py": "determinism", "test_failures.py": "determinism",
    "test_browser.py": "browser",
    "test_notebooks.py": "notebooks", "test_benchmarks_smoke.py": "packaging", "test_packaging.py": "packaging",
    "test_install.py": "packaging",
}


def module_file(repo: Path, dotted: str) -> Path:
    return repo / (dotted.replace(".", "/") + ".py")


def build_map(repo: Path) -> dict[str, str]:
    """Old -> new dotted names, for modules and packages whose sources exist."""
    out = {}
    for old, new in MODULES.items():
        if module_file(repo, old).exists():
            out[old] = new
        else:
            print(f"skip (absent): {old}")
    for old, new in PACKAGES.items():
        src = repo / old.replace(".", "/")
        if src.is_dir():
            out[old] = new
            for f in sorted(src.glob("*.py")):
                if f.stem != "__init__":
                    out[f"{old}.{f.stem}"] = f"{new}.{f.stem}"
    for f in sorted((repo / "simkit" / "fit").glob("*.py")) if (repo / "simkit" / "fit").is_dir() else []:
        pass  # fit/ stays where it is
    return out


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True)


# --------------------------------------------------------------------------- imports
REL = re.compile(r"^(?P<indent>[ \t]*)from (?P<dots>\.+)(?P<mod>[\w.]*) import ", re.M)


def absolutise(text: str, module: str, is_pkg: bool) -> str:
    """Relative imports of ``module`` (its OLD dotted name) as absolute ones."""
    package = module if is_pkg else module.rsplit(".", 1)[0]

    def sub(m: re.Match) -> str:
        base = package.split(".")
        up = len(m["dots"]) - 1
        base = base[: len(base) - up] if up else base
        target = ".".join([*base, m["mod"]]) if m["mod"] else ".".join(base)
        return f"{m['indent']}from {target} import "

    return REL.sub(sub, text)


def rename(dotted: str, mapping: dict[str, str]) -> str:
    """The new name of a dotted name (a module, or an attribute inside one), longest prefix first."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        head = ".".join(parts[:i])
        if head in mapping:
            return ".".join([mapping[head], *parts[i:]])
    return dotted


FROM_SIMKIT = re.compile(r"^(?P<indent>[ \t]*)from (?P<mod>simkit(?:\.[\w]+)*) import (?P<names>\([^)]*\)|\w[\w ,]*)"
                         r"(?P<comment>[ \t]*#[^\n]*)?(?P<tail>(?:\"\"\"|\'\'\')[^\n]*)?$", re.M)
IMPORT_SIMKIT = re.compile(r"^(?P<indent>[ \t]*)import (?P<mod>simkit(?:\.[\w]+)+)(?P<alias> as \w+)?", re.M)
STRING_REF = re.compile(r"(?P<q>(?<![\w/.-]))(?P<mod>simkit(?:\.\w+)+)")
IMPORT_START = re.compile(r"^\s*(from|import) simkit[\s.]")
SK_ATTR = re.compile(r"\bsk\.(\w+)\.")
DASH_M = re.compile(r"(-m\s+)(simkit(?:\.\w+)+)")


def rewrite_from(m: re.Match, mapping: dict[str, str]) -> str:
    indent, mod, names, comment = m["indent"], m["mod"], m["names"], m["comment"] or ""
    tail = m["tail"] or ""  # the end of a string literal that holds the import (notebook cell sources)
    comment = f"  {comment.strip()}" if comment else ""
    new_mod = rename(mod, mapping)
    raw = names.strip()
    paren = raw.startswith("(")
    inner = raw.strip("()")
    if paren:  # comments inside the parentheses (a noqa on the first line) go after the new import
        found = re.findall(r"#[^\n]*", inner)
        if found and not comment:
            comment = "  " + found[0]
        inner = re.sub(r"#[^\n]*", "", inner)
    items = [x.strip() for x in inner.replace("\n", " ").split(",") if x.strip()]
    lines, rest = [], []
    for item in items:
        name, _, alias = item.partition(" as ")
        name, alias = name.strip(), alias.strip()
        full = f"{mod}.{name}"
        if full in mapping:  # a module imported by name from its package
            new_full = mapping[full]
            parent, leaf = new_full.rsplit(".", 1)
            lines.append(f"{indent}from {parent} import {leaf}" + (f" as {alias}" if alias else
                                                                    (f" as {name}" if leaf != name else "")))
        else:
            rest.append(item)
    if rest:
        if mod == "simkit" and new_mod == "simkit":
            body = ", ".join(rest)
        else:
            body = ", ".join(rest)
        if paren and len(body) > 90:
            body = "(\n" + "".join(f"{indent}    {x},\n" for x in rest) + f"{indent})"
        lines.insert(0, f"{indent}from {new_mod} import {body}{comment}")
    elif comment and lines:
        lines[0] += comment
    return "\n".join(lines) + tail


def rewrite_text(text: str, mapping: dict[str, str], strings: bool = True) -> str:
    text = _strings(text, mapping) if strings else text
    text = FROM_SIMKIT.sub(lambda m: rewrite_from(m, mapping), text)
    text = IMPORT_SIMKIT.sub(lambda m: f"{m['indent']}import {rename(m['mod'], mapping)}{m['alias'] or ''}", text)
    return text


def _strings(text: str, mapping: dict[str, str]) -> str:
    if True:
        out = []
        for line in text.splitlines(keepends=True):
            if IMPORT_START.match(line):
                out.append(line)  # already rewritten above
                continue
            line = DASH_M.sub(lambda m: f"{m[1]}{rename(m[2], mapping)}", line)
            line = STRING_REF.sub(lambda m: f"{m['q']}{rename(m['mod'], mapping)}", line)
            line = SK_ATTR.sub(lambda m: "sk." + mapping.get(f"simkit.{m[1]}", f"simkit.{m[1]}").removeprefix("simkit.")
                               + ".", line)
            out.append(line)
        text = "".join(out)
    return text


def rewrite_notebook(path: Path, mapping: dict[str, str]) -> bool:
    raw = path.read_text(encoding="utf-8")
    nb = json.loads(raw)
    changed = False
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = cell["source"]
        text = "".join(src) if isinstance(src, list) else src
        new = rewrite_text(text, mapping)
        if new != text:
            changed = True
            cell["source"] = new.splitlines(keepends=True) if isinstance(src, list) else new
    if changed:
        out = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        path.write_text(out, encoding="utf-8")
    return changed


# --------------------------------------------------------------------------- main
def main(repo: Path, dry: bool = False) -> None:
    if (repo / "simkit" / "scenario" / "__init__.py").exists():
        print("already restructured: nothing to do")
        return
    mapping = build_map(repo)
    # 1. absolute imports inside simkit, using the OLD names
    for f in sorted((repo / "simkit").rglob("*.py")):
        rel = f.relative_to(repo).with_suffix("")
        parts = list(rel.parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        text = f.read_text(encoding="utf-8")
        new = absolutise(text, ".".join(parts), is_pkg)
        if new != text and not dry:
            f.write_text(new, encoding="utf-8")
    # 2. move files (same-named module -> package: move aside first)
    moves = [(old, new) for old, new in mapping.items() if old in MODULES]
    aside = {}
    for old, new in moves:
        src = module_file(repo, old)
        pkg_dir = repo / old.replace(".", "/")
        if new.startswith(old + "."):  # simkit/x.py -> simkit/x/y.py
            tmp = src.with_name(f"_moving_{src.name}")
            if not dry:
                git(repo, "mv", str(src), str(tmp))
            aside[old] = tmp
            del pkg_dir
    for old, new in moves:
        src = aside.get(old, module_file(repo, old))
        dst = module_file(repo, new)
        print(f"move {src.relative_to(repo)} -> {dst.relative_to(repo)}")
        if dry:
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        git(repo, "mv", str(src), str(dst))
    for old, new in PACKAGES.items():
        src, dst = repo / old.replace(".", "/"), repo / new.replace(".", "/")
        if src.is_dir() and not dry:
            dst.parent.mkdir(parents=True, exist_ok=True)
            git(repo, "mv", str(src), str(dst))
            print(f"move {src.relative_to(repo)}/ -> {dst.relative_to(repo)}/")
    for src_s, dst_s in DATA_DIRS.items():
        src, dst = repo / src_s, repo / dst_s
        if src.is_dir() and not dry:
            dst.parent.mkdir(parents=True, exist_ok=True)
            git(repo, "mv", str(src), str(dst))
            print(f"move {src_s}/ -> {dst_s}/")
    # 3. package __init__ files for the layers
    for layer, doc in LAYER_DOCS.items():
        init = repo / "simkit" / layer / "__init__.py"
        if (repo / "simkit" / layer).is_dir() and not init.exists() and not dry:
            init.write_text(f'"""{doc}"""\n', encoding="utf-8")
            git(repo, "add", str(init))
    # 4. rewrite imports and references everywhere
    targets = [*(repo / "simkit").rglob("*.py"), *(repo / "tests").rglob("*.py"),
               *(repo / "notebooks").rglob("*.py"), *(repo / "benchmarks").rglob("*.py"),
               *(f for f in (repo / "tools").rglob("*.py") if "restructure" not in f.parts),
               *(repo / "examples").rglob("*.py")]
    docs = [p for p in [repo / "README.md", repo / "scenarios" / "README.md", repo / "notebooks" / "README.md",
                        *(repo / "docs").rglob("*.md"), repo / "Makefile", repo / "pyproject.toml"] if p.exists()]
    for f in targets + docs:
        text = f.read_text(encoding="utf-8")
        new = rewrite_text(text, mapping)
        if f.name == "pyproject.toml" or f.name == "Makefile":
            for s, d in DATA_DIRS.items():
                new = new.replace(s.removeprefix("simkit/") + "/*", d.removeprefix("simkit/") + "/*")
        if new != text:
            print(f"rewrite {f.relative_to(repo)}")
            if not dry:
                f.write_text(new, encoding="utf-8")
    for nb in sorted((repo / "notebooks").glob("*.ipynb")):
        if not dry and rewrite_notebook(nb, mapping):
            print(f"rewrite {nb.relative_to(repo)}")
    # 5. tests mirror the package
    for f in sorted((repo / "tests").glob("test_*.py")):
        folder = TESTS.get(f.name)
        if folder is None:
            print(f"test left in place (no map entry): {f.name}")
            continue
        if not folder:
            continue
        dst = repo / "tests" / folder / f.name
        print(f"move {f.relative_to(repo)} -> {dst.relative_to(repo)}")
        if dry:
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        git(repo, "mv", str(f), str(dst))
        text = dst.read_text(encoding="utf-8")
        text = text.replace("Path(__file__).resolve().parents[1]", "Path(__file__).resolve().parents[2]")
        text = text.replace("Path(__file__).resolve().parent.parent", "Path(__file__).resolve().parents[2]")
        dst.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), dry="--dry-run" in sys.argv)
