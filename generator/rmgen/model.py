"""The typed model: a validated spec turned into everything the templates print.

Every C identifier, macro name, size, devctl direction and check is decided here, once;
templates only lay the model out. `build()` expects a spec that passed schema and
semantic validation, and applies the documented defaults.
"""
from __future__ import annotations

import shlex
from typing import Dict, List, Optional, Tuple

import msgspec

from rmgen import __version__, escape, events, life, names, naming, paths, schema
from rmgen import messages as msgs
from rmgen.typesys import DCMD_CLASSES, PRIMITIVES, FieldSlot, TypeTable, parse_typeref, payload_size

MIN_MSG_MAX_SIZE = 2048   # receive buffer: all io headers fit; devctl replies are added
IO_HEADER_SIZE = 16       # sizeof(io_devctl_t), sizeof(io_read_t), sizeof(io_write_t)
REPLY_SLACK = 64          # after the largest reply: its alignment, and short combine parts before it
ACCESS_FLAGS = {           # devctl access -> the _IO_FLAG_* bits the fd must hold
    "any": (), "read": ("_IO_FLAG_RD",), "write": ("_IO_FLAG_WR",),
    "read-write": ("_IO_FLAG_RD", "_IO_FLAG_WR"),
}
DEVCTL_TABLE_FROM = 33    # from this many commands: one table and one generic handler (compiles linearly)
IO_MESSAGE_TYPES = {       # QNX io message types (sys/iomsg.h), for the fuzz dictionary
    "connect": 0x100, "read": 0x101, "write": 0x102, "stat": 0x104, "notify": 0x105, "devctl": 0x106,
    "lseek": 0x109, "msg": 0x113, "dup": 0x115, "close": 0x116,
}
DCMD_ALL = {"getflags": 0x40040101, "setflags": 0x80040102}  # __DIOF/__DIOT(_DCMD_ALL, 1/2, int)
ACCESS_TEXT = {"any": "open in any mode", "read": "opened for reading",
               "write": "opened for writing", "read-write": "opened for reading and writing"}
ACCESS_OPEN_FLAG = {"any": "O_RDONLY", "read": "O_RDONLY", "write": "O_WRONLY", "read-write": "O_RDWR"}


class CType(msgspec.Struct, frozen=True):
    """How a spec type appears in C."""

    spec: str          # as written in the spec, e.g. "sample[8]"
    base: str          # C element type, e.g. "thermo_sample_t", "uint32_t", "char"
    count: Optional[int]
    size: int
    kind: str          # char | primitive | enum | struct
    name: str          # element spec name: u32, sample, unit, char
    check_fn: Optional[str] = None  # validator of the element, if any

    def decl(self, ident: str) -> str:
        """A C declaration of `ident` with this type."""
        return f"{self.base} {ident}" + (f"[{self.count}]" if self.count is not None else "")

    @property
    def sizeof(self) -> str:
        """A C `sizeof` expression for this type (arrays included)."""
        return f"sizeof({self.base}[{self.count}])" if self.count is not None else f"sizeof({self.base})"

    def param(self, ident: str) -> str:
        """A parameter declaration passing this type by address: `T *in`, or `T in[N]`."""
        return self.decl(ident) if self.count is not None else self.decl(f"*{ident}")

    def ref(self, ident: str) -> str:
        """`ident` as a pointer argument: arrays decay, everything else takes `&`."""
        return ident if self.count is not None else f"&{ident}"

    @property
    def is_array(self) -> bool:
        return self.count is not None and self.kind != "char"

    @property
    def is_scalar(self) -> bool:
        """An integer, bool or enum (not an array, string or struct): passable by value."""
        return self.count is None and self.kind in ("primitive", "enum")


class Check(msgspec.Struct, frozen=True):
    """One validation of an input field, rendered as one `if` in a validator."""

    kind: str          # range | bool | string | enum | struct
    field: str         # member name
    ctype: CType
    lo: Optional[int] = None
    hi: Optional[int] = None
    comment: str = ""
    bad: Optional[int] = None  # a value that must be refused (tests); None: not expressible


class Member(msgspec.Struct, frozen=True):
    name: str
    ctype: Optional[CType]   # None for explicit padding
    offset: int
    size: int
    doc: str
    lo: Optional[int] = None     # valid range of an integer field, when constrained
    span: Optional[int] = None   # hi - lo + 1, when small enough to pick values from

    @property
    def is_padding(self) -> bool:
        return self.ctype is None


class Struct(msgspec.Struct, frozen=True):
    name: str
    ctype: str               # thermo_sample_t
    tag: str                 # struct thermo_sample
    doc: str
    size: int
    align: int
    members: Tuple[Member, ...]
    checks: Tuple[Check, ...]
    check_fn: Optional[str]  # thermo_check_sample, when it has checks
    is_input: bool           # sent by clients (directly or nested): gets validated


class EnumValue(msgspec.Struct, frozen=True):
    name: str
    const: str               # THERMO_UNIT_MILLICELSIUS
    value: int
    doc: str


