"""`rmgen compat`: the changes between two versions of a spec that break existing clients
or servers, found by comparing the two typed models (not the YAML).

A client built against the old spec sends the old command numbers and payload layouts
to the old path and calls the old C names. Anything it relies on that the new spec
changes is a break: one diagnostic each, located in the new spec and naming where the
old side was. Additions (new commands, new enum values, new types) are compatible.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from typing import List, Optional, Sequence, Set, Tuple

from rmgen import pipeline
from rmgen.diagnostics import Diagnostics, Location
from rmgen.loader import PathKey, Spec
from rmgen.typesys import PRIMITIVES

EXIT_OK, EXIT_BREAKS, EXIT_INVALID = 0, 1, 2
_STRICTER = {"any": 0, "read": 1, "write": 1, "read-write": 2}


class _Side:
    """One version: its loaded spec (for locations) and its model."""

    def __init__(self, spec: Spec, device):
        self.spec, self.d = spec, device

    def at(self, path: PathKey, key: bool = False) -> Location:
        return self.spec.loc(path, key=key)

    def where(self, path: PathKey, key: bool = False) -> str:
        loc = self.at(path, key)
        return f"{loc.file}:{loc.line}:{loc.col}"

    def index(self, section: PathKey, name: str) -> Optional[int]:
        """Position of the item called `name` in the list at `section`, e.g. ('devctl',)."""
        try:
            items = self.spec.value(section)
        except (KeyError, IndexError, TypeError):
            return None
        return next((i for i, item in enumerate(items) if item.get("name") == name), None)

    def devctl_path(self, name: str, key: str = "name") -> PathKey:
        i = self.index(("devctl",), name)
        return ("devctl",) if i is None else ("devctl", i, key)

    def field_path(self, struct: str, name: str, key: str = "name") -> PathKey:
        i = self.index(("types", struct, "fields"), name)
        return ("types", struct) if i is None else ("types", struct, "fields", i, key)

    def value_path(self, enum: str, name: str, key: str = "name") -> PathKey:
        i = self.index(("enums", enum, "values"), name)
        return ("enums", enum) if i is None else ("enums", enum, "values", i, key)

    def sets(self, path: PathKey) -> bool:
        """The spec sets a value at `path` (e.g. in its naming section)."""
        try:
            self.spec.value(path)
        except (KeyError, IndexError, TypeError):
            return False
        return True


def compare(old: _Side, new: _Side, diags: Diagnostics) -> List[str]:
    """Add a diagnostic per breaking change; returns the compatible additions, for people."""
    growth: List[str] = []
    o, n = old.d, new.d

    def add(id: str, new_path: PathKey, old_path: PathKey, key: bool = False, keys=None, **args) -> None:
        new_key, old_key = keys if keys is not None else (key, key)  # keys: each side its own
        diags.add(id, new.at(new_path, new_key), old=old.where(old_path, old_key), **args)

    if o.path != n.path:
        add("RM0090", ("device", "path"), ("device", "path"), new=n.path, was=o.path)
    if o.name != n.name:
        add("RM0091", ("device", "name"), ("device", "name"), new=n.name, was=o.name)
    new_cmds = {c.name: c for c in n.devctls}
    structs: Set[str] = set()
    for c in o.devctls:
        m = new_cmds.get(c.name)
        if m is None:
            add("RM0092", ("devctl",), old.devctl_path(c.name), key=True, name=c.name, macro=c.macro,
                dcmd=f"0x{c.dcmd_value:08x}")
            continue
        _command(c, m, old, new, add)
        for p in (c.inp, c.out):
            if p is not None:
                _reachable(o, p.ctype, structs)
    old_names = {c.name for c in o.devctls}
    for c in n.devctls:
        if c.name not in old_names:
            growth.append(f"new command '{c.name}' ({c.macro} = 0x{c.dcmd_value:08x})")
    _messages(old, new, add, growth, structs)
    enums: Set[str] = set()
    for s in sorted(structs):
        _struct(o.struct(s), _find(n.structs, s), old, new, add, enums)
    for c in o.devctls + list(o.messages.list if o.messages else ()):
        for p in (c.inp, c.out):
            if p is not None and p.ctype.kind == "enum":
                enums.add(p.ctype.name)
    for e in sorted(enums):
        _enum(o.enum(e), _find(n.enums, e), old, new, add, growth)
    if o.name == n.name:  # a new device name renames everything at once (RM0091)
        _c_names(old, new, add, structs, enums)
    return growth


def _c_names(old: _Side, new: _Side, add, structs: Set[str], enums: Set[str]) -> None:
    """What client code writes: command macros, the payload types' names and tags, enum
    constants (set by `naming`, or derived), and how client functions take scalar inputs.
    A change no longer compiles. Located at the naming entry that sets it, else the item."""
    def named(side: _Side, paths: Sequence[PathKey], item: PathKey) -> PathKey:
        return next((p for p in paths if side.sets(p)), item)

    def renamed(what, name, now, was, paths, new_item, old_item, id="RM0109"):
        if now != was:
            n, o = named(new, paths, new_item), named(old, paths, old_item)
            add(id, n, o, keys=(n[0] != "naming", o[0] != "naming"), what=what, name=name, new=now, was=was)

    new_cmds = {c.name: c for c in new.d.devctls}
    for c in old.d.devctls:
        m = new_cmds.get(c.name)
        if m is not None:
            at = new.devctl_path(c.name), old.devctl_path(c.name)
            renamed("command", c.name, m.macro, c.macro, [("naming", "devctl_prefix")], *at)
            if c.inp is not None and m.inp is not None:
                renamed("client function", c.name, _passing(m), _passing(c), [("naming", "scalars")], *at, id="RM0110")
    for section, names, find in (("types", structs, lambda d, x: _find(d.structs, x)),
                                 ("enums", enums, lambda d, x: _find(d.enums, x))):
        for name in sorted(names):
            a, b = find(old.d, name), find(new.d, name)
            if a is None or b is None:
                continue  # reported as a retyped payload or field
            at = (section, name), (section, name)
            renamed("type", name, b.ctype, a.ctype, [("naming", section, name, "type")], *at)
            renamed("type", name, b.tag, a.tag, [("naming", section, name, "tag")], *at)
            if section == "enums":
                consts = {v.name: v.const for v in b.values}
                for v in a.values:
                    if v.name in consts:
                        paths = [("naming", "enums", name, "constants", v.name), ("naming", "enums", name, "prefix")]
                        renamed("enum value", f"{name}.{v.name}", consts[v.name], v.const, paths,
                                new.value_path(name, v.name), old.value_path(name, v.name))


def _passing(c) -> str:
    """How the client function of command c takes its input."""
    return "by value" if c.in_by_value else "by pointer"


def _find(items, name):
    return next((x for x in items if x.name == name), None)


def _reachable(device, ctype, out: Set[str]) -> None:
    """Structs a payload of type `ctype` contains, directly or nested."""
    if ctype.kind == "struct" and ctype.name not in out:
        out.add(ctype.name)
        for m in device.struct(ctype.name).members:
            if m.ctype is not None:
                _reachable(device, m.ctype, out)


def _command(c, m, old: _Side, new: _Side, add) -> None:
    """One devctl present in both versions."""
    name = c.name
    if (c.class_value, c.code) != (m.class_value, m.code):
        key = "code" if c.code != m.code else "class"
        add("RM0093", new.devctl_path(name, key), old.devctl_path(name, key), name=name,
            new=f"class 0x{m.class_value:02x} code 0x{m.code:02x}",
            was=f"class 0x{c.class_value:02x} code 0x{c.code:02x}")
    if c.direction != m.direction:
        add("RM0094", new.devctl_path(name), old.devctl_path(name), name=name, new=m.direction, was=c.direction)
    for label, p, q in (("in", c.inp, m.inp), ("out", c.out, m.out)):
        if p is None or q is None:
            continue  # a payload that appeared or went away: the direction changed (RM0094)
        if p.ctype.spec != q.ctype.spec or p.ctype.size != q.ctype.size:
            add("RM0095", new.devctl_path(name, label), old.devctl_path(name, label), name=name, which=label,
                new=f"{q.ctype.spec} ({q.ctype.size} bytes)", was=f"{p.ctype.spec} ({p.ctype.size} bytes)")
    if _STRICTER[m.access] > _STRICTER[c.access] or {c.access, m.access} == {"read", "write"}:
        add("RM0096", new.devctl_path(name, "access"), old.devctl_path(name, "access"), name=name,
            new=m.access_text, was=c.access_text)
    if m.privileged and not c.privileged:
        add("RM0107", new.devctl_path(name), old.devctl_path(name), what="devctl", name=name)


def _messages(old: _Side, new: _Side, add, growth: List[str], structs: Set[str]) -> None:
    """Custom messages: the manager id, and each message of the old side (its subtype,
    payloads, access and privilege); new messages are growth."""
    o, n = old.d.messages, new.d.messages
    if o is None:
        growth += [f"new message '{m.name}' ({m.macro} = {m.subtype})" for m in (n.list if n else ())]
        return
    base = ("messages", "subtypes")

    def path(side: _Side, name: str, key: str = "name") -> PathKey:
        i = side.index(base, name)
        return base if i is None else base + (i, key)

    if n is not None and n.mgrid != o.mgrid:
        add("RM0108", ("messages", "manager"), ("messages", "manager"), key=True,
            new=f"0x{n.mgrid:04x}", was=f"0x{o.mgrid:04x}")
    now = {m.name: m for m in (n.list if n else ())}
    for c in o.list:
        m = now.get(c.name)
        if m is None:
            add("RM0103", ("messages",) if n is None else base, path(old, c.name), key=True, name=c.name,
                macro=c.macro, subtype=c.subtype)
            continue
        if m.subtype != c.subtype:
            add("RM0104", path(new, c.name, "subtype"), path(old, c.name, "subtype"), name=c.name,
                new=m.subtype, was=c.subtype)
        for label, p, q in (("in", c.inp, m.inp), ("out", c.out, m.out)):
            if p is not None:
                _reachable(old.d, p.ctype, structs)
            shown = [f"{x.ctype.spec} ({x.ctype.size} bytes)" if x else "none" for x in (q, p)]
            if (p is None) != (q is None) or (p and (p.ctype.spec != q.ctype.spec or p.ctype.size != q.ctype.size)):
                at = label if q is not None else "name"
                add("RM0105", path(new, c.name, at), path(old, c.name, label if p is not None else "name"),
                    name=c.name, which=label, new=shown[0], was=shown[1])
        if _STRICTER[m.access] > _STRICTER[c.access] or {c.access, m.access} == {"read", "write"}:
            add("RM0106", path(new, c.name, "access"), path(old, c.name, "access"), name=c.name,
                new=m.access_text, was=c.access_text)
        if m.privileged and not c.privileged:
            add("RM0107", path(new, c.name), path(old, c.name), what="message", name=c.name)
    known = {c.name for c in o.list}
    growth += [f"new message '{m.name}' ({m.macro} = {m.subtype})" for m in now.values() if m.name not in known]


def _struct(s, t, old: _Side, new: _Side, add, enums: Set[str]) -> None:
    """A payload struct (or one nested in a payload) in both versions."""
    if t is None:
        return  # the payload's type name changed: reported by RM0095
    fields = {m.name: m for m in t.members if not m.is_padding}
    for m in s.members:
        if m.is_padding:
            continue
        if m.ctype.kind == "enum":
            enums.add(m.ctype.name)
        f = fields.get(m.name)
        if f is None:
            add("RM0097", ("types", s.name, "fields"), old.field_path(s.name, m.name), key=True,
                struct=s.name, name=m.name, type=m.ctype.spec)
            continue
        changes = []
        if f.ctype.spec != m.ctype.spec or f.size != m.size:
            changes.append(f"type {f.ctype.spec} ({f.size} bytes), was {m.ctype.spec} ({m.size} bytes)")
        if f.offset != m.offset:
            changes.append(f"offset {f.offset}, was {m.offset}")
        was, now = _bounds(s, m), _bounds(t, f)
        narrower = t.is_input and f.ctype.spec == m.ctype.spec and (now[0] > was[0] or now[1] < was[1])
        if narrower:  # values old clients send are refused now
            changes.append(f"accepts {now[0]}..{now[1]}, was {was[0]}..{was[1]}")
        if changes:
            key = "type" if f.ctype.spec != m.ctype.spec else "name"
            if narrower and len(changes) == 1:
                key = "max" if now[1] < was[1] else "min"
            add("RM0098", new.field_path(s.name, m.name, key), old.field_path(s.name, m.name, key),
                struct=s.name, name=m.name, changes="; ".join(changes))


def _bounds(struct, member) -> Tuple[int, int]:
    """(lo, hi) a field's checks allow: its min/max, else its type's own limits."""
    c = next((c for c in struct.checks if c.field == member.name and c.kind == "range"), None)
    p = PRIMITIVES.get(member.ctype.name)
    lo = c.lo if c is not None and c.lo is not None else (p.min if p else 0)
    hi = c.hi if c is not None and c.hi is not None else (p.max if p else 0)
    return lo, hi


def _enum(e, f, old: _Side, new: _Side, add, growth: List[str]) -> None:
    """An enum a payload uses, in both versions."""
    if f is None:
        return  # the field's type name changed: reported by RM0098
    values = {v.name: v for v in f.values}
    for v in e.values:
        w = values.get(v.name)
        if w is None:
            add("RM0099", ("enums", e.name, "values"), old.value_path(e.name, v.name), key=True,
                enum=e.name, name=v.name, what=f"removed (it was {v.value})")
        elif w.value != v.value:
            add("RM0099", new.value_path(e.name, v.name, "value"), old.value_path(e.name, v.name, "value"),
                enum=e.name, name=v.name, what=f"now {w.value}, was {v.value}")
    known = {v.name for v in e.values}
    growth += [f"new value '{e.name}.{v.name}' = {v.value}" for v in f.values if v.name not in known]


def run(old_path: str, new_path: str, old_display: Optional[str] = None) -> int:
    """Compare two spec files; print diagnostics and a summary; returns the exit status."""
    diags = Diagnostics()
    old = pipeline.load_model(old_path, diags, display=old_display)
    new = pipeline.load_model(new_path, diags)
    if old is None or new is None:
        sys.stderr.write(diags.render())
        return EXIT_INVALID
    growth = compare(_Side(*old), _Side(*new), diags)
    sys.stderr.write(diags.render())
    shown_old = old_display or old_path
    if diags.has_errors:
        print(f"rmgen: {new_path} breaks clients or servers built from {shown_old}: "
              f"{len(diags)} incompatible change" + ("" if len(diags) == 1 else "s"), file=sys.stderr)
        return EXIT_BREAKS
    what = "; ".join(growth) if growth else "no interface change"
    print(f"rmgen: {new_path} is compatible with {shown_old} ({what})", file=sys.stderr)
    return EXIT_OK


def main_against(rev: str, path: str) -> int:
    """Compare `path` with the same file as committed in git revision `rev`."""
    diags = Diagnostics()
    text = _git_show(rev, path, diags)
    if text is None:
        sys.stderr.write(diags.render())
        return EXIT_INVALID
    with tempfile.TemporaryDirectory() as tmp:
        old = os.path.join(tmp, "old.yaml")
        with open(old, "wb") as fh:
            fh.write(text)
        return run(old, path, old_display=f"{rev}:{path}")


def _git_show(rev: str, path: str, diags: Diagnostics) -> Optional[bytes]:
    """`git show REV:./path` run in the spec's folder (so any current directory works)."""
    folder, name = os.path.split(os.path.abspath(path))
    try:
        r = subprocess.run(["git", "show", f"{rev}:./{name}"], cwd=folder, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        diags.add("RM0084", Location(path), rev=rev, reason=str(e))
        return None
    if r.returncode != 0:
        reason = r.stderr.decode("utf-8", "replace").strip().splitlines()
        diags.add("RM0084", Location(path), rev=rev, reason=reason[-1] if reason else f"git exited {r.returncode}")
        return None
    return r.stdout
