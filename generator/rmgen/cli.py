"""The `rmgen` command: argument parsing and the per-spec pipeline, nothing else.

load -> schema -> checks -> model.build -> render.render -> output. Every spec is
validated and rendered before anything is written; if any spec is invalid, nothing is.
"""
from __future__ import annotations

import argparse
import atexit
import gc
import os
import sys
from pathlib import Path
from typing import Callable, List, NoReturn, Optional, Sequence

import msgspec

from rmgen import SPEC_FORMAT, __version__, resources
from rmgen.diagnostics import Diagnostics, Location, explain, explain_list
from rmgen.plan import PlannedFile

EXIT_OK, EXIT_DRIFT, EXIT_INVALID = 0, 1, 2
SUBCOMMANDS = ("init", "schema", "doc", "compat")  # run by rmgen.commands, imported only for them


class Target(msgspec.Struct):
    """One spec, validated and rendered: where its tree goes and what it holds."""

    spec: loader.Spec  # noqa: F821 (imported where used)
    outdir: Path
    plan: List[PlannedFile]
    spec_relpath: str  # the spec as seen from outdir

    @property
    def where(self) -> Location:
        return Location(self.spec.file)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rmgen",
        description="Generate a QNX resource manager from YAML device descriptions.",
        epilog="Exit status: 0 ok, 1 --check found drift (or a missing hook), 2 invalid spec or "
               "usage. More commands: rmgen init NAME (a starter spec), rmgen schema (the JSON "
               "Schema), rmgen doc SPEC.yaml, rmgen compat OLD.yaml NEW.yaml; each has --help.")
    p.add_argument("specs", nargs="*", metavar="SPEC.yaml", help="device descriptions (format 1)")
    p.add_argument("-o", "--output", metavar="DIR",
                   help="write each device to DIR/<device name> (default: next to its spec)")
    p.add_argument("--check", action="store_true",
                   help="write nothing; print a diff and exit 1 if the output is not up to date")
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty directory that rmgen did not create")
    p.add_argument("-q", "--quiet", action="store_true", help="no summary lines, only diagnostics")
    p.add_argument("--explain", metavar="ID", nargs="?", const="list",
                   help="explain a diagnostic, e.g. RM0012; without ID (or 'list'): list every ID")
    p.add_argument("--runtime-dir", action="store_true",
                   help="print the directory of the bundled qnxhost runtime")
    p.add_argument("--traceback", action="store_true", help="show Python tracebacks of internal errors")
    p.add_argument("--version", action="version", version=f"rmgen {__version__} (spec format {SPEC_FORMAT})")
    return p


def run() -> NoReturn:
    """The `rmgen` command: main(), then an exit that skips the interpreter's teardown.

    A run is short and ends the process, so the cyclic collector and the freeing of every
    object at exit (a third of a one-spec `--check`) would only cost time. Files and locks
    are closed by then and both streams are flushed here. Where something else wants the
    normal exit (a profiler, a tracer such as coverage, an exit handler: `rmgen init`'s
    temporary folder registers one), it gets it."""
    gc.disable()
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:  # closed when rmgen started (`rmgen ... >&-`): output goes nowhere
            setattr(sys, name, open(os.devnull, "w"))
    try:
        status = main()
    except SystemExit as e:  # argparse's --help, --version and usage errors
        status = e.code
    if not isinstance(status, int) or _teardown_wanted() or not _flushed():
        sys.exit(status)  # as Python would: a failed flush is reported there (exit 120)
    os._exit(status)


def _teardown_wanted() -> bool:
    """Whether a profiler, tracer or exit handler is registered (or handlers cannot be counted)."""
    handlers = getattr(atexit, "_ncallbacks", None)
    return sys.gettrace() is not None or sys.getprofile() is not None or handlers is None or handlers() > 0


