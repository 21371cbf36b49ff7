"""Custom messages and privileges: `messages:` (_IO_MSG through the fd), `privileged:` on
commands and messages, and the `security:` block (privileged group, abilities kept after
the attach, security policy type).

The typed model (every C name, value and check decided here) and the semantic rules;
model.py attaches `Messages` and `Security` to the Device, templates/parts/msg_*.j2 and
security_*.j2 lay them out.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Tuple

import msgspec

from rmgen import names, schema

if TYPE_CHECKING:  # pragma: no cover
    from rmgen.model import Hook, Payload

IOMGR_PRIVATE_BASE = 0xF000   # first private manager id (<sys/iomsg.h>)
MAX_MSG_PAYLOAD = 0x3FFF      # as devctl's: the receive buffer holds the largest reply
ABILITIES = {                 # security.keep_abilities -> PROCMGR_AID_*
    "interrupt": "PROCMGR_AID_INTERRUPT", "interruptevent": "PROCMGR_AID_INTERRUPTEVENT",
    "io": "PROCMGR_AID_IO", "mem_phys": "PROCMGR_AID_MEM_PHYS", "mem_special": "PROCMGR_AID_MEM_SPECIAL",
    "pathspace": "PROCMGR_AID_PATHSPACE", "public_channel": "PROCMGR_AID_PUBLIC_CHANNEL",
    "timer": "PROCMGR_AID_TIMER", "priority": "PROCMGR_AID_PRIORITY", "spawn": "PROCMGR_AID_SPAWN",
    "keydata": "PROCMGR_AID_KEYDATA",
}


class Message(msgspec.Struct, frozen=True):
    name: str
    subtype: int
    macro: str               # MAILBOX_MSG_READ_CELL: the subtype constant
    inp: Optional["Payload"]
    out: Optional["Payload"]
    access: str
    access_flags: Tuple[str, ...]
    access_text: str
    open_flag: str
    privileged: bool
    hook: str                # mailbox_on_msg_read_cell
    client_fn: str           # mailbox_msg_read_cell
    handler: str             # mailbox_serve_read_cell (static, in the io file)
    doc: str
    state = None             # messages bind no state field (the hook stub reads this)
    blocking = False         # messages are answered at once, never held

    @property
    def payload_params(self) -> Tuple[str, ...]:
        """Parameter declarations of the payload, shared by the client function and the hook."""
        return tuple(([f"const {self.inp.ctype.param('in')}"] if self.inp else [])
                     + ([self.out.ctype.param("out")] if self.out else []))


class Messages(msgspec.Struct, frozen=True):
    manager: int             # mgrid = _IOMGR_PRIVATE_BASE + manager
    mgrid_macro: str         # MAILBOX_MSG_MGRID
    reply_t: str             # mailbox_msg_reply_t: the reply header
    list: Tuple[Message, ...]

    @property
    def mgrid(self) -> int:
        return IOMGR_PRIVATE_BASE + self.manager

    @property
    def max_out(self) -> int:
        return max([m.out.ctype.size for m in self.list if m.out] + [0])

    @property
    def max_in(self) -> int:
        return max([m.inp.ctype.size for m in self.list if m.inp] + [0])

    @property
    def unused_subtype(self) -> int:
        """A subtype no message has (tests send it)."""
        used = {m.subtype for m in self.list}
        return next(n for n in range(65535, -1, -1) if n not in used)


class Security(msgspec.Struct, frozen=True):
    group: Optional[int]     # members of this gid are privileged (besides euid 0)
    privileged_fn: str       # mailbox_client_privileged (static, in the io file)
    drop: bool               # procmgr_ability() after the attach
    keep: Tuple[str, ...]    # PROCMGR_AID_* kept, in a fixed order
    policy_type: Optional[str]  # 8.0: secpol_resmgr_attach()

    @property
    def who(self) -> str:
        """Who is privileged, for comments and documentation."""
        return "effective uid 0 (root)" + (f" or group {self.group}" if self.group is not None else "")


def build_messages(spec: dict, prefix: str, payload: Callable, access: Callable) -> Optional[Messages]:
    """The Messages of a validated spec; `payload(type, is_input)` makes a Payload and
    `access(mode)` gives (flags, text, open flag) of an access mode."""
    ms = spec.get("messages")
    if not ms:
        return None
    up = names.macro(prefix)
    out = []
    for m in ms["subtypes"]:
        mode = m.get("access", schema.default("devctl", "access"))
        flags, text, open_flag = access(mode)
        out.append(Message(
            m["name"], m["subtype"], f"{up}_MSG_{m['name'].upper()}", payload(m.get("in"), True),
            payload(m.get("out"), False), mode, flags, text, open_flag, bool(m.get("privileged", False)),
            names.hook(prefix, f"msg_{m['name']}"), f"{prefix}_msg_{m['name']}",
            f"{prefix}_serve_{m['name']}", m.get("doc", "")))
    return Messages(ms.get("manager", schema.default("messages", "manager")), f"{up}_MSG_MGRID",
                    f"{prefix}_msg_reply_t", tuple(sorted(out, key=lambda m: m.subtype)))


def build_security(spec: dict, prefix: str, needs: Tuple[str, ...]) -> Optional[Security]:
    """The Security of a spec: from its `security:` block, or (without one) only when
    something is privileged. `needs`: abilities the server's events/registers keep."""
    sec = spec.get("security")
    privileged = any(c.get("privileged") for c in spec.get("devctl") or []) or any(
        m.get("privileged") for m in (spec.get("messages") or {}).get("subtypes", []))
    if sec is None and not privileged:
        return None
    sec = sec or {}
    asked = {ABILITIES[a] for a in sec.get("keep_abilities", [])} | set(needs)
    keep = tuple(a for a in ABILITIES.values() if a in asked)
    drop = sec.get("drop_abilities", schema.default("security", "drop_abilities")) if "security" in spec else False
    return Security(sec.get("group"), f"{prefix}_client_privileged", drop, keep, sec.get("policy_type"))


