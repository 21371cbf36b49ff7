"""The model: dcmd values computed as QNX's __DIO* macros do (checked against the figures
from the real 8.0 headers), explicit-padding layouts, and derived names."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from rmgen import model

REPO = Path(__file__).resolve().parent.parent
ABI = json.loads((REPO / "tests" / "data" / "abi-8.0-x86_64.json").read_text())


def device(devctl=(), types=None, **extra):
    spec = {"rmgen": 1, "device": {"name": "t", "path": "/dev/t", "summary": "s"},
            "devctl": list(devctl), **extra}
    if types:
        spec["types"] = types
    return model.build(spec, "../t.yaml")


@pytest.mark.parametrize("key, cmd", [
    ("__DIOF(_DCMD_MISC,0x12,int)", {"name": "a", "code": 0x12, "out": "i32"}),
    ("__DIOT(_DCMD_MISC,0x12,int)", {"name": "a", "code": 0x12, "in": "i32"}),
    ("__DIOTF(_DCMD_MISC,0x12,int64_t)", {"name": "a", "code": 0x12, "in": "i64", "out": "i64"}),
    ("__DION(_DCMD_MISC,0x12)", {"name": "a", "code": 0x12}),
    ("__DIOF(_DCMD_MISC,0xff,char[16383])", {"name": "a", "code": 0xFF, "out": "char[16383]"}),
    ("DCMD_ALL_GETFLAGS", {"name": "a", "code": 1, "class": "all", "out": "i32"}),
    ("DCMD_ALL_SETFLAGS", {"name": "a", "code": 2, "class": "all", "in": "i32"}),
])
def test_dcmd_values_match_qnx(key, cmd):
    assert device([cmd]).devctls[0].dcmd_value == ABI[key] & 0xFFFFFFFF


def test_direction_derived_from_payloads():
    d = device([{"name": "n", "code": 1}, {"name": "t", "code": 2, "in": "u8"},
                {"name": "f", "code": 3, "out": "u8"}, {"name": "b", "code": 4, "in": "u8", "out": "u16"}])
    assert [c.direction for c in d.devctls] == ["__DION", "__DIOT", "__DIOF", "__DIOTF"]
    both = d.devctls[3]
    assert both.union_tag == "union t_b_msg" and both.payload_size == 2


def test_explicit_padding_gives_one_layout_for_every_abi():
    d = device(types={"s": {"fields": [{"name": "a", "type": "u8"}, {"name": "b", "type": "u64"},
                                        {"name": "c", "type": "u16"}]}})
    s = d.struct("s")
    assert [(m.name, m.offset, m.size) for m in s.members] == [
        ("a", 0, 1), ("_pad0", 1, 7), ("b", 8, 8), ("c", 16, 2), ("_pad1", 18, 6)]
    assert s.size == 24


def test_nested_structs_come_after_what_they_contain():
    d = device(types={"outer": {"fields": [{"name": "i", "type": "inner[2]"}]},
                      "inner": {"fields": [{"name": "x", "type": "i32"}]}})
    assert [s.name for s in d.structs] == ["inner", "outer"]
    assert d.struct("outer").size == 8


def test_msg_max_size_holds_the_largest_reply():
    d = device([{"name": "big", "code": 1, "out": "char[10000]"}])
    assert d.msg_max_size == 16 + 10000 + 64  # header, reply, slack for alignment and combine parts
    assert device().msg_max_size == model.MIN_MSG_MAX_SIZE


def test_checks_only_for_what_clients_send():
    types = {"cfg": {"fields": [{"name": "on", "type": "bool"}, {"name": "n", "type": "u8", "min": 1, "max": 9}]}}
    sent = device([{"name": "set", "code": 1, "in": "cfg"}], types=types).struct("cfg")
    got = device([{"name": "get", "code": 1, "out": "cfg"}], types=types).struct("cfg")
    assert sent.check_fn == "t_check_cfg" and [c.kind for c in sent.checks] == ["bool", "range"]
    assert got.check_fn is None


def test_examples_build():
    for spec in sorted((REPO / "examples").glob("*.yaml")):
        d = model.build(yaml.safe_load(spec.read_text()), f"../{spec.name}")
        assert d.hooks[0].name == f"{d.name}_on_init"
        assert len({c.dcmd_value for c in d.devctls}) == len(d.devctls)


def test_full_misc_and_chr_classes_leave_a_free_command():
    """512 commands fill misc and chr; the generated test's unknown command comes from the
    next class instead of an internal error ("no free devctl command number")."""
    lines = ["rmgen: 1", "device: {name: full, path: /dev/full, summary: s}", "devctl:"]
    lines += [f"  - {{name: c{i}, code: {i % 256}, class: {('misc', 'chr')[i // 256]}}}" for i in range(512)]
    device = model.build(yaml.safe_load("\n".join(lines)), "../full.yaml")
    assert device.unused_command == ("_DCMD_ALL", 255)
