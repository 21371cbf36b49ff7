"""`rmgen doc` and NAME/INTERFACE.md: the interface reference of a device, in Markdown.

The layout is the template interface.md.j2; this module holds the Markdown escaping
(every spec value goes through `md` or `code`) and the command.
"""
from __future__ import annotations

import re
import sys
from typing import List, Tuple

from rmgen import escape, pipeline
from rmgen.diagnostics import Diagnostics

_BLOCK_START = re.compile(r"^(\d*)([+=-]|(?<=\d)[.)])")  # would start a list or heading rule (escape.markdown has escaped ">")


def md(text: object) -> str:
    """Spec text as Markdown that shows literally, safe in a table cell: one line, inline
    markup escaped (escape.markdown), and nothing that would start a block."""
    return _BLOCK_START.sub(r"\1\\\2", escape.markdown(" ".join(str(text).split())))


def code(text: object) -> str:
    """`text` as an inline code span, safe in a table cell (`|` escaped, which GitHub
    tables require even in code)."""
    return escape.markdown_code(" ".join(str(text).split()).replace("|", "\\|"))


def errors(c) -> List[Tuple[str, str]]:
    """(errno, when) a client can get from devctl `c`, besides what its hook returns."""
    out = []
    if c.access_flags:
        out.append(("EPERM", f"the fd is not {c.access_text}"))
    if c.inp:
        out.append(("EBADMSG", "the message holds fewer payload bytes than the command's size"))
    if c.inp and c.inp.check_fn:
        out.append(("EINVAL", "a field of the payload is outside what the spec allows"))
    if c.blocking:
        out += [("EAGAIN", "there is no answer yet and the fd is O_NONBLOCK"),
                ("EINTR", "a signal or a timeout (TimerTimeout()) ended the wait"),
                ("EBADF", "the fd was closed while the call waited"),
                ("EBUSY", "as many calls as the server holds for it already wait (64 unless the server was built with another _HELD_MAX)")]
    return out


def render(device, command: str) -> str:
    """The reference of `device` (a model.Device), as printed by `command`."""
    from rmgen import render as r
    return r.environment().get_template("interface.md.j2").render(d=device, path="INTERFACE.md",
                                                                   errors=errors, command=command)


def main(path: str) -> int:
    diags = Diagnostics()
    loaded = pipeline.load_model(path, diags)
    sys.stderr.write(diags.render())
    if loaded is None:
        return 2
    sys.stdout.write(render(loaded[1], f"rmgen doc {path}"))
    return 0
