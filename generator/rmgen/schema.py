"""Validating a loaded spec against the JSON Schema, with located, human messages.

The schema (`schemas/rmgen-spec-v1.json`) is the single machine-readable description of
the format. jsonschema reports errors by document path; the loader's location map turns
each path into a line and column, and each kind of schema error has its own ID.
"""
from __future__ import annotations

import functools
import json
from typing import Callable, Dict, Tuple

from rmgen import escape, gate, hints, names, resources
from rmgen.diagnostics import Diagnostics, did_you_mean
from rmgen.loader import PathKey, Spec

SCHEMA_FILE = "rmgen-spec-v1.json"

_KINDS = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean",
          int: "an integer", float: "a number", type(None): "null"}
_JSON_KINDS = {"object": "a mapping", "array": "a list", "string": "a string",
               "integer": "an integer", "boolean": "a boolean"}
_PATTERNS = {
    names.IDENTIFIER.pattern: "a lower-case C identifier",
    "^(/(?!\\.\\.?(/|$))[A-Za-z0-9._+,:@=-]+)+$":
        "an absolute path of letters, digits and . _ + , : @ = - (no trailing '/', '//', '.' or '..')",
    f"^[^{escape.FORBIDDEN}]+$": "a single non-empty line without control or bidirectional-formatting characters",
    f"^[^{escape.FORBIDDEN}]*$": "a single line without control or bidirectional-formatting characters",
    "^[0-7]{3,4}$": "an octal string like \"0660\"",
    "^[A-Za-z0-9]$": "a single letter or digit",
    "^[a-z_][a-z0-9_]*(\\[[0-9]+\\])?$": "a type like u32, char[16], sample or sample[4]",
    "^[A-Z][A-Z0-9_]*$": "an upper-case C name like CAN_MODE_LOOPBACK",
    "^([A-Z][A-Z0-9_]*)?$": "empty or the upper-case start of C names, like CAN_DEVCTL_",
    "^[A-Za-z][A-Za-z0-9_]*$": "a C type name (a letter, then letters, digits and _)",
    "^[a-z][a-z0-9_]*$": "a lower-case C tag (a letter, then lower-case letters, digits and _)",
}


@functools.lru_cache(maxsize=None)
def schema() -> dict:
    """The spec JSON Schema (draft 2020-12)."""
    return json.loads((resources.data_dir("schemas") / SCHEMA_FILE).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def _inlined_schema() -> dict:
    return _inlined(schema(), schema()["$defs"])


@functools.lru_cache(maxsize=None)
def passes() -> gate.Check:
    """The schema as one yes/no function (rmgen.gate): a valid spec needs no jsonschema."""
    return gate.compiled(_inlined_schema())


@functools.lru_cache(maxsize=None)
def validator():
    """One validator per process; an integer is an int, never a float like 1.0 (nor a bool)."""
    import jsonschema  # only when something is validated: --version stays fast

    cls = jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=(
        jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
            "integer", lambda _checker, v: isinstance(v, int) and not isinstance(v, bool))))
    return cls(_inlined_schema())


_ANNOTATIONS = frozenset({"description"})  # keywords that never change a validation's outcome
_DEFS = "#/$defs/"


def _inlined(node: object, defs: dict, within: Tuple[str, ...] = ()) -> object:
    """`node` with each `#/$defs/NAME` reference replaced by that definition, so validation
    resolves no reference (a third of its time). A `$ref` with other keywords beside it
    becomes an `allOf` of one, as both apply. The schema's definitions refer to each other
    without a cycle; one that did (or another kind of reference) is a bug in the schema."""
    if isinstance(node, list):
        return [_inlined(v, defs, within) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _inlined(v, defs, within) for k, v in node.items() if k != "$ref"}
    if "$ref" not in node:
        return out
    ref = node["$ref"]
    name = ref[len(_DEFS):]
    if not ref.startswith(_DEFS) or name not in defs or name in within:
        raise ValueError(f"schema {SCHEMA_FILE}: cannot inline $ref {ref!r} (only acyclic {_DEFS}NAME)")
    target = _inlined(defs[name], defs, within + (name,))
    rest = {k: v for k, v in out.items() if k not in _ANNOTATIONS}
    if not rest:
        return target
    also = rest.pop("allOf", [])  # a sibling allOf applies too
    return {"allOf": [target, *also], **rest}


def default(*keys: str) -> object:
    """The schema's documented default at a property path, e.g. ('devctl', 'class')."""
    node = schema()
    for key in keys:
        while key not in node.get("properties", {}):
            node = _deref(node.get("items") or node["additionalProperties"])
        node = _deref(node["properties"][key])
    return node["default"]


def _deref(node: dict) -> dict:
    """Follow a local `#/$defs/...` reference."""
    ref = node.get("$ref")
    return schema()["$defs"][ref.rsplit("/", 1)[1]] if ref else node