class Enum(msgspec.Struct, frozen=True):
    name: str
    ctype: str               # thermo_unit_t (a typedef of the fixed-width base)
    tag: str                 # enum thermo_unit
    base: str                # uint8_t
    doc: str
    values: Tuple[EnumValue, ...]
    check_fn: str            # thermo_unit_valid
    invalid: int             # a value of the base type that is not in the enum (for tests)

    @property
    def fits_int(self) -> bool:
        """C enumerators must fit in int; larger u32 values become #defines."""
        return all(-(2**31) <= v.value < 2**31 for v in self.values)


class StateField(msgspec.Struct, frozen=True):
    name: str
    ctype: CType
    init: Optional[str]      # C initialiser expression, None = zero
    doc: str
    lo: Optional[int] = None     # the spec's min and max, if given
    hi: Optional[int] = None


class Option(msgspec.Struct, frozen=True):
    flag: str
    field: StateField
    takes_arg: bool
    lo: int                  # the field's min/max within its type and within long long,
    hi: int                  # which the generated parse_number() reads
    doc: str

    @property
    def lo_literal(self) -> str:
        return _long_long(self.lo)

    @property
    def hi_literal(self) -> str:
        return _long_long(self.hi)


LLONG_MIN, LLONG_MAX = -(2**63), 2**63 - 1


def _long_long(value: int) -> str:
    """A C constant of type long long (or int, when it fits) for `value`."""
    if value == LLONG_MIN:
        return "INT64_MIN"
    return f"{value}LL" if value < 0 or value > 2**31 - 1 else str(value)


class Payload(msgspec.Struct, frozen=True):
    ctype: CType
    check_fn: Optional[str]  # validator to run on input, if any
    align: int = 1           # alignment its C type needs (reply data is placed accordingly)


class Devctl(msgspec.Struct, frozen=True):
    name: str
    code: int
    class_macro: str         # _DCMD_MISC or 0x..
    class_value: int
    macro: str               # THERMO_DCMD_GET_SAMPLE
    direction: str           # __DION | __DIOT | __DIOF | __DIOTF
    size_type: Optional[str] # the type named in the __DIO* macro
    union_tag: Optional[str] # union used when in and out differ
    inp: Optional[Payload]
    out: Optional[Payload]
    access: str
    access_flags: Tuple[str, ...]
    access_text: str         # "opened for writing"
    open_flag: str           # O_* flag a client needs
    hook: str                # thermo_on_get_sample
    client_fn: str           # thermo_get_sample
    handler: str             # thermo_dcmd_get_sample (static, in the io file)
    state: Optional[StateField]
    doc: str
    payload_size: int        # bytes encoded in the dcmd
    roles: Tuple[str, ...] = ()  # role constants whose paths take it (empty: every path)
    role_names: Tuple[str, ...] = ()  # the same roles as the spec names them
    in_by_value: bool = False  # the client function takes the scalar input by value (naming)
    blocking: bool = False   # held while its hook says EAGAIN, until NAME_CMD_ready() (held_devctl.c.j2)
    privileged: bool = False # only privileged clients (Security.who) may use it

    @property
    def ready_fn(self) -> str:
        """A held command's release function, for the user's hooks: NAME_CMD_ready(dev)."""
        return f"{self.client_fn}_ready"

    @property
    def held_list(self) -> str:
        """The device member listing a held command's waiters, oldest first."""
        return f"held.{self.name}"

    @property
    def payload_params(self) -> Tuple[str, ...]:
        """Parameter declarations of the payload, shared by the client function and the hook."""
        return tuple(([f"const {self.inp.ctype.param('in')}"] if self.inp else [])
                     + ([self.out.ctype.param("out")] if self.out else []))

    @property
    def role_refused(self) -> str:
        """C condition true when ocb's path has none of the command's roles."""
        return " && ".join(f"ocb->ocb.attr->role != {r}" for r in self.roles)

    @property
    def role_mask(self) -> str:
        """The command's roles as bits (1u << role), for the command table."""
        return " | ".join(f"(1u << {r})" for r in self.roles) if self.roles else "0xffffffffu"

    @property
    def role_text(self) -> str:
        """"rx and tx": the roles whose paths take the command, for comments."""
        words = list(self.role_names)
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]

    @property
    def client_params(self) -> Tuple[str, ...]:
        """The client function's parameters: the hook's, or a scalar input by value."""
        if not self.in_by_value:
            return self.payload_params
        return (self.inp.ctype.decl("value"),) + ((self.out.ctype.param("out"),) if self.out else ())

    def client_arg(self, ident: str) -> str:
        """The variable `ident` holding the input, as the client function's argument."""
        return ident if self.in_by_value else self.inp.ctype.ref(ident)

    @property
    def client_in(self) -> str:
        """The client function's input as a pointer expression (`in`, or `&value`)."""
        return "&value" if self.in_by_value else "in"

    @property
    def in_place_align(self) -> int:
        """Alignment the input needs to be used where it arrived; 0: always copy it, because
        the reply data is built in the same receive buffer (commands with in and out)."""
        return 0 if self.out else self.inp.align

    @property
    def dcmd_value(self) -> int:
        """The 32-bit dcmd, computed as the __DIO* macros do (for docs and tests)."""
        dirbits = {"__DION": 0, "__DIOT": 0x80000000, "__DIOF": 0x40000000, "__DIOTF": 0xC0000000}
        size = 0 if self.direction == "__DION" else self.payload_size
        return (dirbits[self.direction] + (size << 16) + (self.class_value << 8) + self.code) & 0xFFFFFFFF


