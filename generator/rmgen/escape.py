"""Spec text into generated files: one escaping function per output language.

What the schema lets through (docs/spec-format.md, "Text in generated files"): names are
C identifiers, device.path uses a small safe alphabet, and summary/doc strings are single
lines without control or bidirectional-formatting characters (FORBIDDEN). The rest of
what a text may hold is made harmless here, for the place it lands in; render.py
registers these as Jinja filters of the same names.
"""
from __future__ import annotations

import re
from typing import Optional

# Characters never written into a generated file: C0/C1 controls, DEL, line and paragraph
# separators, and the bidirectional marks and overrides (Trojan Source, CVE-2021-42574).
# Written as `re` escapes: the schema's patterns hold the same text (JSON-decoded).
FORBIDDEN = r"\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
_FORBIDDEN = re.compile(f"[{FORBIDDEN}]")
_MAKE_SAFE = re.compile(r"[^A-Za-z0-9 .,:_+/=@-]")


def forbidden(text: str) -> Optional[str]:
    """`U+000A` for the first character no generated file may hold, or None."""
    m = _FORBIDDEN.search(text)
    return f"U+{ord(m.group()):04X}" if m else None


def c_comment(text: str) -> str:
    """Text inside a C comment or the `#ifdef __USAGE` block: cannot end or open a comment
    (`*/`, `/*`) nor form a trigraph (`??/` is a backslash under -std=c99)."""
    return text.replace("*/", "* /").replace("/*", "/ *").replace("??", "? ?")


def c_usage(text: str) -> str:
    """Text in the `#ifdef __USAGE` block, which the compiler skips but still splits into
    tokens: as c_comment, and quotes become backticks (a lone ' or " would be an
    unterminated literal, an error under -pedantic -Werror)."""
    return c_comment(text).replace("'", "`").replace('"', "`")


def c_string(text: str) -> str:
    """A C string literal (quotes included) holding the UTF-8 bytes of `text`: printable
    ASCII as itself, `\\`, `"` and `?` escaped, every other byte as a 3-digit octal escape."""
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if ch in '\\"?':
            out.append("\\" + ch)
        elif 0x20 <= byte < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def make_text(text: str) -> str:
    """A make variable value that QNX's make files also hand to the shell: letters, digits,
    spaces and `.,:_+/=@-` kept, any other character (`$`, `#`, quotes, `;`, ...) as `_`."""
    return _MAKE_SAFE.sub("_", text)


def markdown(text: str) -> str:
    """Inline Markdown text: the characters that start emphasis, links, HTML, code, tables
    or a heading's closing sequence are backslash-escaped."""
    return re.sub(r"([\\`*_\[\]<>&|~!#])", r"\\\1", text)


def markdown_code(text: str) -> str:
    """A Markdown code span around `text`: a backtick fence longer than any run inside."""
    fence = "`" * (max((len(r) for r in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def html_comment(text: str) -> str:
    """Text inside an HTML comment (README banner): `--` could end it."""
    while "--" in text:
        text = text.replace("--", "- -")
    return text
