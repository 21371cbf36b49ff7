"""rmgen.gate: the schema as one yes/no function must say "valid" exactly when jsonschema finds
no error, over every example, every bad spec and thousands of damaged variants."""
from __future__ import annotations

import copy
import random
import subprocess
import sys
from pathlib import Path

import pytest

from rmgen import gate, loader, schema
from rmgen.diagnostics import Diagnostics

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SPECS = sorted((REPO / "examples").glob("*.yaml")) + sorted((HERE / "bad_specs").glob("*.yaml"))
ODD = [None, True, False, 0, 1, -1, 1.0, 32.0, 1.5, 2**64, "", "x", "u8", "0660", "/dev/x", "a b",
       "misc", "pool", [], [1], {}, {"name": "x"}]


def loaded(path: Path) -> object:
    spec = loader.load(path, Diagnostics())
    return None if spec is None else spec.data


def jsonschema_finds_nothing(data, against=None) -> bool:
    """The reference answer: rmgen's jsonschema validator (its integer rule) has no error."""
    v = schema.validator() if against is None else type(schema.validator())(against)
    return next(iter(v.iter_errors(data)), None) is None


@pytest.mark.parametrize("path", [p for p in SPECS if loaded(p) is not None],  # bad YAML: no data
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_agrees_with_jsonschema_on_every_spec(path):
    data = loaded(path)
    assert schema.passes()(data) is jsonschema_finds_nothing(data)


def _paths(node, prefix=()):
    yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in items:
        yield from _paths(v, prefix + (k,))


def _damaged(rng: random.Random, docs: list):
    """A copy of a random example with one value replaced, one key dropped or one key added."""
    doc = copy.deepcopy(rng.choice(docs))
    path = rng.choice([p for p in _paths(doc) if p])
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    how = rng.randrange(4)
    if how == 0 and isinstance(parent, dict):
        del parent[path[-1]]
    elif how == 1 and isinstance(parent, dict):
        parent[rng.choice(["extra", "Name", 7, "doc"])] = copy.deepcopy(rng.choice(ODD))
    else:
        parent[path[-1]] = copy.deepcopy(rng.choice(ODD))
    return doc


def test_agrees_with_jsonschema_on_damaged_examples():
    docs = [loaded(p) for p in sorted((REPO / "examples").glob("*.yaml"))]
    rng = random.Random(11)
    outcomes = {True: 0, False: 0}
    for _ in range(3000):
        doc = _damaged(rng, docs)
        want = jsonschema_finds_nothing(doc)
        assert schema.passes()(doc) is want, doc
        outcomes[want] += 1
    assert min(outcomes.values()) > 300, outcomes  # both answers were asked for, many times


@pytest.mark.parametrize("keyword_schema, values", [
    ({"type": "integer"}, [1, 1.0, True, "1", None]),
    ({"type": ["string", "integer"]}, ["a", 2, False, 2.5]),
    ({"type": "number", "minimum": 2, "maximum": 8}, [1, 2, 8, 8.5, 2.0, True, "3"]),
    ({"minimum": 2}, [1, 1.5, "1", None, [0], False]),
    ({"enum": [8, 16, 32]}, [8, 8.0, True, "8", 9, None]),
    ({"enum": [1, 0]}, [True, False, 1, 0.0]),
    ({"enum": ["a", "b"]}, ["a", "c", 1, None, ["a"]]),
    ({"const": 1}, [1, True, 1.0, "1"]),
    ({"pattern": "^[a-z]+$", "maxLength": 3}, ["abc", "abcd", "ab1", 7, "", "ab\n"]),
    ({"pattern": "b"}, ["abc", "xyz", 3]),
    ({"minItems": 1, "items": {"type": "string"}}, [[], ["a"], ["a", 1], "ab", {}]),
    ({"properties": {"a": {"type": "integer"}}, "additionalProperties": False, "required": ["a"]},
     [{"a": 1}, {"a": "1"}, {}, {"a": 1, "b": 2}, {1: 2, "a": 1}, [], "a"]),
    ({"additionalProperties": {"type": "boolean"}, "propertyNames": {"pattern": "^x"}},
     [{"xa": True}, {"ya": True}, {"xa": 1}, {7: True}, {}]),
    ({"anyOf": [{"enum": ["all"]}, {"type": "integer", "minimum": 0, "maximum": 3}]}, ["all", 2, 4, "x", True]),
    ({"allOf": [{"type": "integer"}, {"maximum": 3}]}, [2, 4, 2.0]),
    (True, [1, None]),
    (False, [1, None]),
])
def test_each_keyword_follows_jsonschema(keyword_schema, values):
    check = gate.compiled(keyword_schema)
    for value in values:
        assert check(value) is jsonschema_finds_nothing(value, keyword_schema), value


@pytest.mark.parametrize("bad, message", [
    ({"uniqueItems": True}, "keyword 'uniqueItems' is not compiled"),
    ({"properties": {"a": {"$ref": "#/$defs/a"}}}, "keyword '$ref' is not compiled"),
    ({"items": [{"type": "string"}]}, "'items' as a list"),
    ({"enum": [[1]]}, "not a scalar"),
    ({"anyOf": ["x"]}, "a mapping or a boolean"),
])
def test_refuses_what_it_does_not_know(bad, message):
    with pytest.raises(ValueError, match=message.replace("$", r"\$").replace("(", r"\(")):
        gate.compiled(bad)


def _imports_jsonschema(spec: Path) -> str:
    code = ("import sys, contextlib, io\nfrom rmgen import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            f"    status = cli.main(['--check', '-q', {str(spec)!r}])\n"
            "print(status, 'jsonschema' in sys.modules)")  # 0: current; 2: refused
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_a_valid_spec_is_checked_without_jsonschema():
    assert _imports_jsonschema(REPO / "examples" / "thermo.yaml") == "0 False"


def test_an_invalid_spec_is_reported_by_jsonschema():
    assert _imports_jsonschema(HERE / "bad_specs" / "RM0013-unknown-key.yaml") == "2 True"
