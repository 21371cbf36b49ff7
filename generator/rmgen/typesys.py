"""Payload types: parsing type references and computing C layouts.

One place decides how a spec type maps to C: its storage type, size, alignment and, for
structs, the offset of every field and the explicit padding that makes the layout the
same on every QNX ABI (32- and 64-bit, x86 and ARM). Validation uses it for the 16383-byte
devctl limit; the model uses it for everything the templates print.
"""
from __future__ import annotations

import re
from typing import Dict, List, Mapping, Optional, Tuple

import msgspec

MAX_DEVCTL_PAYLOAD = 0x3FFF  # the 14-bit size field of a dcmd
MAX_ARRAY = 16383
MAX_STRUCT_DEPTH = 32        # structs inside structs, the outermost counted
MAX_DEVCTLS = 1024           # commands in one spec (256 codes in each class)

# devctl command classes by spec name -> the value of QNX's _DCMD_<NAME> (<devctl.h>)
DCMD_CLASSES: Dict[str, int] = {
    "all": 0x01, "fsys": 0x02, "chr": 0x03, "net": 0x04, "misc": 0x05, "ip": 0x06,
    "mixer": 0x07, "proc": 0x08, "mem": 0x09, "input": 0x0A, "cam": 0x0C, "usb": 0x0D,
    "media": 0x0E,
}


class Primitive(msgspec.Struct, frozen=True):
    """A fixed-width scalar."""

    name: str
    ctype: str
    size: int
    signed: bool
    is_bool: bool = False

    @property
    def min(self) -> int:
        return -(1 << (8 * self.size - 1)) if self.signed else 0

    @property
    def max(self) -> int:
        if self.is_bool:
            return 1
        return (1 << (8 * self.size - 1)) - 1 if self.signed else (1 << (8 * self.size)) - 1


PRIMITIVES: Dict[str, Primitive] = {
    p.name: p
    for p in (
        Primitive("u8", "uint8_t", 1, False),
        Primitive("u16", "uint16_t", 2, False),
        Primitive("u32", "uint32_t", 4, False),
        Primitive("u64", "uint64_t", 8, False),
        Primitive("i8", "int8_t", 1, True),
        Primitive("i16", "int16_t", 2, True),
        Primitive("i32", "int32_t", 4, True),
        Primitive("i64", "int64_t", 8, True),
        Primitive("bool", "uint8_t", 1, False, is_bool=True),
    )
}

ENUM_BASES = ("u8", "u16", "u32", "i8", "i16", "i32")

_TYPEREF = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[\s*([0-9]+)\s*\])?\s*$")


class TypeRef(msgspec.Struct, frozen=True):
    """A parsed type string: `name` or `name[count]` (count None for a scalar)."""

    name: str
    count: Optional[int] = None

    @property
    def is_char_string(self) -> bool:
        return self.name == "char" and self.count is not None

    def __str__(self) -> str:
        return self.name if self.count is None else f"{self.name}[{self.count}]"


def parse_typeref(text: object) -> Optional[TypeRef]:
    """Parse `u32`, `char[16]`, `sample[4]`; None if it is not of that form."""
    if not isinstance(text, str):
        return None
    m = _TYPEREF.match(text)
    if not m:
        return None
    count = int(m.group(2)) if m.group(2) is not None else None
    return TypeRef(m.group(1), count)


def align_up(n: int, a: int) -> int:
    return (n + a - 1) // a * a


def payload_size(*shapes: "Shape") -> int:
    """Bytes a devctl payload takes: one type's size, or the C union of in and out (the
    larger size rounded up to the stricter alignment)."""
    return align_up(max(s.size for s in shapes), max(s.align for s in shapes))


class Shape(msgspec.Struct, frozen=True):
    """Size and alignment of a type."""

    size: int
    align: int


class FieldSlot(msgspec.Struct, frozen=True):
    """Where one struct member sits: a real field, or explicit padding."""

    name: str
    ref: Optional[TypeRef]  # None for padding
    offset: int
    size: int


class TypeTable:
    """Sizes and layouts of the types declared in a (validated) spec.

    `structs` maps a struct name to its list of (field name, TypeRef); `enums` maps an
    enum name to its base primitive name. References must already be known to resolve
    and be acyclic (validation checks both first).
    """

    def __init__(self, structs: Mapping[str, List[Tuple[str, TypeRef]]], enums: Mapping[str, str]):
        self.structs = structs
        self.enums = enums
        self._shapes: Dict[str, Shape] = {}
        self._layouts: Dict[str, List[FieldSlot]] = {}

    def kind(self, name: str) -> str:
        """'char', 'primitive', 'enum', 'struct' or 'unknown'."""
        if name == "char":
            return "char"
        if name in PRIMITIVES:
            return "primitive"
        if name in self.enums:
            return "enum"
        if name in self.structs:
            return "struct"
        return "unknown"

    def element_shape(self, name: str) -> Shape:
        kind = self.kind(name)
        if kind == "char":
            return Shape(1, 1)
        if kind == "primitive":
            p = PRIMITIVES[name]
            return Shape(p.size, p.size)
        if kind == "enum":
            p = PRIMITIVES[self.enums[name]]
            return Shape(p.size, p.size)
        if kind == "struct":
            return self.struct_shape(name)
        raise KeyError(name)

    def shape(self, ref: TypeRef) -> Shape:
        el = self.element_shape(ref.name)
        return Shape(el.size * (ref.count or 1), el.align)

    def struct_shape(self, name: str) -> Shape:
        if name not in self._shapes:
            self.layout(name)
        return self._shapes[name]

    def layout(self, name: str) -> List[FieldSlot]:
        """Members of struct `name` in order, with explicit padding slots.

        Each field sits at its natural alignment (a u64 at a multiple of 8 even on 32-bit
        x86, where the compiler alone would use 4), and the struct is padded at the end to
        a multiple of its alignment, so every ABI sees the same bytes.
        """
        if name in self._layouts:
            return self._layouts[name]
        slots: List[FieldSlot] = []
        offset, align, pads = 0, 1, 0
        for fname, ref in self.structs[name]:
            sh = self.shape(ref)
            aligned = align_up(offset, sh.align)
            if aligned != offset:
                slots.append(FieldSlot(f"_pad{pads}", None, offset, aligned - offset))
                pads += 1
            slots.append(FieldSlot(fname, ref, aligned, sh.size))
            offset = aligned + sh.size
            align = max(align, sh.align)
        end = align_up(offset, align)
        if end != offset:
            slots.append(FieldSlot(f"_pad{pads}", None, offset, end - offset))
        self._layouts[name] = slots
        self._shapes[name] = Shape(end, align)
        return slots

    def sizeof(self, ref: TypeRef) -> int:
        return self.shape(ref).size