class Io(msgspec.Struct, frozen=True):
    kind: str                # none | buffer | hook
    size: int                # buffer capacity
    readable: bool
    writable: bool
    blocking: bool = False   # hook reads may wait: held requests, unblock, data_ready()

    # Figures of the buffer's host test, scaled to a capacity of even 1 byte.
    @property
    def test_text(self) -> str:
        """The round-trip text (a C string whose sizeof fits the buffer)."""
        return '"hello, qnx"' if self.size >= 11 else '"' + "x" * (self.size - 1) + '"'

    @property
    def test_tail(self) -> Tuple[int, int]:
        """(offset, length) of a pwrite() past the end that leaves a hole before it."""
        return max(0, min(100, self.size - 3)), min(3, self.size)

    @property
    def test_hole(self) -> Tuple[int, int]:
        """(offset, length) inside that hole, read back as zeros (length 0: no hole)."""
        at = self.test_tail[0]
        return at // 2, min(4, at - at // 2)

    @property
    def test_short(self) -> int:
        """Bytes a 5-byte write starting that many bytes before the end writes."""
        return min(2, self.size)

    @property
    def test_seek_read(self) -> Tuple[int, int, int]:
        """(bytes written first, seek offset, bytes the read then gets) of the lseek+read
        combine test (a device without positions refuses the seek: any offset does)."""
        if self.kind != "buffer":
            return 0, 2, 0
        fill = min(6, self.size) if self.writable else 0
        at = min(2, max(fill - 1, 0))
        return fill, at, min(3, fill - at)

    @property
    def test_fill(self) -> int:
        """Bytes of "0123456789" written before a lying write, to see it changes nothing."""
        return min(10, self.size)

    @property
    def open_flag(self) -> str:
        """The O_* access mode that opens the device for everything it allows."""
        if self.kind == "none":                      # devctl only: any mode opens it
            return "O_RDWR"
        return {(True, True): "O_RDWR", (True, False): "O_RDONLY"}.get((self.readable, self.writable), "O_WRONLY")

    @property
    def ready_conditions(self) -> str:
        """The _NOTIFY_COND_* a device that never blocks always reports: what it supports."""
        conds = (["_NOTIFY_COND_INPUT"] if self.readable else []) + (["_NOTIFY_COND_OUTPUT"] if self.writable else [])
        return " | ".join(conds) or "0"


class Blocking(msgspec.Struct, frozen=True):
    """io.blocking: requests the server holds (rcvid kept, reply later), what releases them
    (data/room ready, unblock, close, client death) and the hooks select()/poll() ask."""

    holds_reads: bool        # readers wait while NAME_on_read() says EAGAIN (readable devices)
    holds_writes: bool       # writers wait too while NAME_on_write() says EAGAIN (device full)
    data_ready: Optional[str]      # fifo_data_ready: the user calls it when data arrives (readable)
    room_ready: Optional[str]      # fifo_room_ready: ... when room appears (writable devices)
    readable_hook: Optional[str]   # fifo_on_readable: bytes a read() would get now (readable)
    writable_hook: Optional[str]   # fifo_on_writable: bytes a write() could place now


class Pool(msgspec.Struct, frozen=True):
    lo_water: int
    hi_water: int
    increment: int
    maximum: int


class Hook(msgspec.Struct, frozen=True):
    """A function the user implements; its stub body is chosen by `kind`."""

    name: str
    kind: str                # init | read | write | devctl | event
    params: Tuple[str, ...]  # C parameter declarations
    doc: str
    purpose: str             # what calls it, for the missing-hook report
    devctl: Optional["Devctl"] = None
    returns: str = "int"     # C return type: EOK/errno, or a count (readiness hooks)


