"""The sub-commands besides generation: `rmgen init|schema|doc|compat ...`.

Each parses its own arguments here and runs in its own module; cli.py only dispatches.
"""
from __future__ import annotations

import argparse
import sys

from rmgen import compat, docgen, starter



def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rmgen", description="rmgen sub-commands.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--traceback", action="store_true", help="show Python tracebacks of internal errors")
    common.set_defaults(check=False)

    init = sub.add_parser("init", parents=[common], help="write a commented starter spec NAME.yaml",
                          description="Write NAME.yaml, a commented starter spec that generates, builds "
                          "and passes its host test as is, and rmgen-spec-v1.json (the JSON Schema its "
                          "editor modeline names) if absent. Never overwrites a file.")
    init.add_argument("name", metavar="NAME", help="device name: lower-case C identifier, e.g. led")
    init.add_argument("--io", choices=starter.IO_KINDS, default="none",
                      help="read()/write(): none (devctl only, the default), buffer (in memory) or hook")
    init.add_argument("--pool", action="store_true", help="a thread-pool server instead of a receive loop")
    init.add_argument("-o", "--output", metavar="DIR", default=".", help="folder to write into (default: .)")

    sch = sub.add_parser("schema", parents=[common], help="print the JSON Schema of the spec format",
                         description="Print the JSON Schema (draft 2020-12) of spec format 1, for "
                         "editors and other tools: rmgen schema > rmgen-spec-v1.json")

    doc = sub.add_parser("doc", parents=[common], help="print a Markdown interface reference of a spec",
                         description="Print the interface reference (also written to NAME/INTERFACE.md): "
                         "path, commands with codes, directions, payload layouts, access, errors.")
    doc.add_argument("spec", metavar="SPEC.yaml")

    com = sub.add_parser("compat", parents=[common], help="report changes that break clients or servers",
                         description="Compare two versions of a spec. Exit 1 if a change breaks existing "
                         "clients or servers (each reported with both locations), 0 for compatible "
                         "growth, 2 for an invalid spec.",
                         epilog="Examples: rmgen compat old.yaml new.yaml; rmgen compat --against HEAD led.yaml")
    com.add_argument("--against", metavar="GITREV", help="the old version of each SPEC.yaml is the one committed in GITREV")
    com.add_argument("specs", nargs="+", metavar="SPEC.yaml",
                     help="OLD.yaml NEW.yaml, or with --against one or more SPEC.yaml")
    return p


def run(args: argparse.Namespace) -> int:
    """Run the parsed sub-command; returns the exit status."""
    if args.command == "init":
        return starter.main(args.name, args.io, args.pool, args.output)
    if args.command == "schema":
        sys.stdout.write(starter.schema_text())
        return 0
    if args.command == "doc":
        return docgen.main(args.spec)
    if args.against is not None:  # each spec against its own committed version
        return max(compat.main_against(args.against, spec) for spec in args.specs)
    if len(args.specs) != 2:
        parser().error("compat takes OLD.yaml NEW.yaml (or --against GITREV SPEC.yaml)")
    return compat.run(args.specs[0], args.specs[1])
