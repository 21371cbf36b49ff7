"""Render the model into the file plan: one Jinja2 template per kind of output file."""
from __future__ import annotations

import contextlib
import functools
import importlib.util
import marshal
import os
import re
import tempfile
import types
import warnings
import zlib
from typing import Dict, List, Optional

import jinja2

from rmgen import __version__, docgen, escape
from rmgen.model import Device
from rmgen.plan import GENERATED, USER, HookRef, PlannedFile
from rmgen.resources import data_dir
from rmgen.typesys import PRIMITIVES

HOOKS_STUB = "server/stubs/{n}_hooks.c"
HOOKS_USER = "server/{n}_hooks.c"


# Environment settings that change what a template compiles to (with the extensions, the
# autoescape and finalize choices): a compiled template is reused only under the same ones.
_COMPILE_OPTIONS = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
                    "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
                    "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized",
                    "is_async")


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """A per-user cache of compiled templates in the private temp folder Jinja makes (and
    checks the owner and mode of). An entry is used only if it was made from the same
    template source, by the same Python (marshal's format is Python's), Jinja, rmgen and
    compile settings, and its payload's CRC matches (a damaged entry is compiled again,
    never unmarshalled); a cache that cannot be read or written only costs the compile.

    An entry is read whole and unmarshalled from memory: Jinja's own entries are unmarshalled
    from the open file, which marshal reads object by object (four times slower, about a
    tenth of a one-spec --check)."""

    def __init__(self, directory: Optional[str] = None):
        super().__init__(directory, pattern="__rmgen_%s.code")
        self._settings: Dict[jinja2.Environment, str] = {}

    def load_bytecode(self, bucket) -> None:
        try:
            with open(self._file(bucket), "rb") as f:
                data = f.read()
        except OSError:  # not cached yet, or unreadable
            return
        head = self._header(bucket)
        crc, payload = data[len(head):len(head) + 4], memoryview(data)[len(head) + 4:]
        if not data.startswith(head) or crc != zlib.crc32(payload).to_bytes(4, "big"):
            return  # another source, Python, Jinja or setting, or a damaged entry
        try:
            code = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return
        if isinstance(code, types.CodeType):
            bucket.code = code

    def dump_bytecode(self, bucket) -> None:
        path = self._file(bucket)
        payload = marshal.dumps(bucket.code)
        tmp = None
        try:  # written aside, then renamed: a reader never sees half an entry
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=os.path.basename(path), suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(self._header(bucket) + zlib.crc32(payload).to_bytes(4, "big") + payload)
            os.replace(tmp, path)
        except OSError:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.remove(tmp)

    def _file(self, bucket) -> str:
        return os.path.join(self.directory, self.pattern % bucket.key)

    def _header(self, bucket) -> bytes:
        """Python's bytecode magic, then one line: the Jinja and rmgen versions, the compile
        settings (made once per environment) and the template source's checksum."""
        env = bucket.environment
        if env not in self._settings:
            settings = [getattr(env, name) for name in _COMPILE_OPTIONS]
            settings += [sorted(env.extensions), env.autoescape if isinstance(env.autoescape, bool) else "select",
                         env.finalize is not None]
            self._settings[env] = f"{_jinja_version()} {__version__} {settings!r}"
        return importlib.util.MAGIC_NUMBER + f"{self._settings[env]} {bucket.checksum}\n".encode("utf-8", "replace")


@functools.lru_cache(maxsize=None)
def _jinja_version() -> str:
    """Jinja's version (its `__version__`, which Jinja deprecates, else the package's metadata)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        version = getattr(jinja2, "__version__", None)
    if version is None:
        import importlib.metadata  # only where Jinja no longer says it (a few ms)
        version = importlib.metadata.version("Jinja2")
    return version


def _bytecode_cache():
    try:
        return _BytecodeCache()
    except (OSError, RuntimeError):  # no usable private temp folder: compile every run
        return None


@functools.lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    """One environment per process: each template is compiled once, whatever the spec count,
    and loaded from the compiled-template cache when an earlier run compiled it."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates"))),
        bytecode_cache=_bytecode_cache(),
        auto_reload=False,  # templates do not change during a run: no stat per include
        cache_size=-1,      # every template stays loaded: a plain dict, not an LRU queue per include
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["hex"] = lambda v, width=0: f"0x{v:0{width}x}"
    env.filters["c_literal"] = c_literal
    env.filters["c_ident"] = lambda path: re.sub(r"[^A-Za-z0-9_]+", "_", path).strip("_")
    env.filters["sentence"] = lambda text: text if text.endswith((".", "!", "?")) else text + "."
    env.filters["md"] = docgen.md      # Markdown text, safe in a table cell
    env.filters["code"] = docgen.code  # a Markdown code span, safe in a table cell
    for name in ("c_comment", "c_usage", "c_string", "make_text", "markdown", "markdown_code", "html_comment"):
        env.filters[name] = getattr(escape, name)
    return env