class Device(msgspec.Struct):
    name: str
    upper: str
    path: str
    summary: str
    mode: int
    owner: Optional[Tuple[int, int]]
    spec_relpath: str
    version: str
    io: Io
    pool: Optional[Pool]
    options: List[Option]
    enums: List[Enum]
    structs: List[Struct]    # dependency order: a struct follows the structs it contains
    state: List[StateField]
    open_state: List[StateField]
    devctls: List[Devctl]
    msg_max_size: int
    blocking: Optional[Blocking] = None  # held requests, when io.blocking
    hooks: List[Hook] = msgspec.field(default_factory=list)
    events: events.Events = msgspec.field(default_factory=lambda: events.Events(""))
    paths: Optional[paths.Paths] = None  # several paths (roles), or None: device.path alone
    messages: Optional[msgs.Messages] = None   # custom _IO_MSG messages
    security: Optional[msgs.Security] = None   # privileged clients, abilities, policy type
    life: life.Life = msgspec.field(default_factory=lambda: life.Life(True, 0, None))

    # names used across files, derived once
    @property
    def dev_t(self) -> str:
        return f"{self.name}_dev_t"

    @property
    def ocb_t(self) -> str:
        return f"{self.name}_ocb_t"

    @property
    def ocb_dev(self) -> str:
        """C expression for the device of the open file `ocb` (with paths, through its path)."""
        return "ocb->ocb.attr->dev" if self.paths else "ocb->ocb.attr"

    @property
    def ocb_notify(self) -> str:
        """C expression for the select() lists `ocb` belongs to (with paths: its path's)."""
        return "ocb->ocb.attr->notify" if self.paths else "dev->notify"

    @property
    def path_arg(self) -> str:
        """`, ocb->ocb.attr`: the path argument the readiness hooks take with paths."""
        return ", ocb->ocb.attr" if self.paths else ""

    @property
    def shared_state(self) -> Optional[paths.SharedState]:
        """A state field one path sets and another reads (the paths host test)."""
        return paths.shared_state(self.paths, self.devctls, {e.name: e for e in self.enums}) if self.paths else None

    @property
    def test_view(self) -> "Device":
        """The device as the generic host tests see it (with paths: on one path)."""
        return paths.test_view(self)

    @property
    def mode_octal(self) -> str:
        return f"0{self.mode:03o}"

    @property
    def header_guard(self) -> str:
        return f"{self.upper}_H_INCLUDED"

    @property
    def regen_command(self) -> str:
        return f"rmgen {shlex.quote(self.spec_relpath)} -o .."

    def leaf_checks(self, struct: str, prefix: str = "") -> List[Tuple[str, Check]]:
        """(C member path, check) of every field check in `struct`, nested ones included:
        what a test corrupts, one at a time, to see each refused."""
        out: List[Tuple[str, Check]] = []
        for chk in self.struct(struct).checks:
            path = prefix + chk.field + ("[0]" if chk.ctype.is_array else "")
            if chk.kind == "struct":
                out += self.leaf_checks(chk.ctype.name, path + ".")
            else:
                out.append((path, chk))
        return out

    @property
    def reads_messages(self) -> bool:
        """Some handler copies data out of the client's message (devctl or message input,
        write, pwrite)."""
        return (self.has_input or self.io.kind == "buffer" or (self.io.kind == "hook" and self.io.writable)
                or bool(self.messages and self.messages.max_in))

    @property
    def has_input(self) -> bool:
        """Some devctl receives a payload."""
        return any(c.inp for c in self.devctls)

    @property
    def held_devctls(self) -> List[Devctl]:
        """The commands marked blocking: held until the driver can answer them."""
        return [c for c in self.devctls if c.blocking]

    @property
    def attach_count(self) -> str:
        """How many paths main() attaches (and the shutdown detaches): the paths' count
        macro, or 1 (device.path alone)."""
        return self.paths.count_macro if self.paths else "1"

    @property
    def holds(self) -> bool:
        """The server holds requests (io.blocking or a blocking devctl): waiter lists,
        io_unblock and close_ocb are generated (held.c.j2)."""
        return self.blocking is not None or bool(self.held_devctls)

    @property
    def held_lists(self) -> List[Tuple[str, str]]:
        """Every list of held requests, as (device field, what it holds): reads, writes,
        then each blocking command's own list (release_all and the shutdown walk them all)."""
        lists = []
        if self.blocking and self.blocking.holds_reads:
            lists.append(("readers", "reads"))
        if self.blocking and self.blocking.holds_writes:
            lists.append(("writers", "writes"))
        return lists + [(c.held_list, c.name) for c in self.held_devctls]

    @property
    def held_has_input(self) -> bool:
        """Some held command has an input: its waiters keep a copy of it."""
        return any(c.inp for c in self.held_devctls)

    @property
    def devctl_table(self) -> bool:
        """Commands are dispatched through a const table rather than one function each."""
        return len(self.devctls) >= DEVCTL_TABLE_FROM

    @property
    def devctls_by_value(self) -> List[Devctl]:
        """The commands sorted by their 32-bit value: the table's binary-search order."""
        return sorted(self.devctls, key=lambda c: c.dcmd_value)

    @property
    def max_in_size(self) -> int:
        """Bytes of the largest input payload (the generic handler's copy buffer)."""
        return max([c.inp.ctype.size for c in self.devctls if c.inp] + [0])

    @property
    def fuzz_dictionary(self) -> List[Tuple[str, str]]:
        """(name, escaped bytes) of the fuzz dictionary: command values, sizes, message types."""
        def le(value: int, size: int) -> str:
            return "".join(f"\\x{(value >> (8 * i)) & 0xFF:02X}" for i in range(size))

        out = [(f"dcmd_{c.name}", le(c.dcmd_value, 4)) for c in self.devctls]
        out += [(f"dcmd_all_{n}", le(v, 4)) for n, v in DCMD_ALL.items()]
        sizes = sorted({p.ctype.size for c in self.devctls for p in (c.inp, c.out) if p})
        out += [(f"size_{n}", le(n, 2)) for n in sizes]
        out += [(f"io_{n}", le(v, 2)) for n, v in IO_MESSAGE_TYPES.items()]
        if self.messages:
            out.append(("msg_mgrid", le(self.messages.mgrid, 2)))
            out += [(f"msg_{m.name}", le(m.subtype, 2)) for m in self.messages.list]
        return out

    def struct(self, name: str) -> Struct:
        return next(s for s in self.structs if s.name == name)

    def enum(self, name: str) -> Enum:
        return next(e for e in self.enums if e.name == name)

    @property
    def state_pairs(self) -> List[Tuple[Devctl, Devctl]]:
        """(setter, getter) devctls bound to the same state field: set, then get it back."""
        return [(s, g) for s in self.devctls if s.state and s.inp and not s.out
                for g in self.devctls if g.state is s.state and g.out and not g.inp]

    @property
    def unused_command(self) -> Tuple[str, int]:
        """(class macro, number) of a command this driver does not define (tests send it)."""
        used = {(c.class_value, c.code) for c in self.devctls}
        for cls in ("misc", "chr", *DCMD_CLASSES):  # MAX_DEVCTLS commands fill 4 classes at most
            for n in range(255, -1, -1):
                if (DCMD_CLASSES[cls], n) not in used:
                    return f"_DCMD_{cls.upper()}", n
        raise AssertionError("more commands than MAX_DEVCTLS")


