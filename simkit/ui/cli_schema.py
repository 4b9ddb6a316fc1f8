"""``simkit schema``: the JSON Schema of a scenario file, for editors that complete and check YAML.

With the YAML language server (VS Code's YAML extension, and editors that embed it), a first line
``# yaml-language-server: $schema=scenario.schema.json`` in a scenario file points the editor at the schema
written by ``simkit schema -o scenario.schema.json``: keys complete, unknown keys and out-of-range numbers are
underlined, and hovering a key shows its meaning and unit from the field registry.
"""

from __future__ import annotations

import argparse
import json

from simkit.fileio import check_file_target, write_text

__all__ = ["add_parser", "main"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``simkit schema`` on the command line's subcommands."""
    p = sub.add_parser("schema", help="print the JSON Schema of a scenario file (for editors)")
    p.add_argument("-o", "--out", help="write the schema to this file instead of printing it")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Print or write the schema; returns the exit code."""
    from simkit.scenario.fields import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.out:
        write_text(check_file_target(args.out, "--out"), text)
    else:
        print(text, end="")
    return 0
