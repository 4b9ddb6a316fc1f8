"""Write the documentation's generated reference pages: scenario fields and KPI columns.

``docs/reference/fields.md`` walks the pydantic schema of :class:`simkit.Scenario` (every
section and field, its type and default as the code has them) and joins each field with its
unit, allowed values and meaning from the facts the registry (``simkit/scenario/fields.yaml``) attaches to
each field.
``docs/reference/kpis.md`` lists the KPI columns in :mod:`simkit.accounting.kpi`'s order with the family
and better direction the code uses, and the unit and meaning from the same README.

A field without a registry entry (or an entry without a field), or a KPI without a README row, stops the
build: the documentation and the code cannot drift apart silently.

Run by ``make docs`` and as an MkDocs hook (``on_pre_build``), so ``mkdocs build`` alone works too.
The pages are generated, never committed (``.gitignore``).
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # document this checkout's simkit, not another installed copy
    sys.path.insert(0, str(ROOT))
from simkit.scenario.sections import unwrap  # noqa: E402 - after the path is set

README = ROOT / "scenarios" / "README.md"
OUT = ROOT / "docs" / "reference"


class ReferenceDrift(RuntimeError):
    """The code and ``scenarios/README.md`` disagree on which fields or KPIs exist."""


def _readme_tables(text: str) -> dict[str, dict[str, dict[str, str]]]:
    """``{section path: {field: {column: cell}}}`` for every heading followed by a table.

    A heading may name several paths (``teams.<name>.quality``, ``vendors.<name>.quality``);
    each gets the table.
    """
    tables: dict[str, dict[str, dict[str, str]]] = {}
    current: list[str] = []
    header: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("#"):
            current = re.findall(r"`([^`]+)`", line) or [line.lstrip("# ").strip()]
            header = None
        elif line.startswith("|") and current:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if header is None:
                header = [c.lower() for c in cells]
            elif not set("".join(cells)) <= set("-: "):
                row = dict(zip(header, cells, strict=False))
                name = row.get(header[0], "").strip("`")
                for section in current:
                    tables.setdefault(section, {})[name] = row
    return tables


def _type_name(annotation: Any) -> str:
    """A field's type in words: ``float``, ``'wait' or 'reroute'``, ``list of float``, ``Dist``."""
    a = unwrap(annotation)
    origin, args = get_origin(a), get_args(a)
    if origin is Literal:
        return " or ".join(repr(x) for x in args)
    if origin is tuple:
        return f"list of {_type_name(args[0])}" if len(args) == 2 and args[1] is Ellipsis else \
            "(" + ", ".join(map(_type_name, args)) + ")"
    if origin is dict:
        return f"mapping of names to {_type_name(args[1])}"
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(x) for x in args if x is not type(None))
    return a.__name__ if isinstance(a, type) else str(a)


def _cell(text: str) -> str:
    return text.replace("\n", " ").replace("|", "\\|")


def fields_page() -> str:
    """The Markdown of the scenario field reference: the schema's types and defaults, the registry's words."""
    import simkit as sk
    from simkit.scenario.facts import facts_of
    from simkit.scenario.fields import registry_drift
    from simkit.scenario.sections import field_model, walk_sections

    drift = registry_drift()
    if drift:
        raise ReferenceDrift("simkit/scenario/fields.yaml and the schema disagree on: " + "; ".join(drift))
    lines = [
        "# Scenario fields", "",
        "Generated from the schema of `simkit.Scenario` (types and defaults as the code has them) and the field",
        "registry `simkit/scenario/fields.yaml` (units, allowed values, meaning). A scenario is one YAML file; the",
        "sections below are its parts, `<name>` standing for a name you choose.", ""]
    for path, model in walk_sections(sk.Scenario):
        leaves = {n: f for n, f in model.model_fields.items() if field_model(f.annotation)[0] is None}
        if not leaves:
            continue
        doc = (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        doc = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", doc)  # reST roles read as code in Markdown
        lines += [f"## `{path}`" if path else "## Top level", "", doc, "",
                  "| field | type | default | unit | allowed values | meaning |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for name, field in leaves.items():
            row = facts_of(field) or {}
            default = "required" if field.is_required() else f"`{field.get_default(call_default_factory=True)!r}`"
            lines.append(f"| `{name}` | `{_cell(_type_name(field.annotation))}` | {_cell(default)} | "
                         f"{_cell(str(row.get('unit', '')))} | {_cell(str(row.get('allowed', '')))} | "
                         f"{_cell(str(row.get('meaning', '')))} |")
        lines.append("")
    return "\n".join(lines)


def kpis_page() -> str:
    """The Markdown of the KPI reference."""
    from simkit.accounting.kpi import KPI_DIRECTION, KPI_FAMILIES

    rows = _readme_tables(README.read_text(encoding="utf-8")).get("KPI columns", {})
    better = {1: "higher", -1: "lower", 0: "neither"}
    lines = ["# KPI columns", "",
             "Generated from `simkit.accounting.kpi` (columns, families and the better direction the comparisons use)",
             "and the KPI table of `scenarios/README.md` (unit and meaning). `<cur>` is `run.currency` in",
             "lower case. Every KPI is one number per option and replication; `Results.table()` shows its mean",
             "with a 95% confidence interval.", "",
             "| column | family | unit | better | meaning |", "| --- | --- | --- | --- | --- |"]
    missing = []
    for family, columns in KPI_FAMILIES("<cur>").items():
        for column in columns:
            row = rows.get(column)
            if row is None:
                missing.append(column)
                continue
            if row.get("better") != better[KPI_DIRECTION(column.replace("<cur>", "usd"))]:
                missing.append(f"{column} (README says better is {row.get('better')!r})")
            lines.append(f"| `{column}` | {family.replace('_', ' ')} | {_cell(row.get('unit', ''))} | "
                         f"{better[KPI_DIRECTION(column.replace('<cur>', 'usd'))]} | {_cell(row.get('meaning', ''))} |")
    if missing:
        raise ReferenceDrift("scenarios/README.md's KPI table and simkit.accounting.kpi disagree on: "
                             + ", ".join(missing))
    return "\n".join(lines) + "\n"


def write(out: Path = OUT) -> list[Path]:
    """Write both pages (only when their text changed, so a watching server does not loop)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (("fields.md", fields_page()), ("kpis.md", kpis_page())):
        path = out / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            tmp = path.with_name(f".{name}.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        written.append(path)
    return written


def on_pre_build(config: Any, **_: Any) -> None:  # noqa: ARG001 - MkDocs hook signature
    """MkDocs hook: generate the pages before the build reads ``docs/``."""
    write()


if __name__ == "__main__":
    for p in write():
        print(f"wrote {p.relative_to(ROOT)}")