class _Builder:
    """Turns the validated spec dict into a Device."""

    def __init__(self, spec: dict, spec_relpath: str):
        self.spec = spec
        self.spec_relpath = spec_relpath
        dev = spec["device"]
        self.prefix = dev["name"]
        self.upper = names.macro(self.prefix)
        self.enum_specs: Dict[str, dict] = spec.get("enums") or {}
        self.struct_specs: Dict[str, dict] = spec.get("types") or {}
        self.table = TypeTable(
            {n: [(f["name"], parse_typeref(f["type"])) for f in s["fields"]] for n, s in self.struct_specs.items()},
            {n: e.get("base", schema.default("enums", "base")) for n, e in self.enum_specs.items()},
        )
        self.naming = naming.Naming(spec)
        self.input_structs = set()  # structs (transitively) received from clients
        self.has_checks: Dict[str, bool] = {}
        self.enums_by_name: Dict[str, Enum] = {e.name: e for e in self.enums()}

    # -- types -------------------------------------------------------------
    def ctype(self, text: str) -> CType:
        ref = parse_typeref(text)
        kind = self.table.kind(ref.name)
        check_fn = None
        if kind == "primitive":
            base = PRIMITIVES[ref.name].ctype
        elif kind == "char":
            base = "char"
        elif kind == "enum":
            base = self.naming.type_name("enums", ref.name)
            check_fn = names.valid_fn(self.prefix, ref.name)
        else:
            base = self.naming.type_name("types", ref.name)
        return CType(str(ref), base, ref.count, self.table.sizeof(ref), kind, ref.name, check_fn)

    def enums(self) -> List[Enum]:
        out = []
        for name in sorted(self.enum_specs):
            e = self.enum_specs[name]
            base = e.get("base", schema.default("enums", "base"))
            values = tuple(
                EnumValue(v["name"], self.naming.enum_constant(name, v["name"]), v["value"], v.get("doc", ""))
                for v in e["values"]
            )
            used = {v.value for v in values}
            invalid = next(v for v in range(PRIMITIVES[base].max, PRIMITIVES[base].min - 1, -1) if v not in used)
            out.append(Enum(name, self.naming.type_name("enums", name), f"enum {self.naming.tag('enums', name)}",
                            PRIMITIVES[base].ctype, e.get("doc", ""), values, names.valid_fn(self.prefix, name),
                            invalid))
        return out

    def struct_order(self) -> List[str]:
        """Structs sorted by name, each after the structs it contains."""
        order: List[str] = []
        seen = set()

        def visit(name: str) -> None:
            if name in seen:
                return
            seen.add(name)
            for f in self.struct_specs[name]["fields"]:
                ref = parse_typeref(f["type"])
                if ref.name in self.struct_specs:
                    visit(ref.name)
            order.append(name)

        for name in sorted(self.struct_specs):
            visit(name)
        return order

    def mark_input(self, type_text: str) -> None:
        name = parse_typeref(type_text).name
        if name in self.struct_specs and name not in self.input_structs:
            self.input_structs.add(name)
            for f in self.struct_specs[name]["fields"]:
                self.mark_input(f["type"])

    def field_checks(self, f: dict, ct: CType) -> List[Check]:
        checks = []
        if ct.kind == "char":
            checks.append(Check("string", f["name"], ct, comment="must be NUL-terminated within its length"))
        elif ct.kind == "enum":
            invalid = self.enums_by_name[ct.name].invalid
            checks.append(Check("enum", f["name"], ct, comment=f"must be a {ct.name} value", bad=invalid))
        elif ct.kind == "struct":
            if self.struct_has_checks(ct.name):
                checks.append(Check("struct", f["name"], ct, comment=f"nested {ct.name} must be valid"))
        elif PRIMITIVES[ct.name].is_bool:
            checks.append(Check("bool", f["name"], ct, comment="must be 0 or 1", bad=2))
        if "min" in f or "max" in f:
            p = PRIMITIVES.get(ct.name)
            lo, hi = f.get("min"), f.get("max")
            # a bound equal to the type's own limit would be an always-true comparison
            lo = None if lo is None or (p and lo <= p.min) else lo
            hi = None if hi is None or (p and hi >= p.max) else hi
            if lo is not None or hi is not None:
                rng = f"[{f.get('min', '')}, {f.get('max', '')}]"
                bad = lo - 1 if lo is not None else hi + 1
                checks.append(Check("range", f["name"], ct, lo, hi, comment=f"must be within {rng}", bad=bad))
        return checks

    def struct_has_checks(self, name: str) -> bool:
        if name not in self.has_checks:  # memoised: shared nested structs are looked at once
            self.has_checks[name] = self._has_checks(name)
        return self.has_checks[name]

    def _has_checks(self, name: str) -> bool:
        """Whether validating the struct checks anything: exactly when a field has a check
        (a min/max equal to the type's own limits is none)."""
        return any(self.field_checks(f, self.ctype(f["type"])) for f in self.struct_specs[name]["fields"])

    def structs(self) -> List[Struct]:
        out = []
        for name in self.struct_order():
            s = self.struct_specs[name]
            fields = {f["name"]: f for f in s["fields"]}
            members, checks = [], []
            for slot in self.table.layout(name):
                members.append(self.member(slot, fields.get(slot.name)))
                if slot.ref is not None:
                    checks += self.field_checks(fields[slot.name], members[-1].ctype)
            shape = self.table.struct_shape(name)
            has = bool(checks) and name in self.input_structs
            out.append(Struct(name, self.naming.type_name("types", name), f"struct {self.naming.tag('types', name)}",
                              s.get("doc", ""),
                              shape.size, shape.align, tuple(members), tuple(checks),
                              names.check_fn(self.prefix, name) if has else None, name in self.input_structs))
        return out

    def member(self, slot: FieldSlot, f: Optional[dict]) -> Member:
        if slot.ref is None:
            return Member(slot.name, None, slot.offset, slot.size, "explicit padding: same layout on every ABI")
        ct = self.ctype(str(slot.ref))
        lo, span = None, None
        if "min" in f or "max" in f:
            p = PRIMITIVES[ct.name]
            lo, hi = f.get("min", p.min), f.get("max", p.max)
            if hi - lo < 2**32:
                span = hi - lo + 1
            else:
                lo = None
        return Member(slot.name, ct, slot.offset, slot.size, f.get("doc", ""), lo, span)

    # -- state -------------------------------------------------------------
    def state_field(self, f: dict) -> StateField:
        ct = self.ctype(f["type"])
        return StateField(f["name"], ct, self.initialiser(ct, f.get("default")), f.get("doc", ""),
                          f.get("min"), f.get("max"))

    def initialiser(self, ct: CType, default) -> Optional[str]:
        if default is None:
            return None
        if ct.kind == "char":
            return escape.c_string(str(default))
        if ct.kind == "enum":
            if isinstance(default, str):
                return self.naming.enum_constant(ct.name, default)
            return str(default)
        if isinstance(default, bool):
            return "1" if default else "0"
        p = PRIMITIVES[ct.name]
        suffix = ("ULL" if not p.signed else "LL") if p.size == 8 else ("U" if not p.signed else "")
        if p.signed and p.size == 8 and default == p.min:
            return f"INT64_MIN"
        return f"{default}{suffix}"

    # -- devctl ------------------------------------------------------------
    def payload(self, type_text: Optional[str], is_input: bool) -> Optional[Payload]:
        if type_text is None:
            return None
        ct = self.ctype(type_text)
        check = None
        if is_input and ct.count is None:
            if ct.kind == "enum":
                check = ct.check_fn
            elif ct.kind == "struct" and self.struct_has_checks(ct.name):
                check = names.check_fn(self.prefix, ct.name)
            elif ct.kind == "primitive" and PRIMITIVES[ct.name].is_bool:
                check = "bool"
        return Payload(ct, check, self.table.shape(parse_typeref(type_text)).align)

    def devctl(self, d: dict, state_by_name: Dict[str, StateField]) -> Devctl:
        name = d["name"]
        cls = d.get("class", schema.default("devctl", "class"))
        if isinstance(cls, int):
            class_macro, class_value = f"0x{cls:02x}", cls
        else:
            class_macro, class_value = f"_DCMD_{cls.upper()}", DCMD_CLASSES[cls]
        inp = self.payload(d.get("in"), True)
        out = self.payload(d.get("out"), False)
        direction = {(False, False): "__DION", (True, False): "__DIOT",
                     (False, True): "__DIOF", (True, True): "__DIOTF"}[(inp is not None, out is not None)]
        union_tag = size_type = None
        size = 0
        if inp and out and inp.ctype.spec != out.ctype.spec:
            union_tag = f"union {self.prefix}_{name}_msg"
            size_type = union_tag
            size = payload_size(self.table.shape(parse_typeref(inp.ctype.spec)),
                                self.table.shape(parse_typeref(out.ctype.spec)))
        elif inp or out:
            p = inp or out
            size_type = p.ctype.base if p.ctype.count is None else f"{p.ctype.base}[{p.ctype.count}]"
            size = p.ctype.size
        access = d.get("access", schema.default("devctl", "access"))
        access_text = ACCESS_TEXT[access]
        return Devctl(
            name=name, code=d["code"], class_macro=class_macro, class_value=class_value,
            macro=self.naming.dcmd_macro(name), direction=direction, size_type=size_type,
            union_tag=union_tag, inp=inp, out=out, access=access, access_flags=ACCESS_FLAGS[access],
            access_text=access_text, open_flag=ACCESS_OPEN_FLAG[access],
            hook=names.hook(self.prefix, name), client_fn=names.client_fn(self.prefix, name),
            handler=names.handler(self.prefix, name), state=state_by_name.get(d.get("state")),
            doc=d.get("doc", ""), payload_size=size, roles=paths.devctl_roles(d, self.prefix),
            role_names=tuple(d.get("roles") or ()),
            in_by_value=self.naming.by_value and inp is not None and inp.ctype.is_scalar,
            blocking=d.get("blocking", schema.default("devctl", "blocking")),
            privileged=bool(d.get("privileged", False)),
        )

    def access(self, mode: str) -> Tuple[Tuple[str, ...], str, str]:
        """(_IO_FLAG_* bits, text, O_* flag) of an access mode."""
        return ACCESS_FLAGS[mode], ACCESS_TEXT[mode], ACCESS_OPEN_FLAG[mode]

    # -- device ------------------------------------------------------------
    def build(self) -> Device:
        spec = self.spec
        dev = spec["device"]
        for d in (spec.get("devctl") or []) + (spec.get("messages") or {}).get("subtypes", []):
            if d.get("in"):
                self.mark_input(d["in"])
        io_spec = spec.get("io") or {}
        kind = io_spec.get("kind", schema.default("io", "kind"))
        access = io_spec.get("access", schema.default("io", "access"))
        io = Io(kind, io_spec.get("size", 0),
                kind != "none" and access in ("read-only", "read-write"),
                kind != "none" and access in ("write-only", "read-write"),
                io_spec.get("blocking", schema.default("io", "blocking")))
        server = spec.get("server") or {}
        pool = None
        if server.get("threads", schema.default("server", "threads")) == "pool":
            given = server.get("pool") or {}
            pool = Pool(**{k: given.get(k, schema.default("server", "pool", k))
                           for k in ("lo_water", "hi_water", "increment", "maximum")})
        state = [self.state_field(f) for f in spec.get("state") or []]
        open_state = [self.state_field(f) for f in spec.get("open_state") or []]
        by_name = {s.name: s for s in state}
        options = []
        state_specs = {f["name"]: f for f in spec.get("state") or []}
        for o in server.get("options") or []:
            sf, f = by_name[o["state"]], state_specs[o["state"]]
            p = PRIMITIVES[sf.ctype.name]
            lo, hi = max(p.min, f.get("min", p.min), LLONG_MIN), min(p.max, f.get("max", p.max), LLONG_MAX)
            options.append(Option(o["flag"], sf, not p.is_bool, lo, hi, o["doc"]))
        devctls = sorted((self.devctl(d, by_name) for d in spec.get("devctl") or []),
                         key=lambda d: (d.class_value, d.code))
        messages = msgs.build_messages(spec, self.prefix, self.payload, self.access)
        max_out = max([d.out.ctype.size for d in devctls if d.out] + [messages.max_out if messages else 0])
        owner = dev.get("owner")
        blocking = None
        if io.blocking:
            blocking = Blocking(
                holds_reads=io.readable, holds_writes=io.writable,
                data_ready=f"{self.prefix}_data_ready" if io.readable else None,
                room_ready=f"{self.prefix}_room_ready" if io.writable else None,
                readable_hook=names.hook(self.prefix, "readable") if io.readable else None,
                writable_hook=names.hook(self.prefix, "writable") if io.writable else None)
        device = Device(
            name=self.prefix, upper=self.upper, path=dev["path"], summary=dev["summary"],
            mode=int(str(dev.get("mode", schema.default("device", "mode"))), 8),
            owner=(owner["uid"], owner["gid"]) if owner else None,
            spec_relpath=self.spec_relpath, version=__version__, io=io, pool=pool, options=options,
            enums=list(self.enums_by_name.values()), structs=self.structs(), state=state, open_state=open_state,
            devctls=devctls, msg_max_size=max(MIN_MSG_MAX_SIZE, IO_HEADER_SIZE + max_out + REPLY_SLACK),
            blocking=blocking, messages=messages,
        )
        device.events = events.build(spec, self.prefix, _event_option)
        device.paths = paths.build(spec, self.prefix)
        device.security = msgs.build_security(spec, self.prefix, _abilities_needed(device.events))
        device.options += events.options(device.events)
        device.life = life.build(spec, self.prefix)
        device.hooks = (hooks(device) + msgs.hooks(messages, f"{device.dev_t} *dev", f"{device.ocb_t} *ocb", Hook)
                        + events.hooks(device.events, f"{device.dev_t} *dev", Hook)
                        + life.hooks(device.life, f"{device.dev_t} *dev", Hook))
        return device


