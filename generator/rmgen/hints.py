"""Hints for the mistakes every new spec writer makes.

Two are YAML quoting: a ': ' or a ',' inside an unquoted value (typically a doc line),
which YAML reads as structure, so the parser's own message ("mapping values are not
allowed here", "unknown key") misleads. The third is a C type name where a spec type
belongs (uint8_t, int, unsigned).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # the loader imports this module
    from rmgen.loader import PathKey, Spec

_COLON_PROBLEMS = ("mapping values are not allowed here", "expected ',' or '}', but got ':'")
_KEY_BEFORE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):\s+[^:]*$")


def colon(source: str, col: int, problem: str) -> Optional[dict]:
    """RM0083 arguments when the YAML error at 1-based `col` of `source` is a ': ' inside
    a plain value, else None."""
    i = col - 1
    if problem not in _COLON_PROBLEMS or source[i:i + 1] != ":":
        return None
    m = _KEY_BEFORE.search(source[:i])
    if m is None:
        return None
    start = m.end(1) + 1
    flow = "{" in source[:m.start()]
    rest = source[i:]
    end = i + (min((rest.find(c) for c in ",}" if c in rest), default=len(rest)) if flow
               else (rest.find(" #") if " #" in rest else len(rest)))
    text = source[start:end].strip()
    return {"key": m.group(1), "value": f"'{text}'", "text": text.replace('"', '\\"')}


def comma(spec: "Spec", path: "PathKey", key: str) -> str:
    """For an unknown key with no value right after a ',' inside {...}: the quoting hint."""
    loc = spec.loc(path + (key,), key=True)
    if spec.value(path).get(key) is not None or not loc.line:
        return ""
    before = loc.source[: loc.col - 1].rstrip()
    m = re.search(r"([A-Za-z_][A-Za-z0-9_]*):\s*([^,{}]*),$", before)
    if m is None or "{" not in before:
        return ""
    name, text = m.group(1), f"{m.group(2).strip()}, {key}"
    return f"; a ',' ends a value inside {{...}}: if '{key}' belongs to {name}, quote it: {name}: \"{text}\""


C_TYPES = {  # C and other spellings of the built-in types
    **{f"{s}int{n}{t}": f"{'u' if s else 'i'}{n}" for s in ("", "u") for n in (8, 16, 32, 64)
       for t in ("", "_t")},
    "char": "char[N]", "int": "i32", "signed": "i32", "unsigned": "u32", "short": "i16",
    "long": "i64", "byte": "u8", "uchar": "u8", "ushort": "u16", "uint": "u32", "ulong": "u64",
    "_bool": "bool", "boolean": "bool", "size_t": "u64", "string": "char[N]", "str": "char[N]",
}


def c_type(name: str) -> str:
    """`; did you mean 'u8'?` for a C spelling such as uint8_t, int or unsigned, else ''."""
    spec = C_TYPES.get(name.lower())
    return f"; did you mean '{spec}'? (spec types are u8 u16 u32 u64 i8 i16 i32 i64 bool char[N])" if spec else ""