def hooks(ms: Optional[Messages], dev_param: str, ocb_param: str, hook_type) -> List["Hook"]:
    """One hook per message, in subtype order."""
    if ms is None:
        return []
    return [hook_type(m.hook, "devctl", (dev_param, ocb_param, *m.payload_params),
                      (m.doc or f"message {m.name}") + ".\nReturn EOK or an errno value for the client.",
                      f"message {m.name} ({m.macro})", m) for m in ms.list]


def type_places(d: dict) -> List[Tuple[tuple, str]]:
    """(path, type text) of every message payload, for the type-reference checks."""
    subtypes = (d.get("messages") or {}).get("subtypes", [])
    return [(("messages", "subtypes", i, k), m[k]) for i, m in enumerate(subtypes) for k in ("in", "out") if k in m]


def check(c, table) -> None:
    """Rules on messages and privileges; `c` is the checks._Checker, `table` its TypeTable
    of resolved types (None when some type did not resolve)."""
    subtypes = (c.d.get("messages") or {}).get("subtypes", [])
    seen: Dict[int, str] = {}
    for i, m in enumerate(subtypes):
        if m["subtype"] in seen:
            c.add("RM0100", ("messages", "subtypes", i, "subtype"), name=m["name"], subtype=m["subtype"],
                  other=seen[m["subtype"]])
        seen.setdefault(m["subtype"], m["name"])
        for key in ("in", "out"):
            if table is not None and key in m:
                size = table.sizeof(c.refs[("messages", "subtypes", i, key)])
                if size > MAX_MSG_PAYLOAD:
                    c.add("RM0101", ("messages", "subtypes", i, key), name=m["name"], key=key, size=size,
                          limit=MAX_MSG_PAYLOAD)
    sec = c.d.get("security", {})
    privileged = any(x.get("privileged") for x in c.devctls) or any(m.get("privileged") for m in subtypes)
    if "group" in sec and not privileged:
        c.add("RM0102", ("security", "group"), at_key=True)
