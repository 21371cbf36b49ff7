"""Semantic checks on a schema-valid spec (the rules of docs/spec-format.md).

Each rule adds diagnostics located at the offending value; none raises. Defaults are
read from the schema's `default` annotations so there is one place that states them.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from rmgen import events, hints, messages, names, naming, paths, schema
from rmgen.diagnostics import Diagnostics, did_you_mean
from rmgen.loader import PathKey, Spec
from rmgen.typesys import (DCMD_CLASSES, MAX_ARRAY, MAX_DEVCTL_PAYLOAD, MAX_DEVCTLS, MAX_STRUCT_DEPTH, PRIMITIVES,
                           TypeRef, TypeTable, parse_typeref, payload_size)

_BUILTIN_TYPES = set(PRIMITIVES) | {"char"}
_RESERVED_FLAGS = events.BUILTIN_FLAGS  # -p PATH, -f, -d, -v, -h
_STATE_LISTS = ("state", "open_state")
_REJECTS, _THEN = "_rejects_", "_then_"  # the host test's derived names continue after these


def check(spec: Spec, diags: Diagnostics) -> None:
    """Run every semantic rule on `spec` (which passed the schema)."""
    c = _Checker(spec, diags)
    c.names()
    c.collisions()
    refs, resolved = c.type_refs()
    sized = resolved and c.acyclic(refs)
    if sized:
        c.payloads(refs)
    c.devctl_codes()
    c.held_devctls()
    c.numbers(refs)
    c.state_bindings()
    c.options()
    c.io_and_server()
    events.check(c)
    paths.check(c)
    naming.check(c)
    c.refs = refs
    messages.check(c, c.type_table(refs) if sized else None)



class _Checker:
    def __init__(self, spec: Spec, diags: Diagnostics):
        self.spec, self.diags, self.d = spec, diags, spec.data
        self.device = self.d["device"]["name"]
        self.enums: Dict[str, dict] = self.d.get("enums", {})
        self.types: Dict[str, dict] = self.d.get("types", {})
        self.devctls: List[dict] = self.d.get("devctl", [])
        self.state = {f["name"]: f for f in self.d.get("state", [])}

    def add(self, id: str, path: PathKey, at_key: bool = False, **args: object) -> None:
        self.diags.add(id, self.spec.loc(path, key=at_key), **args)

    def _first(self, path: PathKey, key: bool = False) -> Dict[str, int]:
        loc = self.spec.loc(path, key=key)
        return {"line": loc.line, "col": loc.col}

    # --- names --------------------------------------------------------------------
    def names(self) -> None:
        """Names are usable C identifiers and unique in their scope."""
        defs: List[Tuple[PathKey, bool, str]] = [(("device", "name"), False, "device")]
        for section in ("enums", "types"):
            for name in self.d.get(section, {}):
                defs.append(((section, name), True, section))
        for e, enum in self.enums.items():
            defs += [(("enums", e, "values", i, "name"), False, "") for i in range(len(enum["values"]))]
        for t, struct in self.types.items():
            defs += [(("types", t, "fields", i, "name"), False, "") for i in range(len(struct["fields"]))]
        for section in _STATE_LISTS + ("devctl",):
            defs += [((section, i, "name"), False, "") for i in range(len(self.d.get(section, [])))]
        defs += [(("messages", "subtypes", i, "name"), False, "") for i in range(len(self._messages))]
        for section, taken, what in (("state", names.DEVICE_MEMBERS, "the device struct"),
                                     ("open_state", names.OPEN_FILE_MEMBERS, "the open-file struct")):
            for i, f in enumerate(self.d.get(section, [])):
                if f["name"] in taken:
                    self.add("RM0023", (section, i, "name"), name=f["name"], what=f"rmgen's own member of {what}")
        for path, is_key, kind in defs:
            name = path[-1] if is_key else self.spec.value(path)
            if kind in ("enums", "types") and name in _BUILTIN_TYPES:
                self.add("RM0047", path, at_key=True, name=name)
                continue
            problem = names.identifier_problem(name, device=kind == "device")
            if problem:
                self.add(problem[0], path, at_key=is_key, **problem[1])

        type_names = sorted([(self.spec.loc((s, n), key=True), (s, n)) for s in ("enums", "types")
                             for n in self.d.get(s, {})], key=lambda x: (x[0].line, x[0].col))
        self._unique([(p[1], p, True) for _, p in type_names], "type name")
        for e, enum in self.enums.items():
            self._unique(self._named(("enums", e, "values"), enum["values"]), "value")
        for t, struct in self.types.items():
            self._unique(self._named(("types", t, "fields"), struct["fields"]), "field")
        for section in _STATE_LISTS + ("devctl",):
            self._unique(self._named((section,), self.d.get(section, [])), f"{section} entry")
        self._unique(self._named(("messages", "subtypes"), self._messages), "message")
        options = self.d.get("server", {}).get("options", [])
        self._unique([(o["flag"], ("server", "options", i, "flag"), False) for i, o in enumerate(options)],
                     "option flag")

    @staticmethod
    def _named(base: PathKey, items: List[dict]) -> List[Tuple[str, PathKey, bool]]:
        return [(item["name"], base + (i, "name"), False) for i, item in enumerate(items)]

    def _unique(self, items: List[Tuple[str, PathKey, bool]], what: str) -> None:
        first: Dict[str, Tuple[PathKey, bool]] = {}
        for name, path, is_key in items:
            if name in first:
                self.add("RM0024", path, at_key=is_key, what=what, name=name, **self._first(*first[name]))
            else:
                first[name] = (path, is_key)

    def collisions(self) -> None:
        """Every C name derived from spec names (or set in `naming`) stays distinct, and
        clear of rmgen's own."""
        dev, made, tags = self.device, {}, {}
        cn = naming.Naming(self.d)
        for suffix, what in names.FIXED_SUFFIXES:
            made[f"{dev}_{suffix}"] = f"rmgen's {what}"
        for suffix, what in names.FIXED_MACROS:
            made[f"{names.macro(dev)}_{suffix}"] = f"rmgen's {what}"
        for name in names.GENERATED_NAMES:
            made[name] = "rmgen's own helper"
        if self.d.get("server", {}).get("on_shutdown"):
            made[names.hook(dev, "shutdown")] = "rmgen's shutdown hook"
        for suffix, what in names.FIXED_TAGS:
            tags[f"{dev}_{suffix}"] = f"rmgen's {what}"
        for e, enum in self.enums.items():
            where = ("enums", e)
            self._claim(made, cn.type_name("enums", e), f"enum '{e}'", *self._named_at("enums", e, "type"))
            self._claim(made, names.valid_fn(dev, e), f"enum '{e}'", where, at_key=True)
            self._claim(tags, cn.tag("enums", e), f"enum '{e}'", *self._named_at("enums", e, "tag"))
            for i, value in enumerate(enum["values"]):
                consts = self.d.get("naming", {}).get("enums", {}).get(e, {}).get("constants", {})
                at = ("naming", "enums", e, "constants", value["name"]) if value["name"] in consts else \
                    ("enums", e, "values", i, "name")
                self._claim(made, cn.enum_constant(e, value["name"]), f"enum value '{e}.{value['name']}'", at)
        for t in self.types:
            where = ("types", t)
            self._claim(made, cn.type_name("types", t), f"type '{t}'", *self._named_at("types", t, "type"))
            self._claim(made, names.check_fn(dev, t), f"type '{t}'", where, at_key=True)
            self._claim(tags, cn.tag("types", t), f"type '{t}'", *self._named_at("types", t, "tag"))
        for i, dc in enumerate(self.devctls):
            what, where = f"devctl '{dc['name']}'", ("devctl", i, "name")
            self._claim(made, cn.dcmd_macro(dc["name"]), what, where)
            self._claim(made, names.client_fn(dev, dc["name"]), what, where)
            self._claim(made, names.hook(dev, dc["name"]), what, where)
            self._claim(made, names.handler(dev, dc["name"]), what, where)
            self._claim(tags, f"{dev}_{dc['name']}_msg", what, where)
            if dc.get("blocking"):
                self._claim(made, f"{names.client_fn(dev, dc['name'])}_ready", what, where)
        if self._messages:
            self._claim(made, names.macro(dev, "msg", "mgrid"), "rmgen's manager id macro", ("messages",), True)
        if "group" in self.d.get("security", {}):
            self._claim(made, names.macro(dev, "privileged", "gid"), "rmgen's group macro",
                        ("security", "group"), True)
        for i, m in enumerate(self._messages):
            what, where = f"message '{m['name']}'", ("messages", "subtypes", i, "name")
            self._claim(made, f"{dev}_msg_{m['name']}", what, where)
            self._claim(made, names.hook(dev, f"msg_{m['name']}"), what, where)
            self._claim(made, f"{dev}_serve_{m['name']}", what, where)
            self._claim(made, names.macro(dev, "msg", m["name"]), what, where)
        events.claim_names(self, made)
        self._test_names()

    def _named_at(self, section: str, name: str, key: str) -> Tuple[PathKey, bool]:
        """(path, at_key) of where a C name of an enum or type is decided: its `naming`
        entry if the spec sets it there, else the definition's key."""
        given = self.d.get("naming", {}).get(section, {}).get(name, {})
        return (("naming", section, name, key), False) if key in given else ((section, name), True)

    @property
    def _messages(self) -> List[dict]:
        return (self.d.get("messages") or {}).get("subtypes", [])

    def _test_names(self) -> None:
        """The host test's functions test_dcmd_NAME[_raw|_needs_mode|_rejects_...|_then_...]
        stay distinct: a devctl named like another one's derived test is refused."""
        derived: Dict[str, str] = {}  # derived test name (without test_dcmd_) -> whose test
        # derived names continued by a field or command name -> (order made, whose test)
        prefixes: Dict[str, Tuple[int, str]] = {}
        for dc in self.devctls:
            n, test = dc["name"], f"the host test of devctl '{dc['name']}'"
            if "in" in dc:
                derived.setdefault(f"{n}_raw", test)
                derived.setdefault(f"{n}{_REJECTS}value", test)
                prefixes.setdefault(f"{n}{_REJECTS}", (len(prefixes), test))
            if dc.get("access", schema.default("devctl", "access")) != "any":
                derived.setdefault(f"{n}_needs_mode", test)
            if "state" in dc:
                prefixes.setdefault(f"{n}{_THEN}", (len(prefixes), test))
            if dc.get("privileged"):
                derived.setdefault(f"{n}_privileged", test)
        msg_tests = {"not_ours": "the host test's own test_msg_not_ours",
                     "mid_combine": "the host test's own test_msg_mid_combine"}
        msg_tests.update({f"{m['name']}_privileged": f"the host test of message '{m['name']}'"
                          for m in self._messages if m.get("privileged")})
        for i, m in enumerate(self._messages):
            if m["name"] in msg_tests:
                self.add("RM0025", ("messages", "subtypes", i, "name"), first=msg_tests[m["name"]],
                         second=f"message '{m['name']}'", cname=f"test_msg_{m['name']}")
        for i, dc in enumerate(self.devctls):
            n = dc["name"]
            clash = derived.get(n) or _first_prefix(n, prefixes)
            if clash:
                self.add("RM0025", ("devctl", i, "name"), first=clash, second=f"devctl '{n}'",
                         cname=f"test_dcmd_{n}")

    def _claim(self, made: Dict[str, str], cname: str, what: str, path: PathKey, at_key: bool = False) -> None:
        if cname in made and made[cname] != what:
            self.add("RM0025", path, at_key, first=made[cname], second=what, cname=cname)
        made.setdefault(cname, what)

    # --- types --------------------------------------------------------------------
    def _field_lists(self):
        """(path, field) for every struct field and state/open_state field."""
        for t, struct in self.types.items():
            for i, f in enumerate(struct["fields"]):
                yield ("types", t, "fields", i), f
        for section in _STATE_LISTS:
            for i, f in enumerate(self.d.get(section, [])):
                yield (section, i), f

    def type_refs(self) -> Tuple[Dict[PathKey, TypeRef], bool]:
        """Parse and resolve every type reference: the good ones, and whether all are."""
        refs: Dict[PathKey, TypeRef] = {}
        ok = True
        places = [(p + ("type",), f["type"]) for p, f in self._field_lists()]
        for i, dc in enumerate(self.devctls):
            places += [(("devctl", i, k), dc[k]) for k in ("in", "out") if k in dc]
        places += messages.type_places(self.d)
        known = _BUILTIN_TYPES | set(self.enums) | set(self.types)
        for path, text in places:
            ref = parse_typeref(text)
            if ref.name not in known:
                self.add("RM0026", path, name=ref.name,
                         hint=hints.c_type(ref.name) or did_you_mean(ref.name, known))
            elif ref.name == "char" and ref.count is None:
                self.add("RM0046", path, problem="char needs a length: use char[N] for a string of "
                         "up to N-1 bytes")
            elif ref.count is not None and not 1 <= ref.count <= MAX_ARRAY:
                self.add("RM0046", path, problem=f"array length {ref.count} is outside 1..{MAX_ARRAY}")
            else:
                refs[path] = ref
                continue
            ok = False
        return refs, ok

    def acyclic(self, refs: Dict[PathKey, TypeRef]) -> bool:
        """No struct contains itself (each cycle reported once, at its first field) and none
        nests deeper than MAX_STRUCT_DEPTH; iterative, so a long chain cannot exhaust the stack."""
        edges = {t: [(i, refs[("types", t, "fields", i, "type")].name) for i in range(len(s["fields"]))
                     if refs[("types", t, "fields", i, "type")].name in self.types]
                 for t, s in self.types.items()}
        depth: Dict[str, int] = {}  # structs done: how many structs deep they nest (1 = flat)
        reported: set = set()
        too_deep = False
        for root in (t for t in self.types if t not in depth):
            stack = [[root, 0]]  # (struct, edges followed so far): the path being explored
            while stack:
                t, k = stack[-1]
                if k == len(edges[t]):
                    stack.pop()
                    depth[t] = 1 + max((depth.get(target, 0) for _, target in edges[t]), default=0)
                    if depth[t] == MAX_STRUCT_DEPTH + 1:
                        too_deep = True
                        self.add("RM0056", ("types", t), at_key=True, name=t, depth=depth[t],
                                 limit=MAX_STRUCT_DEPTH)
                    continue
                stack[-1][1] = k + 1
                i, target = edges[t][k]
                names_on_stack = [s for s, _ in stack]
                if target in names_on_stack:
                    start = names_on_stack.index(target)
                    cycle = names_on_stack[start:]
                    if frozenset(cycle) not in reported:
                        reported.add(frozenset(cycle))
                        s, followed = stack[start]
                        self.add("RM0027", ("types", s, "fields", edges[s][followed - 1][0], "type"),
                                 name=target, cycle=" -> ".join(cycle + [target]))
                elif target not in depth:
                    stack.append([target, 0])
        return not reported and not too_deep

    def type_table(self, refs: Dict[PathKey, TypeRef]) -> TypeTable:
        """Sizes and layouts of the spec's types (all resolved, none cyclic)."""
        return TypeTable({t: [(f["name"], refs[("types", t, "fields", i, "type")])
                              for i, f in enumerate(s["fields"])] for t, s in self.types.items()},
                         {e: enum.get("base", schema.default("enums", "base")) for e, enum in self.enums.items()})

    def payloads(self, refs: Dict[PathKey, TypeRef]) -> None:
        """Each devctl payload (in, out, or the union of both, padded) fits the 14-bit dcmd size."""
        table = self.type_table(refs)
        for i, dc in enumerate(self.devctls):
            given = [k for k in ("in", "out") if k in dc]
            if not given:
                continue
            size = payload_size(*(table.shape(refs[("devctl", i, k)]) for k in given))
            if size > MAX_DEVCTL_PAYLOAD:
                key = max(given, key=lambda k: table.sizeof(refs[("devctl", i, k)]))
                self.add("RM0028", ("devctl", i, key), name=dc["name"], size=size, limit=MAX_DEVCTL_PAYLOAD)

    def devctl_codes(self) -> None:
        """(class, code) pairs are unique; at most MAX_DEVCTLS commands."""
        if len(self.devctls) > MAX_DEVCTLS:
            self.add("RM0057", ("devctl", MAX_DEVCTLS, "name"), count=len(self.devctls), limit=MAX_DEVCTLS)
        seen: Dict[Tuple[int, int], str] = {}
        for i, dc in enumerate(self.devctls):
            cls = dc.get("class", schema.default("devctl", "class"))
            key = (DCMD_CLASSES[cls] if isinstance(cls, str) else cls, dc["code"])
            if key in seen:
                self.add("RM0029", ("devctl", i, "code"), name=dc["name"], cls=cls, code=dc["code"],
                         other=seen[key])
            seen.setdefault(key, dc["name"])

    # --- numbers ------------------------------------------------------------------
    def held_devctls(self) -> None:
        """A blocking devctl answers with its out payload: it must have one."""
        for i, dc in enumerate(self.devctls):
            if dc.get("blocking") and "out" not in dc:
                self.add("RM0124", ("devctl", i, "blocking"), at_key=True, name=dc["name"])

    def _fits(self, path: PathKey, what: str, value: int, type_name: str) -> bool:
        p = PRIMITIVES[type_name]
        if p.min <= value <= p.max:
            return True
        self.add("RM0030", path, what=what, value=value, type=type_name, lo=p.min, hi=p.max)
        return False

    def numbers(self, refs: Dict[PathKey, TypeRef]) -> None:
        """Enum values fit their base; min/max/default fit and agree with their field."""
        for e, enum in self.enums.items():
            base = enum.get("base", schema.default("enums", "base"))
            for i, v in enumerate(enum["values"]):
                self._fits(("enums", e, "values", i, "value"), f"enum value '{v['name']}'", v["value"], base)
        for path, f in self._field_lists():
            ref = refs.get(path + ("type",))
            if ref is not None:
                self._bounds(path, f, ref)
                if "default" in f:
                    self._default(path, f, ref)

    @staticmethod
    def _is_integer(name: str) -> bool:
        return name in PRIMITIVES and not PRIMITIVES[name].is_bool

    def _bounds(self, path: PathKey, f: dict, ref: TypeRef) -> None:
        ok = True
        for key in ("min", "max"):
            if key not in f:
                continue
            if not self._is_integer(ref.name):
                self.add("RM0036", path + (key,), key=key, type=str(ref))
                ok = False
            else:
                ok = self._fits(path + (key,), key, f[key], ref.name) and ok
        if ok and "min" in f and "max" in f and f["min"] > f["max"]:
            self.add("RM0031", path + ("max",), min=f["min"], max=f["max"])

    def _default(self, path: PathKey, f: dict, ref: TypeRef) -> None:
        value, at = f["default"], path + ("default",)
        kind = "char" if ref.is_char_string else ("array" if ref.count is not None else ref.name)
        if kind == "array" or ref.name in self.types:
            self.add("RM0033", at, type=str(ref))
        elif kind == "char":
            if not isinstance(value, str):
                self.add("RM0034", at, type=str(ref), expected="a string", actual=schema.kind(value))
            elif len(value.encode("utf-8")) >= ref.count:
                self.add("RM0034", at, type=str(ref), expected=f"a string of at most {ref.count - 1} bytes",
                         actual=f"{len(value.encode('utf-8'))} bytes")
        elif ref.name in self.enums:
            values = [v["name"] for v in self.enums[ref.name]["values"]]
            if not isinstance(value, str):
                self.add("RM0034", at, type=str(ref), expected="the name of one of its values",
                         actual=schema.kind(value))
            elif value not in values:
                self.add("RM0035", at, value=value, enum=ref.name, hint=did_you_mean(value, values))
        elif PRIMITIVES[ref.name].is_bool:
            if not isinstance(value, bool):
                self.add("RM0034", at, type="bool", expected="true or false", actual=schema.kind(value))
        elif isinstance(value, bool) or not isinstance(value, int):
            self.add("RM0034", at, type=ref.name, expected="an integer", actual=schema.kind(value))
        elif self._fits(at, "default", value, ref.name):
            lo, hi = f.get("min", PRIMITIVES[ref.name].min), f.get("max", PRIMITIVES[ref.name].max)
            if not lo <= value <= hi:
                self.add("RM0032", at, value=value, lo=lo, hi=hi)

    # --- bindings, options, io, server ----------------------------------------------
    def _state_field(self, path: PathKey, name: str) -> Optional[dict]:
        if name not in self.state:
            self.add("RM0037", path, name=name, hint=did_you_mean(name, self.state))
        return self.state.get(name)

    def state_bindings(self) -> None:
        """devctl `state:` names a state field of exactly the devctl's in/out type."""
        for i, dc in enumerate(self.devctls):
            if "state" not in dc:
                continue
            field = self._state_field(("devctl", i, "state"), dc["state"])
            if field is None:
                continue
            ftype = str(parse_typeref(field["type"]))
            payloads = [(k, str(parse_typeref(dc[k]))) for k in ("in", "out") if k in dc] or [("payload", "none")]
            for direction, ptype in payloads:
                if ptype != ftype:
                    self.add("RM0038", ("devctl", i, "state"), name=dc["name"], field=field["name"],
                             ftype=ftype, direction=direction, ptype=ptype)

    def options(self) -> None:
        """Option flags are not built-in ones; each sets an integer or bool state field."""
        for i, opt in enumerate(self.d.get("server", {}).get("options", [])):
            path = ("server", "options", i)
            if opt["flag"] in _RESERVED_FLAGS:
                self.add("RM0040", path + ("flag",), flag=opt["flag"],
                         why=f"{_RESERVED_FLAGS[opt['flag']]} is built in")
            field = self._state_field(path + ("state",), opt["state"])
            if field is not None:
                ref = parse_typeref(field["type"])
                if ref.count is not None or ref.name not in PRIMITIVES:
                    self.add("RM0039", path + ("state",), flag=opt["flag"], field=field["name"], type=str(ref))

    def io_and_server(self) -> None:
        """io keys match io.kind; pool matches threads and is ordered; mode <= 0777."""
        io = self.d.get("io", {})
        kind = io.get("kind", schema.default("io", "kind"))
        if "size" in io and kind != "buffer":
            self.add("RM0041", ("io", "size"), at_key=True, key="size", kind=kind)
        if "access" in io and kind == "none":
            self.add("RM0041", ("io", "access"), at_key=True, key="access", kind=kind)
        if kind == "buffer" and "size" not in io:
            self.add("RM0042", ("io", "kind"))
        if "blocking" in io and kind != "hook":
            self.add("RM0041", ("io", "blocking"), at_key=True, key="blocking", kind=kind)
        server = self.d.get("server", {})
        if "pool" in server and server.get("threads", schema.default("server", "threads")) != "pool":
            self.add("RM0043", ("server", "pool"), at_key=True)
        pool = {k: server.get("pool", {}).get(k, schema.default("server", "pool", k))
                for k in ("lo_water", "hi_water", "maximum")}
        for low, high in (("lo_water", "hi_water"), ("hi_water", "maximum")):
            if pool[low] > pool[high]:
                self.add("RM0044", ("server", "pool", high if high in server.get("pool", {}) else low),
                         problem=f"{low} {pool[low]} is greater than {high} {pool[high]}")
        mode = self.d["device"].get("mode", schema.default("device", "mode"))
        if int(mode, 8) > 0o777:
            self.add("RM0045", ("device", "mode"), value=mode)


def _first_prefix(name: str, prefixes: Dict[str, Tuple[int, str]]) -> Optional[str]:
    """Whose host test `name` continues: of the derived prefixes it starts with, the one made
    first. Each prefix ends in a derived word (_rejects_, _then_), so only `name` cut just
    after each of its own occurrences of one is looked up (linear in commands)."""
    found = []
    for word in (_REJECTS, _THEN):
        at = name.find(word)
        while at != -1:
            cut = name[:at + len(word)]
            if cut in prefixes:
                found.append(prefixes[cut])
            at = name.find(word, at + 1)
    return min(found)[1] if found else None
