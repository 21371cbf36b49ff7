"""The `naming` section: C names set in full, so that an existing interface header can be
reproduced name for name (devctl macro prefix, enum constants, enum and struct type names)
and scalar inputs passed by value in the client functions.

`Naming` answers "which C name does this spec name get" for the model and the collision
check alike; `check()` refuses names that do not resolve or clash with C, POSIX or QNX.
"""
from __future__ import annotations

import re
from typing import Dict, Optional

from rmgen import names, schema
from rmgen.diagnostics import did_you_mean

UPPER_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")   # a constant or macro prefix set in full


class Naming:
    """The C names of one spec: the `naming` section where it sets them, else rmgen's."""

    def __init__(self, spec: dict):
        self.device = spec["device"]["name"]
        n = spec.get("naming") or {}
        self.dcmd_prefix: str = n.get("devctl_prefix", names.dcmd_prefix(self.device))
        self.by_value: bool = n.get("scalars", schema.default("naming", "scalars")) == "by-value"
        self.enums: Dict[str, dict] = n.get("enums") or {}
        self.types: Dict[str, dict] = n.get("types") or {}

    def dcmd_macro(self, devctl: str) -> str:
        """THERMO_DCMD_GET_SAMPLE, or the prefix the spec sets + GET_SAMPLE."""
        return self.dcmd_prefix + devctl.upper()

    def enum_constant(self, enum: str, value: str) -> str:
        """THERMO_UNIT_CELSIUS; the spec may set the prefix or the whole name."""
        given = self.enums.get(enum, {})
        if value in given.get("constants", {}):
            return given["constants"][value]
        return given.get("prefix", names.enum_prefix(self.device, enum)) + value.upper()

    def type_name(self, section: str, name: str) -> str:
        """thermo_sample_t: the typedef of an enum (section 'enums') or struct ('types')."""
        return self._section(section).get(name, {}).get("type", names.typedef(self.device, name))

    def tag(self, section: str, name: str) -> str:
        """thermo_sample: the tag after `enum`/`struct`."""
        return self._section(section).get(name, {}).get("tag", f"{self.device}_{name}")

    def _section(self, section: str) -> Dict[str, dict]:
        return self.enums if section == "enums" else self.types


def check(c) -> None:
    """Every name `naming` sets refers to something that exists, and every C name it makes
    is usable: `c` is the checks._Checker (collisions with generated names are its job)."""
    n = c.d.get("naming", {})
    naming = Naming(c.d)
    if "devctl_prefix" in n:
        made = [naming.dcmd_macro(d["name"]) for d in c.devctls]
        _usable(c, ("naming", "devctl_prefix"), made, "macro")
    for section, what in (("enums", "an enum"), ("types", "a struct type")):
        defined = c.d.get(section, {})
        for name, given in n.get(section, {}).items():
            at = ("naming", section, name)
            if name not in defined:
                c.add("RM0072", at, at_key=True, name=name, what=what, section=section,
                      hint=did_you_mean(name, defined))
                continue
            for key in ("type", "tag"):
                if key in given:
                    _usable(c, at + (key,), [given[key]], key)
            values = [v["name"] for v in defined[name].get("values", [])]
            consts = given.get("constants", {})
            if "prefix" in given:
                _usable(c, at + ("prefix",), [naming.enum_constant(name, v) for v in values if v not in consts],
                        "macro")
            for value, const in consts.items():
                if value not in values:
                    c.add("RM0073", at + ("constants", value), at_key=True, value=value, enum=name,
                          hint=did_you_mean(value, values))
                else:
                    _usable(c, at + ("constants", value), [const], "macro")


def _usable(c, path, made, kind: str) -> None:
    """The C names `made` from the value at `path` (a name set in full, or each name a
    prefix makes) are no keyword, not reserved, and not a system header's; the first
    that is one is reported."""
    for name in made:
        why = _reserved(name, kind)
        if why:
            c.add("RM0074", path, name=name, why=why)
            return
        why = names.system_name_problem(name, kind)
        if why:
            c.add("RM0075", path, name=name, why=why)
            return


def _reserved(name: str, kind: str) -> Optional[str]:
    """Why C or rmgen's rules keep `name` from this use, or None."""
    if name in names.C_KEYWORDS:
        return "it is a C keyword"
    if kind == "type" and not (name.endswith("_t") or name != name.lower()):
        return ("a type name set in full must end in _t or hold an upper-case letter, so that "
                "it cannot be one of the generated code's variables (in, out, msg, status, ...)")
    return None
