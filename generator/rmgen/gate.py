"""The spec schema compiled into one yes/no function, so that a valid spec passes without
jsonschema (whose import is about half of Python's start-up floor).

It answers only "does jsonschema find no error?"; when the answer is no, jsonschema runs
and reports as before. It knows the keywords the schema uses, with jsonschema's rules for
them (a keyword checks only values of its own kind; an integer is an int, never a bool or
1.0; enum equality keeps True apart from 1), and refuses a schema with any other keyword,
so a new keyword cannot be skipped silently.
"""
from __future__ import annotations

import numbers
import re
from typing import Callable, List

Check = Callable[[object], bool]

# Keywords that never change an outcome; $defs are reached only through (inlined) $refs.
_IGNORED = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples"})
_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, numbers.Number) and not isinstance(v, bool),
}
_OBJECT = ("properties", "additionalProperties", "required", "propertyNames")
_ARRAY = ("items", "minItems")
_STRING = ("pattern", "maxLength", "minLength")
_NUMBER = ("minimum", "maximum")
_ALWAYS: Check = lambda v: True  # noqa: E731
_NEVER: Check = lambda v: False  # noqa: E731


def compiled(schema: object) -> Check:
    """A function telling whether a value is valid against `schema` (with no `$ref`)."""
    if schema is True:
        return _ALWAYS
    if schema is False:
        return _NEVER
    if not isinstance(schema, dict):
        raise ValueError(f"schema gate: a schema must be a mapping or a boolean, not {schema!r}")
    unknown = sorted(set(schema) - _IGNORED - {"type", "enum", "const", "anyOf", "allOf"}
                     - set(_OBJECT + _ARRAY + _STRING + _NUMBER))
    if unknown:
        raise ValueError(f"schema gate: keyword {unknown[0]!r} is not compiled (teach gate.py its rule)")
    checks: List[Check] = []
    if "type" in schema:
        checks.append(_type(schema["type"]))
    if "enum" in schema:
        checks.append(_enum(schema["enum"]))
    if "const" in schema:
        checks.append(_enum([schema["const"]]))
    if any(k in schema for k in _OBJECT):
        checks.append(_object(schema))
    if any(k in schema for k in _ARRAY):
        checks.append(_array(schema))
    if any(k in schema for k in _STRING):
        checks.append(_string(schema))
    if any(k in schema for k in _NUMBER):
        checks.append(_number(schema))
    if "anyOf" in schema:
        branches = [compiled(s) for s in schema["anyOf"]]
        checks.append(lambda v: any(b(v) for b in branches))
    if "allOf" in schema:
        checks.extend(compiled(s) for s in schema["allOf"])
    return _all(checks)


def _all(checks: List[Check]) -> Check:
    if not checks:
        return _ALWAYS
    if len(checks) == 1:
        return checks[0]
    first, *rest = checks
    return lambda v: first(v) and all(c(v) for c in rest)


def _type(names) -> Check:
    names = [names] if isinstance(names, str) else names
    tests = [_TYPES[n] for n in names]
    return tests[0] if len(tests) == 1 else lambda v: any(t(v) for t in tests)


def _equal(one: object, two: object) -> bool:
    """jsonschema's equality for a scalar `two`: True is not 1, False is not 0."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, bool) or isinstance(two, bool):
        return False  # `one is two` already matched two equal booleans
    return one == two


def _enum(members: list) -> Check:
    for m in members:
        if isinstance(m, (list, dict)):
            raise ValueError(f"schema gate: enum member {m!r} is not a scalar")
    if all(isinstance(m, str) for m in members):
        strings = frozenset(members)
        return lambda v: isinstance(v, str) and v in strings
    return lambda v: any(_equal(v, m) for m in members)


def _object(schema: dict) -> Check:
    props = {k: compiled(s) for k, s in schema.get("properties", {}).items()}
    extra = compiled(schema.get("additionalProperties", True))
    required = tuple(schema.get("required", ()))
    key = compiled(schema.get("propertyNames", True))

    def check(v: object) -> bool:
        if not isinstance(v, dict):
            return True
        for k in required:
            if k not in v:
                return False
        for k, item in v.items():
            if not key(k) or not props.get(k, extra)(item):
                return False
        return True
    return check


def _array(schema: dict) -> Check:
    if isinstance(schema.get("items"), list):
        raise ValueError("schema gate: 'items' as a list is not draft 2020-12 (use prefixItems)")
    item = compiled(schema.get("items", True))
    least = schema.get("minItems", 0)
    return lambda v: not isinstance(v, list) or (len(v) >= least and all(item(i) for i in v))


def _string(schema: dict) -> Check:
    search = re.compile(schema["pattern"]).search if "pattern" in schema else None
    most = schema.get("maxLength")
    least = schema.get("minLength", 0)

    def check(v: object) -> bool:
        if not isinstance(v, str):
            return True
        if len(v) < least or (most is not None and len(v) > most):
            return False
        return search is None or search(v) is not None
    return check


def _number(schema: dict) -> Check:
    lo, hi = schema.get("minimum"), schema.get("maximum")
    is_number = _TYPES["number"]
    return lambda v: not is_number(v) or ((lo is None or v >= lo) and (hi is None or v <= hi))