def _flushed() -> bool:
    """Flush both streams; False if one could not take its output (a full disk). Where the
    reader left (`rmgen --check | head -1`), what it did not read goes nowhere, as in
    _guarded(), and the status stays main()'s."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
            try:
                stream.flush()
            except (OSError, ValueError):
                return False
        except (OSError, ValueError):
            return False
    return True


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run rmgen; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:  # rmgen init|schema|doc|compat ...
        from rmgen import commands
        args = commands.parser().parse_args(argv)
        return _guarded(args, lambda: commands.run(args))
    parser = _parser()
    args = parser.parse_args(argv)
    return _guarded(args, lambda: _main(args, parser))


def _main(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.explain:
        text = explain_list() if args.explain.lower() == "list" else explain(args.explain)
        if text is None:
            print(f"rmgen: unknown diagnostic ID '{args.explain}' (rmgen --explain lists them)",
                  file=sys.stderr)
            return EXIT_INVALID
        sys.stdout.write(text)
        return EXIT_OK
    if args.runtime_dir:
        print(resources.data_dir("qnxhost"))
        return EXIT_OK
    if not args.specs:
        parser.error("no spec given (rmgen init NAME writes a starter spec)")
    return _generate(args)


def _guarded(args: argparse.Namespace, run: Callable[[], int]) -> int:
    """`run()`, with a closed stdout ending quietly and internal errors on one line."""
    try:
        return run()
    except BrokenPipeError:  # stdout's reader left (e.g. `rmgen --check ... | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return EXIT_DRIFT if args.check else EXIT_OK  # --check prints only when it drifted
    except Exception as e:  # noqa: BLE001 - the one place unexpected errors are reported
        if args.traceback:
            import traceback  # here only: importing it would cost every run ~2 ms
            traceback.print_exc()
        else:
            print(f"rmgen: internal error ({type(e).__name__}: {e}); please report it with the "
                  "spec that caused it (--traceback shows details)", file=sys.stderr)
        return EXIT_INVALID


def _generate(args: argparse.Namespace) -> int:
    from rmgen import orphans, output, summary  # the pipeline is imported only when there is a spec

    diags = Diagnostics()
    targets = [t for t in (_prepare(path, args.output, diags) for path in args.specs) if t]
    with output.session():  # the output folders stay locked until the run ends
        if not diags.has_errors:
            _preflight(targets, diags, args.force, args.check)
        if diags.has_errors:
            sys.stderr.write(diags.render())
            return EXIT_INVALID
        lines = []
        if args.check:
            drift = [output.check(t.outdir, t.plan, sys.stdout) for t in targets]
            again = " -o " + args.output if args.output is not None else ""
            lines = [summary.checked(t.outdir, len(t.plan), n, f"rmgen {t.spec.file}{again}", left)
                     for t, (n, left) in zip(targets, drift)]
            status = EXIT_DRIFT if any(n or left for n, left in drift) else EXIT_OK
        else:
            for t in targets:
                mine = Diagnostics()
                written = output.write(t.outdir, t.plan, mine, t.where, t.spec_relpath)
                lines.append(summary.wrote(t.outdir, len(t.plan), written, failed=mine.has_errors))
                diags.extend(mine)
            status = EXIT_INVALID if diags.has_errors else EXIT_OK
        stamps: dict = {}  # each folder's stamp read once for all specs
        for t in targets:
            output.missing_hooks(t.outdir, t.plan, diags, strict=args.check)
            orphans.report(t.spec, t.outdir, diags, strict=args.check, stamps=stamps)
    sys.stderr.write(diags.render())
    if not args.quiet:
        sys.stderr.writelines(lines)
    if args.check and diags.has_errors:
        status = EXIT_DRIFT  # a hook missing or a tree orphaned: the checked tree does not build
        if not args.quiet:
            sys.stderr.write(summary.CHECK_FAILED)
    return status


def _prepare(path: str, out: Optional[str], diags: Diagnostics) -> Optional[Target]:
    """Load, validate, build and render one spec; None (with diagnostics) if invalid."""
    from rmgen import escape, pipeline

    spec = pipeline.validated(path, diags)
    if spec is None:
        return None
    from rmgen import model, render  # lazily: tests may substitute them

    outdir = Path(out if out is not None else os.path.dirname(path) or ".") / spec.data["device"]["name"]
    spec_relpath = Path(os.path.relpath(os.path.abspath(path), os.path.abspath(outdir))).as_posix()
    if escape.forbidden(spec_relpath):
        diags.add("RM0058", Location(spec.file), char=escape.forbidden(spec_relpath))
        return None
    device = model.build(spec.data, spec_relpath)
    return Target(spec, outdir, list(render.render(device)), spec_relpath)


def _preflight(targets: List[Target], diags: Diagnostics, force: bool, check: bool) -> None:
    """Each device gets its own output directory, and each directory may be written."""
    from rmgen import output

    seen = {}
    for t in sorted(targets, key=lambda t: os.path.abspath(t.outdir)):  # locks in one order
        key = os.path.abspath(t.outdir)
        if key in seen:
            diags.add("RM0054", t.spec.loc(("device", "name")), name=t.spec.data["device"]["name"],
                      path=output.shown(t.outdir), other=seen[key])
            continue
        seen[key] = t.spec.file
        output.preflight(t.outdir, t.plan, diags, t.where, force, check)
