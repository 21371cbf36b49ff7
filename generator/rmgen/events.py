"""Events and registers: pulses, periodic timers, interrupts and register windows.

The typed model of the spec's `events:` and `registers:` sections (every C name, code,
default and option decided here), and the semantic rules on them. model.py attaches an
`Events` to the Device; templates/parts/events*.j2 lay it out.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Tuple

import msgspec

from rmgen import names, schema

if TYPE_CHECKING:  # pragma: no cover
    from rmgen.model import Hook, Option

BUILTIN_FLAGS = {"p": "-p PATH", "f": "-f", "d": "-d", "v": "-v", "h": "-h"}  # main()'s own options
UNIT_NS = {"ms": 1_000_000, "us": 1_000}
PULSE_CODES = 128          # _PULSE_CODE_MINAVAIL (0) .. _PULSE_CODE_MAXAVAIL (127)
WIDTH_TYPES = {8: "uint8_t", 16: "uint16_t", 32: "uint32_t", 64: "uint64_t"}


class Pulse(msgspec.Struct, frozen=True):
    name: str
    const: str               # GPIO_PULSE_WAKE: the code, in the public header
    code: int                # _PULSE_CODE_MINAVAIL + index
    priority: int
    hook: str                # gpio_on_pulse_wake(dev, value)
    handler: str             # gpio_pulse_wake: the static pulse_attach() handler
    send_fn: str             # gpio_send_wake(dev, value): for the server's own threads
    doc: str


class Timer(msgspec.Struct, frozen=True):
    name: str
    unit: str                # ms | us
    period: int              # default period, in unit
    field: str               # member of the hw struct holding the period (options set it)
    timer_field: str         # member holding the timer_t
    priority: int
    hook: str
    handler: str
    option: Optional["Option"]
    doc: str

    @property
    def period_ns(self) -> int:
        return self.period * UNIT_NS[self.unit]

    @property
    def per_second(self) -> int:
        """Units in a second (1000 or 1000000), to split the period into a timespec."""
        return 1_000_000_000 // UNIT_NS[self.unit]


class Interrupt(msgspec.Struct, frozen=True):
    name: str
    irq: int                 # default interrupt number
    field: str               # member holding the number (options set it)
    id_field: str            # member holding InterruptAttachEvent()'s id
    priority: int
    hook: str
    handler: str
    option: Optional["Option"]
    doc: str


class Window(msgspec.Struct, frozen=True):
    name: str
    paddr: int
    size: int
    width: int               # bits
    ctype: str               # uint32_t
    base_field: str          # member holding the mapped address
    paddr_macro: str         # GPIO_REGS_PADDR
    size_macro: str          # GPIO_REGS_SIZE
    read_fn: str             # gpio_regs_read32
    write_fn: str            # gpio_regs_write32
    doc: str
    kind: str = "memory"     # memory (mmap_device_memory) | io (mmap_device_io, in*/out*)

    @property
    def nbytes(self) -> int:
        return self.width // 8

    @property
    def is_io(self) -> bool:
        return self.kind == "io"


class Events(msgspec.Struct, frozen=True):
    hw_t: str                # gpio_hw_t: the device's member `hw`
    pulses: Tuple[Pulse, ...] = ()
    timers: Tuple[Timer, ...] = ()
    interrupts: Tuple[Interrupt, ...] = ()
    windows: Tuple[Window, ...] = ()

    @property
    def io_windows(self) -> bool:
        """Some window is port I/O: I/O privity before mapping, <hw/inout.h>."""
        return any(w.is_io for w in self.windows)

    @property
    def memory_windows(self) -> bool:
        return any(not w.is_io for w in self.windows)

    @property
    def any(self) -> bool:
        """Something delivers pulses: the server attaches handlers and a side channel."""
        return bool(self.pulses or self.timers or self.interrupts)

    @property
    def has_hw(self) -> bool:
        """The device has an `hw` member and a <dev>_events.c."""
        return self.any or bool(self.windows)


def comment_safe(text: str) -> str:
    """Doc text that cannot end or nest the C comment it is printed in."""
    return text.replace("*/", "* /").replace("/*", "/ *")


def build(spec: dict, prefix: str, option_type) -> Events:
    """The Events of a validated spec; `option_type(flag, field, lo, hi, doc)` makes an Option."""
    ev = spec.get("events") or {}
    up = names.macro(prefix)
    pulses = tuple(
        Pulse(p["name"], f"{up}_PULSE_{p['name'].upper()}", i,
              p.get("priority", schema.default("events", "pulses", "priority")),
              names.hook(prefix, f"pulse_{p['name']}"), f"{prefix}_pulse_{p['name']}",
              f"{prefix}_send_{p['name']}", comment_safe(p.get("doc", "")))
        for i, p in enumerate(ev.get("pulses") or []))
    timers = []
    for t in ev.get("timers") or []:
        unit = "ms" if "period_ms" in t else "us"
        field = f"{t['name']}_period_{unit}"
        opt = option_type(t["flag"], f"hw.{field}", 1, 2147483647,
                          f"period of timer {t['name']} in {unit}") if "flag" in t else None
        timers.append(Timer(t["name"], unit, t[f"period_{unit}"], field, f"{t['name']}_timer",
                            t.get("priority", schema.default("events", "timers", "priority")),
                            names.hook(prefix, f"timer_{t['name']}"), f"{prefix}_timer_{t['name']}",
                            opt, comment_safe(t.get("doc", ""))))
    irqs = []
    for q in ev.get("interrupts") or []:
        field = f"{q['name']}_irq"
        opt = option_type(q["flag"], f"hw.{field}", 0, 2147483647,
                          f"interrupt number of {q['name']}") if "flag" in q else None
        irqs.append(Interrupt(q["name"], q["irq"], field, f"{q['name']}_intr_id",
                              q.get("priority", schema.default("events", "interrupts", "priority")),
                              names.hook(prefix, f"irq_{q['name']}"), f"{prefix}_irq_{q['name']}",
                              opt, comment_safe(q.get("doc", ""))))
    windows = []
    for w in spec.get("registers") or []:
        width = w.get("width", schema.default("registers", "width"))
        windows.append(Window(w["name"], w["paddr"], w["size"], width, WIDTH_TYPES[width], w["name"],
                              f"{up}_{w['name'].upper()}_PADDR", f"{up}_{w['name'].upper()}_SIZE",
                              f"{prefix}_{w['name']}_read{width}", f"{prefix}_{w['name']}_write{width}",
                              comment_safe(w.get("doc", "")), w.get("kind", schema.default("registers", "kind"))))
    return Events(f"{prefix}_hw_t", pulses, tuple(timers), tuple(irqs), tuple(windows))


def options(ev: Events) -> List["Option"]:
    """The command-line options that override a timer period or an interrupt number."""
    return [x.option for x in (*ev.timers, *ev.interrupts) if x.option is not None]


def hooks(ev: Events, dev_param: str, hook_type) -> List["Hook"]:
    """The event hooks, in spec order: pulses, timers, interrupts."""
    out = []
    for p in ev.pulses:
        out.append(hook_type(p.hook, "event", (dev_param, "int value"),
                             (p.doc or f"pulse {p.name}") + f".\nCalled with the device locked for each "
                             f"{p.const} pulse; value is the pulse's value.\nReturn EOK, or an errno "
                             "value to have it logged.", f"pulse {p.name}"))
    for t in ev.timers:
        out.append(hook_type(t.hook, "event", (dev_param,),
                             (t.doc or f"timer {t.name}") + f".\nCalled with the device locked every "
                             f"{t.period} {t.unit} (by default).\nReturn EOK, or an errno value to have "
                             "it logged.", f"timer {t.name}"))
    for q in ev.interrupts:
        out.append(hook_type(q.hook, "event", (dev_param,),
                             (q.doc or f"interrupt {q.name}") + f".\nCalled with the device locked after "
                             f"interrupt {q.irq} (by default) fired; the\ninterrupt stays masked until it "
                             "returns. Return EOK, or an errno value to have it logged.", f"interrupt {q.name}"))
    return out


def check(c) -> None:
    """Rules on events and registers; `c` is the checks._Checker (its add/_unique helpers)."""
    ev = c.d.get("events", {})
    for kind in ("pulses", "timers", "interrupts"):
        items = ev.get(kind, [])
        for i, item in enumerate(items):
            problem = names.identifier_problem(item["name"])
            if problem:
                c.add(problem[0], ("events", kind, i, "name"), **problem[1])
        c._unique([(x["name"], ("events", kind, i, "name"), False) for i, x in enumerate(items)],
                  f"{kind[:-1]} name")
    for i, t in enumerate(ev.get("timers", [])):
        given = [k for k in ("period_ms", "period_us") if k in t]
        if len(given) != 1:
            c.add("RM0120", ("events", "timers", i) + ((given[1],) if given else ("name",)),
                  at_key=bool(given), name=t["name"], given="both" if given else "neither")
    count = sum(len(ev.get(k, [])) for k in ("pulses", "timers", "interrupts"))
    if count > PULSE_CODES:
        c.add("RM0123", ("events",), at_key=True, count=count, avail=PULSE_CODES)
    _flags(c, ev)
    for i, w in enumerate(c.d.get("registers", [])):
        if w.get("kind") == "io" and w.get("width", schema.default("registers", "width")) == 64:
            c.add("RM0125", ("registers", i, "width" if "width" in w else "kind"), name=w["name"])
        nbytes = w.get("width", schema.default("registers", "width")) // 8
        for key in ("paddr", "size"):
            if w[key] % nbytes:
                c.add("RM0121", ("registers", i, key), name=w["name"], key=key, value=hex(w[key]),
                      nbytes=nbytes)
    c._unique([(w["name"], ("registers", i, "name"), False) for i, w in enumerate(c.d.get("registers", []))],
              "register window")
    for i, w in enumerate(c.d.get("registers", [])):
        problem = names.identifier_problem(w["name"])
        if problem:
            c.add(problem[0], ("registers", i, "name"), **problem[1])


def claim_names(c, made: dict) -> None:
    """The C names events and registers derive (hooks, handlers, send functions, pulse codes,
    register macros and accessors) join the collision check (RM0025) with everyone else's."""
    dev, up, ev = c.device, names.macro(c.device), c.d.get("events", {})
    derived = {
        "pulses": lambda n: (names.hook(dev, f"pulse_{n}"), f"{dev}_pulse_{n}", f"{dev}_send_{n}",
                             f"{up}_PULSE_{n.upper()}"),
        "timers": lambda n: (names.hook(dev, f"timer_{n}"), f"{dev}_timer_{n}"),
        "interrupts": lambda n: (names.hook(dev, f"irq_{n}"), f"{dev}_irq_{n}"),
    }
    for kind, cnames in derived.items():
        for i, item in enumerate(ev.get(kind, [])):
            _claim_all(c, made, cnames(item["name"]), f"{kind[:-1]} '{item['name']}'", ("events", kind, i, "name"))
    for i, w in enumerate(c.d.get("registers", [])):
        n, width = w["name"], w.get("width", schema.default("registers", "width"))
        _claim_all(c, made, (f"{up}_{n.upper()}_PADDR", f"{up}_{n.upper()}_SIZE", f"{dev}_{n}_read{width}",
                             f"{dev}_{n}_write{width}"), f"register window '{n}'", ("registers", i, "name"))


def _claim_all(c, made: dict, cnames, what: str, path) -> None:
    """Claim every name of one item; only its first clash is reported (one per item)."""
    for cname in cnames:
        clash = made.get(cname, what) != what
        c._claim(made, cname, what, path)
        if clash:
            return


def _flags(c, ev: dict) -> None:
    """Override flags are neither built in nor taken by a server option or another event."""
    taken = {o["flag"]: f"server option -{o['flag']}" for o in c.d.get("server", {}).get("options", [])}
    for kind in ("timers", "interrupts"):
        for i, item in enumerate(ev.get(kind, [])):
            if "flag" not in item:
                continue
            flag, path = item["flag"], ("events", kind, i, "flag")
            if flag in BUILTIN_FLAGS:
                c.add("RM0040", path, flag=flag, why=f"{BUILTIN_FLAGS[flag]} is built in")
            elif flag in taken:
                c.add("RM0122", path, flag=flag, other=taken[flag])
            else:
                taken[flag] = f"{kind[:-1]} {item['name']}"
