"""Semantic checks on the parts of a spec that passed the schema, so that errors do not
come in rounds (fix the schema errors, run again, meet the semantic ones).

Only parts that nothing else depends on are set aside: a bad item of devctl, state,
open_state or server.options, or a bad io or server section. If the device, a type or
an enum has a schema error, every other part may depend on it, and the semantic checks
wait for the next run. Reports that only follow from a part set aside (a devctl naming
a state field that was set aside) are dropped.
"""
from __future__ import annotations

from typing import Dict, Optional, Set

from rmgen import checks, schema
from rmgen.diagnostics import Diagnostics
from rmgen.loader import PathKey, Spec

_LISTS = (("server", "options"), ("devctl",), ("state",), ("open_state",))
_SECTIONS = ("io", "server", "devctl", "state", "open_state")


def check_valid_parts(spec: Spec, diags: Diagnostics) -> None:
    """Run the semantic checks on `spec` minus the parts with schema errors, if that is safe."""
    if not isinstance(spec.data, dict):
        return
    drop: Dict[PathKey, Set[int]] = {lst: set() for lst in _LISTS}
    sections: Set[str] = set()
    validator = schema.validator()
    for error in validator.iter_errors(spec.data):
        path = tuple(error.absolute_path)
        lst = next((x for x in _LISTS if path[:len(x)] == x and len(path) > len(x)), None)
        if lst is not None:
            drop[lst].add(path[len(lst)])
        elif path[:1] and path[0] in _SECTIONS:
            sections.add(path[0])
        else:
            return  # the device, a type, an enum or the format: nothing is safe to check
    pruned = _pruned(spec, drop, sections)
    if any(True for _ in validator.iter_errors(pruned.data)):
        return
    mine = Diagnostics()
    checks.check(pruned, mine)
    gone = _state_names(spec, drop, sections)
    # a reference to a state field set aside may be fine once that field is fixed
    diags.extend(mine, keep=lambda d: d.id != "RM0037" or (
        gone is not None and not any(f"'{n}'" in d.message for n in gone)))


def _state_names(spec: Spec, drop, sections) -> Optional[Set[str]]:
    """Names of the state fields set aside; None if unknown (then all references are doubtful)."""
    if "state" in sections:
        return None
    names = set()
    for i in drop[("state",)]:
        item = spec.data["state"][i]
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            return None
        names.add(item["name"])
    return names


def _pruned(spec: Spec, drop, sections) -> Spec:
    """A copy of `spec` without the parts set aside; locations keep pointing at the file."""
    def remap(path: PathKey) -> Optional[PathKey]:
        if path[:1] and path[0] in sections:
            return None
        for lst, gone in drop.items():
            if path[:len(lst)] == lst and len(path) > len(lst):
                i = path[len(lst)]
                if i in gone:
                    return None
                return lst + (i - sum(1 for g in gone if g < i),) + path[len(lst) + 1:]
        return path

    data = {k: v for k, v in spec.data.items() if k not in sections}
    for lst, gone in drop.items():
        if gone and lst[0] not in sections:
            _replace(data, lst, [x for i, x in enumerate(spec.value(lst)) if i not in gone])
    values = {q: v for p, v in spec.values.items() if (q := remap(p)) is not None}
    keys = {q: v for p, v in spec.keys.items() if (q := remap(p)) is not None}
    return Spec(spec.file, data, spec.lines, values, keys)


def _replace(data: dict, path: PathKey, items: list) -> None:
    """Set data[path] = items, copying the mappings on the way (the spec is not changed)."""
    node = data
    for key in path[:-1]:
        node[key] = dict(node[key])
        node = node[key]
    node[path[-1]] = items
