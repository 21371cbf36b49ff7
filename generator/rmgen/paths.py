"""Several paths in one server: roles, their numbered instances, and devctl roles.

The typed model of the spec's top-level `paths:` list and `devctl[].roles`, and the
semantic rules on them. Every path has its own iofunc attribute (mode, lock, role) and
points at the one device all paths share; model.py attaches a `Paths` to the Device
(None without `paths:`, which keeps the single-path output unchanged) and
templates/parts/paths*.j2 lay it out.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

import msgspec

from rmgen import names, naming, schema
from rmgen.diagnostics import did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from rmgen.model import Devctl, Device, Enum

MAX_PATHS = 256            # paths in all, every role's instances counted
MAX_ROLES = 32             # a command's roles are bits of a uint32_t (the command table)
ACCESS = {"read-only": (True, False), "write-only": (False, True), "read-write": (True, True), "none": (False, False)}
OPEN_FLAG = {"read-only": "O_RDONLY", "write-only": "O_WRONLY", "read-write": "O_RDWR", "none": "O_RDONLY"}


class Role(msgspec.Struct, frozen=True):
    name: str
    const: str               # CAN_ROLE_RX: the value of path->role
    macro: str               # CAN_RX: prefix of CAN_RX_COUNT, CAN_RX_FIRST, CAN_RX_PATH
    stem: str                # the path's name before its number ("rx")
    count: Optional[int]     # numbered instances, or None for one path without a number
    first: int
    under: bool              # base + "/" + stem (True) or base + stem (False)
    access: str              # what read()/write() may do here
    readable: bool
    writable: bool
    mode: int
    io_bits: str             # path->io: "CAN_PATH_READ | CAN_PATH_WRITE", or "0"
    doc: str

    @property
    def prefix(self) -> str:
        """What follows the base path before the number: "/rx" or "rx"."""
        return ("/" if self.under else "") + self.stem

    @property
    def mode_octal(self) -> str:
        return f"0{self.mode:03o}"

    @property
    def open_flag(self) -> str:
        """The O_* mode that opens these paths for everything they allow."""
        return OPEN_FLAG[self.access]


class Path(msgspec.Struct, frozen=True):
    role: Role
    number: Optional[int]    # instance number (path->index), None without count
    position: int            # index in the server's path table

    @property
    def suffix(self) -> str:
        """Appended to the base path (-p): "/rx0"."""
        return self.role.prefix + ("" if self.number is None else str(self.number))

    @property
    def index(self) -> int:
        return 0 if self.number is None else self.number


class SharedState(msgspec.Struct, frozen=True):
    """A state field one command sets on one path and another reads on a different path
    (the host test's proof that every path sees the same device)."""

    setter: "Devctl"
    getter: "Devctl"
    set_path: Path
    get_path: Path
    value: str               # C constant, different from the field's default


class Paths(msgspec.Struct, frozen=True):
    roles: Tuple[Role, ...]
    paths: Tuple[Path, ...]
    path_t: str              # can_path_t: the extended attribute of one path
    role_t: str              # can_role_t
    count_macro: str         # CAN_NPATHS

    def path_of(self, role: str) -> Path:
        """The first path of a role."""
        return next(p for p in self.paths if p.role.name == role)

    def takes(self, c: "Devctl", role: Role) -> bool:
        return not c.roles or role.const in c.roles

    @property
    def test_path(self) -> Path:
        """Where the generic host tests run: the first path that can read, else the first."""
        return next((p for p in self.paths if p.role.readable), self.paths[0])


def build(spec: dict, prefix: str) -> Optional[Paths]:
    """The Paths of a validated spec, or None without `paths:`."""
    if not spec.get("paths"):
        return None
    up = names.macro(prefix)
    io = spec.get("io") or {}
    kind = io.get("kind", schema.default("io", "kind"))
    default_access = "none" if kind == "none" else io.get("access", schema.default("io", "access"))
    default_mode = spec["device"].get("mode", schema.default("device", "mode"))
    roles, paths = [], []
    for r in spec["paths"]:
        access = r.get("access", default_access)
        readable, writable = ACCESS[access]
        role = Role(r["role"], f"{up}_ROLE_{r['role'].upper()}", f"{up}_{r['role'].upper()}",
                    r.get("name", r["role"]), r.get("count"), r.get("first", schema.default("paths", "first")),
                    r.get("under", schema.default("paths", "under")), access, readable, writable,
                    int(r.get("mode", default_mode), 8),
                    " | ".join([f"{up}_PATH_READ"] * readable + [f"{up}_PATH_WRITE"] * writable) or "0",
                    r.get("doc", ""))
        roles.append(role)
        numbers = [None] if role.count is None else range(role.first, role.first + role.count)
        paths += [Path(role, n, len(paths) + i) for i, n in enumerate(numbers)]
    return Paths(tuple(roles), tuple(paths), f"{prefix}_path_t", f"{prefix}_role_t", f"{up}_NPATHS")


def devctl_roles(d: dict, prefix: str) -> Tuple[str, ...]:
    """The role constants a devctl is restricted to (empty: every path takes it)."""
    return tuple(f"{names.macro(prefix)}_ROLE_{r.upper()}" for r in d.get("roles") or [])


def shared_state(p: Paths, devctls: List["Devctl"], enums: Dict[str, "Enum"]) -> Optional[SharedState]:
    """A scalar state field set through one path and read back through another, if any."""
    for s in devctls:
        if not (s.state and s.inp and s.state.ctype.count is None and s.state.ctype.kind in ("primitive", "enum")):
            continue
        for g in devctls:
            if not (g.out and g.state and g.state.name == s.state.name):
                continue
            pairs = [(a, b) for a in p.paths for b in p.paths
                     if a is not b and p.takes(s, a.role) and p.takes(g, b.role)]
            if pairs:
                return SharedState(s, g, pairs[0][0], pairs[0][1], _test_value(s.state, enums))
    return None


def _test_value(f, enums: Dict[str, "Enum"]) -> str:
    """A value for the field that differs from its default and passes the input checks."""
    ct = f.ctype
    if ct.kind == "enum":
        values = enums[ct.name].values
        return next((v.const for v in reversed(values) if f.init not in (v.const, str(v.value))), values[0].const)
    if ct.name == "bool":
        return "0" if f.init == "1" else "1"
    lo = 91 if f.lo is None else f.lo
    hi = lo + 1 if f.hi is None else f.hi
    default = int(f.init.rstrip("UL")) if f.init and f.init.rstrip("UL").lstrip("-").isdigit() else 0
    return str(lo if lo != default else hi)


def test_view(d: "Device") -> "Device":
    """The device as the generic host tests see it on Paths.test_path: the io its role
    allows and the commands it takes (the paths test part checks every other path)."""
    if d.paths is None:
        return d
    role = d.paths.test_path.role
    io = msgspec.structs.replace(d.io, readable=d.io.readable and role.readable,
                             writable=d.io.writable and role.writable)
    blocking = d.blocking
    if blocking and not io.writable:
        blocking = msgspec.structs.replace(blocking, holds_writes=False, room_ready=None, writable_hook=None)
    devctls = [c for c in d.devctls if d.paths.takes(c, role)]
    inputs = _input_structs(d, [c.inp.ctype.name for c in devctls if c.inp and c.inp.ctype.kind == "struct"])
    structs = [msgspec.structs.replace(s, is_input=s.name in inputs) for s in d.structs]
    return msgspec.structs.replace(d, io=io, blocking=blocking, devctls=devctls, structs=structs)


def _input_structs(d: "Device", roots: List[str]) -> set:
    """The structs clients send through these commands, nested ones included."""
    seen: set = set()
    while roots:
        name = roots.pop()
        if name not in seen:
            seen.add(name)
            roots += [m.ctype.name for m in d.struct(name).members if m.ctype and m.ctype.kind == "struct"]
    return seen


def check(c) -> None:
    """Rules on paths and devctl roles; `c` is the checks._Checker."""
    entries = c.d.get("paths", [])
    roles = [r["role"] for r in entries]
    for i, r in enumerate(entries):
        problem = names.identifier_problem(r["role"])
        if problem:
            c.add(problem[0], ("paths", i, "role"), **problem[1])
    c._unique([(r, ("paths", i, "role"), False) for i, r in enumerate(roles)], "role")
    for i, dc in enumerate(c.devctls):
        given = dc.get("roles", [])
        if given and not entries:
            c.add("RM0063", ("devctl", i, "roles"), at_key=True, name=dc["name"])
            continue
        for j, r in enumerate(given):
            if r not in roles:
                c.add("RM0062", ("devctl", i, "roles", j), name=dc["name"], role=r, hint=did_you_mean(r, roles))
        c._unique([(r, ("devctl", i, "roles", j), False) for j, r in enumerate(given)], "role")
    if not entries:
        return
    io = c.d.get("io", {})
    kind = io.get("kind", schema.default("io", "kind"))
    if kind == "buffer":
        c.add("RM0066", ("io", "kind"))
    io_access = "none" if kind == "none" else io.get("access", schema.default("io", "access"))
    _paths(c, entries, io_access)
    _role_names(c, entries)
    if io.get("blocking") and not any(ACCESS[r.get("access", io_access)][0] for r in entries):
        c.add("RM0071", ("io", "blocking"), at_key=True)


def _paths(c, entries: List[dict], io_access: str) -> None:
    """Each role's access within io.access; no empty, '.' or '..' path part; no path twice."""
    seen: Dict[str, str] = {}
    total = 0
    base = c.d["device"]["path"]
    for i, r in enumerate(entries):
        access = r.get("access", io_access)
        can, allowed = ACCESS[access], ACCESS[io_access]
        if (can[0] and not allowed[0]) or (can[1] and not allowed[1]):
            c.add("RM0065", ("paths", i, "access"), role=r["role"], access=access, io=io_access)
        if "first" in r and "count" not in r:
            c.add("RM0070", ("paths", i, "first"), at_key=True, role=r["role"])
        stem, under = r.get("name", r["role"]), r.get("under", schema.default("paths", "under"))
        if under and "count" not in r and stem in ("", ".", ".."):
            c.add("RM0068", ("paths", i, "name" if "name" in r else "role"), role=r["role"],
                  pathname=f"{base}/{stem}")
        first = r.get("first", 0)
        numbers = [""] if "count" not in r else [str(n) for n in range(first, first + r["count"])]
        total += len(numbers)
        for n in numbers:
            full = base + ("/" if under else "") + stem + n
            if full in seen and seen[full] != r["role"]:
                c.add("RM0064", ("paths", i, "role"), pathname=full, role=r["role"], other=seen[full])
                break
            seen.setdefault(full, r["role"])
    if total > MAX_PATHS:
        c.add("RM0067", ("paths",), at_key=True, count=total, what="paths", limit=MAX_PATHS)
    if len(entries) > MAX_ROLES:
        c.add("RM0067", ("paths", MAX_ROLES, "role"), count=len(entries), what="roles", limit=MAX_ROLES)


def _role_names(c, entries: List[dict]) -> None:
    """DEVICE_ROLE_X and DEVICE_X_COUNT/_FIRST/_PATH stay clear of the spec's other C names."""
    dev, cn = c.device, naming.Naming(c.d)
    taken: Dict[str, str] = {}
    for e, enum in c.enums.items():
        for v in enum["values"]:
            taken[cn.enum_constant(e, v["name"])] = f"enum value '{e}.{v['name']}'"
        taken[cn.type_name("enums", e)] = f"enum '{e}'"
    for t in c.types:
        taken[cn.type_name("types", t)] = f"type '{t}'"
    for dc in c.devctls:
        taken[cn.dcmd_macro(dc["name"])] = f"devctl '{dc['name']}'"
    up = names.macro(dev)
    for own, what in (("path_t", "path"), ("role_t", "role")):
        cname = f"{dev}_{own}"
        if cname in taken:
            c.add("RM0069", ("paths",), at_key=True, who="the paths list", cname=cname, other=taken[cname])
        taken[cname] = f"rmgen's {what} type"
    for i, r in enumerate(entries):
        role = r["role"].upper()
        for cname in (f"{up}_ROLE_{role}", f"{up}_{role}_COUNT", f"{up}_{role}_FIRST", f"{up}_{role}_PATH"):
            if cname in taken:
                c.add("RM0069", ("paths", i, "role"), who=f"role '{r['role']}'", cname=cname, other=taken[cname])
                break
            taken[cname] = f"role '{r['role']}'"