def _abilities_needed(ev: events.Events) -> Tuple[str, ...]:
    """The abilities the server still uses after the attach (security.drop_abilities keeps
    them): interrupts (attached, and unmasked after each one) and port I/O (I/O privity).
    Memory windows need MEM_PHYS only to map, which happens before the attach: a driver
    that maps more later says so with keep_abilities: [mem_phys]."""
    return ((("PROCMGR_AID_INTERRUPTEVENT",) if ev.interrupts else ())
            + (("PROCMGR_AID_IO",) if ev.interrupts or ev.io_windows else ()))


def _event_option(flag: str, member: str, lo: int, hi: int, doc: str) -> Option:
    """An option setting a u32/i32 member of the device's hw struct (events.py)."""
    ct = CType("u32", "uint32_t", None, 4, "primitive", "u32")
    return Option(flag, StateField(member, ct, None, doc), True, lo, hi, doc)


def hooks(d: Device) -> List[Hook]:
    """The functions the user implements, in the order the stub file lists them."""
    dev, ocb = f"{d.dev_t} *dev", f"{d.ocb_t} *ocb"
    out = [Hook(names.hook(d.name, "init"), "init", (dev,),
                "Called once before the path is attached, with the state set (defaults, then\n"
                "the command line) and any register windows mapped: probe and initialise the\n"
                "hardware. Return EOK, or an errno value to make the server exit.", "server start-up")]
    if d.io.kind == "hook" and d.io.readable:
        out.append(Hook(names.hook(d.name, "read"), "read",
                        (dev, ocb, "void *buf", "size_t nbytes", "size_t *done"),
                        "read(): store up to nbytes bytes at buf and their count in *done\n"
                        "(0 means end of file). Return EOK or an errno value"
                        + (";\nEAGAIN when there is no data yet: the reader then waits until\n"
                           f"{d.name}_data_ready() is called." if d.io.blocking else "."), "read()"))
    if d.io.kind == "hook" and d.io.writable:
        out.append(Hook(names.hook(d.name, "write"), "write",
                        (dev, ocb, "const void *buf", "size_t nbytes", "size_t *done"),
                        "write(): consume up to nbytes bytes from buf and store the count taken\n"
                        "in *done (less than nbytes is a short write). Return EOK or an errno value"
                        + (";\nEAGAIN when the device is full: the writer then waits until\n"
                           f"{d.name}_room_ready() is called." if d.blocking else "."), "write()"))
    ready = (f"const {d.dev_t} *dev",) + ((f"const {d.paths.path_t} *path",) if d.paths else ())
    where = "\nEvery path is asked for itself: answer for `path`." if d.paths else ""
    if d.blocking and d.blocking.readable_hook:
        out.append(Hook(d.blocking.readable_hook, "readable", ready,
                        "select()/poll(): how many bytes a read() would get right now (0: it would\n"
                        "wait). Asked with the device locked, after every change." + where, "select()/poll()",
                        returns="size_t"))
    if d.blocking and d.blocking.writable_hook:
        out.append(Hook(d.blocking.writable_hook, "writable", ready,
                        "select()/poll(): how many bytes a write() could place right now (0: the\n"
                        "device is full and it would wait). Asked with the device locked." + where,
                        "select()/poll()", returns="size_t"))
    for c in d.devctls:
        out.append(Hook(c.hook, "devctl", (dev, ocb, *c.payload_params),
                        (c.doc or f"devctl {c.name}") + ".\nReturn EOK or an errno value for the client"
                        + (f";\nEAGAIN when there is no answer yet: the request is then held until\n"
                           f"{c.ready_fn}() asks again." if c.blocking else "."),
                        f"devctl {c.name} ({c.macro})", c))
    return out


def build(spec: dict, spec_relpath: str) -> Device:
    """Build the model of one validated spec; `spec_relpath` is the spec's path relative
    to the generated tree (it goes into every DO-NOT-EDIT header)."""
    return _Builder(spec, spec_relpath).build()