def validate(spec: Spec, diags: Diagnostics) -> bool:
    """Check `spec.data` against the schema; add diagnostics; True if it is valid."""
    before = len(diags)
    data = spec.data
    if isinstance(data, dict):
        _check_version(spec, diags)
    if passes()(data):
        return len(diags) == before  # jsonschema would find nothing: it is not even imported
    seen = set()
    for error in validator().iter_errors(data):
        path = tuple(error.absolute_path)
        if path[:1] == ("rmgen",) or (error.validator == "required" and "'rmgen'" in error.message):
            continue  # reported by _check_version
        _HANDLERS[error.validator](spec, diags, error, path, seen)
    return len(diags) == before


def where(path: PathKey) -> str:
    """`devctl[3].in` for ('devctl', 3, 'in'); `the spec` for the root."""
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return text or "the spec"


def _check_version(spec: Spec, diags: Diagnostics) -> None:
    if "rmgen" not in spec.data:
        diags.add("RM0012", spec.loc(()), message="missing format version: add 'rmgen: 1' as the "
                  "first line (format 1 is the only one)")
        return
    version = spec.data["rmgen"]
    if type(version) is not int or version != 1:
        shown = json.dumps(version) if isinstance(version, (str, bool, type(None))) else version
        diags.add("RM0012", spec.loc(("rmgen",)), message=f"unsupported format version {shown}: "
                  "this rmgen reads format 1, the only format there is (nothing to migrate)")


def kind(value: object) -> str:
    """'a mapping', 'a list', 'an integer', ... for a loaded YAML value."""
    return _KINDS.get(type(value), type(value).__name__)


def _one_of(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _show(value: object) -> str:
    return json.dumps(value) if isinstance(value, str) else str(value)


def _unknown_key(spec, diags, error, path, seen):
    known = error.schema.get("properties", {})
    for key in error.instance:
        if key not in known:
            diags.add("RM0013", spec.loc(path + (key,), key=True), key=key,
                      where=f"{where(path)}" if path else "the top level",
                      hint=did_you_mean(key, known) or hints.comma(spec, path, key))


def _required(spec, diags, error, path, seen):
    for key in error.validator_value:
        if key not in error.instance and (path, key) not in seen:
            seen.add((path, key))
            diags.add("RM0014", spec.loc(path, key=bool(path)), key=key, where=where(path) if path else "the spec")


def _type(spec, diags, error, path, seen):
    expected = error.validator_value
    expected = [expected] if isinstance(expected, str) else expected
    hint = ""
    if "string" in expected and isinstance(error.instance, (int, float)):
        hint = "; quote it" + (" (\"0660\" is octal text, 0660 a number)" if path[-1:] == ("mode",) else "")
    diags.add("RM0015", spec.loc(path), where=where(path),
              expected=_one_of(_JSON_KINDS[t] for t in expected), actual=kind(error.instance), hint=hint)


def _bounds(schema: dict) -> str:
    lo, hi = schema.get("minimum"), schema.get("maximum")
    if lo is not None and hi is not None:
        return f"{lo}..{hi}"
    return f">= {lo}" if lo is not None else f"<= {hi}"


def _range(spec, diags, error, path, seen):
    diags.add("RM0016", spec.loc(path), where=where(path), value=error.instance,
              bounds=_bounds(error.schema))


def _enum(spec, diags, error, path, seen):
    diags.add("RM0017", spec.loc(path), where=where(path), value=_show(error.instance),
              allowed="one of " + _one_of(error.validator_value))


def _any_of(spec, diags, error, path, seen):
    parts = []
    for branch in error.validator_value:
        if "enum" in branch:
            parts.extend(branch["enum"])
        else:
            parts.append(f"{_JSON_KINDS[branch['type']]} {_bounds(branch)}")
    diags.add("RM0017", spec.loc(path), where=where(path), value=_show(error.instance),
              allowed="one of " + _one_of(parts))


def _pattern(spec, diags, error, path, seen):
    is_key = isinstance(spec.value(path), dict)  # from propertyNames: a mapping key
    loc = spec.loc(path + (error.instance,), key=True) if is_key else spec.loc(path)
    if error.validator_value == names.IDENTIFIER.pattern:
        id, args = names.identifier_problem(error.instance)
        diags.add(id, loc, **args)
        return
    expected = _PATTERNS[error.validator_value]
    if escape.forbidden(error.instance):
        expected += f" (it holds {escape.forbidden(error.instance)})"
    diags.add("RM0018", loc, where=where(path), value=_show(error.instance), expected=expected)


def _length(spec, diags, error, path, seen):
    problems = {"minItems": "must not be empty", "maxLength": f"is longer than {error.validator_value} characters"}
    diags.add("RM0019", spec.loc(path), where=where(path), problem=problems[error.validator])


_HANDLERS: Dict[str, Callable] = {
    "additionalProperties": _unknown_key, "required": _required, "type": _type,
    "minimum": _range, "maximum": _range, "enum": _enum, "anyOf": _any_of,
    "pattern": _pattern, "minItems": _length, "maxLength": _length,
}