def c_literal(value: int, prim: str) -> str:
    """An integer constant of the right C type for comparing with a `prim` field."""
    p = PRIMITIVES.get(prim, PRIMITIVES["i32"])
    if p.signed:
        if value == -(2**63):
            return "INT64_MIN"
        return f"{value}LL" if p.size == 8 else str(value)
    return f"{value}ULL" if p.size == 8 else f"{value}u"


def _layout(d: Device) -> List[tuple]:
    """(output path, template, context extras) for every generated file of a device."""
    n = d.name
    files = [
        ("README.md", "readme.md.j2", {}),
        ("INTERFACE.md", "interface.md.j2", {"errors": docgen.errors, "command": ""}),
        (f"public/{n}.h", "public_header.h.j2", {}),
        (f"public/{n}_client.h", "client_header.h.j2", {}),
        (f"lib/{n}_client.c", "client_source.c.j2", {}),
        (f"server/{n}_resmgr.h", "resmgr_header.h.j2", {}),
        (f"server/{n}_hooks.h", "hooks_header.h.j2", {}),
        (f"server/{n}_main.c", "server_main.c.j2", {}),
        (f"server/{n}_io.c", "server_io.c.j2", {}),
        *([(f"server/{n}_events.c", "parts/events.c.j2", {})] if d.events.has_hw else []),
        (HOOKS_STUB.format(n=n), "hooks_stubs.c.j2", {"user_file": False}),
        ("host.mk", "host.mk.j2", {}),
        ("CMakeLists.txt", "cmakelists.txt.j2", {}),
        ("cmake/qnx-toolchain.cmake", "qnx_toolchain.cmake.j2", {}),
        (f"host/{n}_host_test.c", "host_test.c.j2", {}),
        (f"host/{n}_fuzz.c", "host_fuzz.c.j2", {}),
        (f"host/{n}_fuzz.dict", "host_fuzz.dict.j2", {}),
        ("Makefile", "qnx_recurse.mk.j2", {"level": None, "what": "the server and the client library"}),
        ("server/common.mk", "qnx_server_common.mk.j2", {}),
        ("lib/common.mk", "qnx_lib_common.mk.j2", {}),
    ]
    variants = {"server": {"x86_64": ["o"], "aarch64": ["le"]},
                "lib": {"x86_64": ["a", "so"], "aarch64": ["a.le", "so.le"]}}
    for part, cpus in variants.items():
        files.append((f"{part}/Makefile", "qnx_recurse.mk.j2", {"level": "OS", "what": part}))
        files.append((f"{part}/nto/Makefile", "qnx_recurse.mk.j2", {"level": "CPU", "what": part}))
        for cpu, vs in cpus.items():
            files.append((f"{part}/nto/{cpu}/Makefile", "qnx_recurse.mk.j2", {"level": "VARIANT", "what": part}))
            for v in vs:
                files.append((f"{part}/nto/{cpu}/{v}/Makefile", "qnx_variant.mk.j2", {"what": part}))
    return files


def render(d: Device) -> List[PlannedFile]:
    """Every file of the device's tree, sorted by path."""
    env = environment()
    planned = []
    for path, template, extra in _layout(d):
        text = env.get_template(template).render(d=d, path=path, **extra)
        planned.append(PlannedFile(path, text, GENERATED))
    stub_path = HOOKS_STUB.format(n=d.name)
    stub_text = next(p.text for p in planned if p.path == stub_path)
    lines = _definition_lines(stub_text)
    refs = tuple(HookRef(h.name, h.purpose, stub_path, lines[h.name]) for h in d.hooks)
    user_text = env.get_template("hooks_stubs.c.j2").render(d=d, path=HOOKS_USER.format(n=d.name), user_file=True)
    planned.append(PlannedFile(HOOKS_USER.format(n=d.name), user_text, USER, refs))
    return sorted(planned, key=lambda p: p.path)


_CALL = re.compile(r"(?:^| )([A-Za-z_][A-Za-z0-9_]*)\(")


def _definition_lines(text: str) -> dict:
    """1-based line where each `symbol(` of a stub file first appears outside a comment
    line (one pass over the file, whatever the number of hooks)."""
    lines: dict = {}
    for i, line in enumerate(text.splitlines(), 1):
        if not line.lstrip().startswith(("*", "/")):
            for symbol in _CALL.findall(line):
                lines.setdefault(symbol, i)
    return lines
