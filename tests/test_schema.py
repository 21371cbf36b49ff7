"""The JSON Schema: valid draft 2020-12, fully described, closed, and agreeing with docs."""
from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from rmgen import loader, pipeline, schema
from rmgen.diagnostics import Diagnostics
from rmgen.typesys import DCMD_CLASSES, ENUM_BASES

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
# Keywords schema.py turns into diagnostics, keywords that only nest subschemas, annotations.
HANDLED = set(schema._HANDLERS) | {"const", "propertyNames", "items", "properties", "$ref"}
ANNOTATIONS = {"description", "default", "title", "$schema", "$id", "$defs"}


def subschemas(node):
    """The schema and every subschema in it (not the values of annotations)."""
    yield node
    children = list(node.get("properties", {}).values()) + list(node.get("$defs", {}).values())
    children += node.get("anyOf", [])
    children += [node[k] for k in ("items", "additionalProperties", "propertyNames")
                 if isinstance(node.get(k), dict)]
    for child in children:
        yield from subschemas(child)


def walk(node, path=()):
    """Every schema object with its path."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, path + (i,))


def test_schema_is_valid_draft_2020_12():
    s = schema.schema()
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(s)


def test_every_property_has_a_description():
    for path, node in walk(schema.schema()):
        if path and path[-2:-1] in (("properties",), ("$defs",)):
            assert node.get("description"), "/".join(map(str, path))


def test_objects_are_closed():
    for path, node in walk(schema.schema()):
        if node.get("type") == "object":
            assert "additionalProperties" in node, "/".join(map(str, path))
            extra = node["additionalProperties"]
            assert extra is False or "propertyNames" in node, "/".join(map(str, path))


def test_every_keyword_is_handled():
    used = {key for node in subschemas(schema.schema()) for key in node}
    assert used - ANNOTATIONS - HANDLED == set()


def test_enums_match_typesys():
    defs = schema.schema()["$defs"]
    assert defs["enum"]["properties"]["base"]["enum"] == list(ENUM_BASES)
    assert defs["devctl"]["properties"]["class"]["anyOf"][0]["enum"] == list(DCMD_CLASSES)


@pytest.mark.parametrize("keys,value", [
    (("device", "mode"), "0666"), (("io", "kind"), "none"), (("io", "access"), "read-write"),
    (("server", "threads"), "single"), (("server", "pool", "lo_water"), 2),
    (("server", "pool", "hi_water"), 4), (("server", "pool", "increment"), 1),
    (("server", "pool", "maximum"), 16), (("enums", "base"), "u32"), (("devctl", "class"), "misc"),
    (("devctl", "access"), "any"),
])
def test_defaults_match_the_documentation(keys, value):
    assert schema.default(*keys) == value


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_validate_cleanly(path):
    from rmgen import checks
    diags = Diagnostics()
    spec = loader.load(path, diags)
    assert spec is not None and schema.validate(spec, diags)
    checks.check(spec, diags)
    assert diags.render() == ""


@pytest.mark.parametrize("text, rule", [
    ("devctl: [{name: get, code: 1.0}]", "RM0015"),
    ("devctl: [{name: get, code: 1, class: 5.0}]", "RM0017"),
    ("devctl: [{name: get, code: true}]", "RM0015"),
    ("io: {kind: buffer, size: 4096.0}", "RM0015"),
    ("enums: {e: {values: [{name: one, value: 1.0}]}}", "RM0015"),
    ("state: [{name: n, type: u32, default: 1.0}]", "RM0015"),
    ("types: {t: {fields: [{name: f, type: u8, min: 0.0}]}}", "RM0015"),
])
def test_integers_are_integers(text, rule, tmp_path):
    """A whole-number float (or a bool) is never taken for an integer (4096.0u did not build)."""
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(f"rmgen: 1\ndevice: {{name: s, path: /dev/s, summary: s}}\n{text}\n")
    diags = Diagnostics()
    spec = loader.load(spec_file, diags)
    assert not schema.validate(spec, diags)
    assert [d.id for d in diags] == [rule], diags.render()


def _diagnostics(path) -> str:
    diags = Diagnostics()
    pipeline.validated(str(path), diags)
    return diags.render()


def test_inlined_references_validate_alike(monkeypatch):
    """The validator runs on the schema with its `$ref`s inlined (schema._inlined): it finds no
    reference left, and over every bad spec and example the whole validation (schema, then
    checks or the checks on the valid parts) reports exactly what it reports with the schema
    as written, whose references jsonschema resolves."""
    inlined = schema.validator()
    assert "$ref" not in repr(inlined.schema)
    bad = sorted((REPO / "tests" / "bad_specs").glob("*.yaml"))
    with_inlined = [_diagnostics(p) for p in bad + EXAMPLES]
    monkeypatch.setattr(schema, "validator", lambda: type(inlined)(schema.schema()))
    assert [_diagnostics(p) for p in bad + EXAMPLES] == with_inlined
    refused = sum(map(bool, with_inlined[:len(bad)]))  # the others are refused later, at output
    assert refused > len(bad) * 3 // 4 and not any(with_inlined[len(bad):])


def test_inlining_keeps_what_stands_beside_a_reference():
    defs = {"a": {"type": "string"}}
    assert schema._inlined({"$ref": "#/$defs/a", "description": "d"}, defs) == {"type": "string"}
    assert schema._inlined({"$ref": "#/$defs/a", "maxLength": 3}, defs) == {"allOf": [{"type": "string"}], "maxLength": 3}
    both = schema._inlined({"$ref": "#/$defs/a", "allOf": [{"minLength": 1}]}, defs)
    assert both == {"allOf": [{"type": "string"}, {"minLength": 1}]}


@pytest.mark.parametrize("ref, defs", [("#/$defs/a", {"a": {"items": {"$ref": "#/$defs/a"}}}),
                                       ("other.json#/x", {}), ("#/$defs/missing", {})])
def test_inlining_refuses_a_cycle_or_foreign_reference(ref, defs):
    with pytest.raises(ValueError, match="cannot inline"):
        schema._inlined({"$ref": ref}, defs)
