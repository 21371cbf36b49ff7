"""The one list of names a spec may not use (names.py): each group refuses what broke a
build, and the list of the generated code's own names matches the templates."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from rmgen import names

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.mark.parametrize("name, device, rule", [
    ("while", False, "RM0021"), ("asm", False, "RM0021"), ("typeof", False, "RM0021"),
    ("st_mtime", False, "RM0023"), ("sigev_code", False, "RM0023"), ("not_eq", False, "RM0023"),
    ("stdio", True, "RM0023"), ("time", True, "RM0023"), ("string", True, "RM0023"),
    ("features", True, "RM0023"), ("qh", True, "RM0023"), ("test", True, "RM0023"),
    ("open", True, "RM0023"), ("build", True, "RM0023"), ("test_open", True, "RM0023"),
])
def test_refused(name, device, rule):
    assert names.identifier_problem(name, device=device)[0] == rule


@pytest.mark.parametrize("name", ["thermo", "adc", "sample", "fifo", "stdio_bridge", "timer0", "tester"])
def test_ordinary_device_names_pass(name):
    assert names.identifier_problem(name, device=True) is None


def test_header_names_only_refuse_devices():
    assert names.identifier_problem("time") is None  # a struct member named time is fine


def test_generated_names_list_matches_the_templates():
    """Every helper and macro a template defines without the device prefix is listed, so a
    device name cannot start one of them (a new template helper must be added there)."""
    defined = set()
    for t in TEMPLATES.rglob("*.j2"):
        for line in t.read_text().splitlines():
            # a name right after `}}` is prefixed with the device name: not one of these
            m = re.match(r"#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)", line) or \
                re.match(r"static\s+(?:inline\s+)?[A-Za-z_][A-Za-z0-9_ ]*?\**\s*(?<![}\w])([a-z_][a-z0-9_]*)\(", line)
            if m:
                defined.add(m.group(1))
    assert {"read_exact", "TEST_PATH", "test_open_close"} <= defined  # the scan sees them
    assert sorted(defined - names.GENERATED_NAMES) == []


def test_struct_members_list_matches_the_template():
    """rmgen's own members of the device and open-file structs are all listed."""
    text = (TEMPLATES / "resmgr_header.h.j2").read_text()
    for tag, listed in (("_dev {", names.DEVICE_MEMBERS), ("_ocb {", names.OPEN_FILE_MEMBERS)):
        body = text.split(tag, 1)[1].split("\n}", 1)[0]
        members = set(re.findall(r"^\s+\S.*?[\s*]([a-z_]+)(?:\[[^]]*\])?;", body, re.M))
        assert members and members == set(listed), (tag, members)


def test_state_field_named_like_a_member_is_refused(tmp_path, capsys):
    from rmgen import cli

    spec = tmp_path / "m.yaml"
    spec.write_text("rmgen: 1\ndevice: {name: m, path: /dev/m, summary: s}\nio: {kind: buffer, size: 8}\n"
                    "state:\n  - {name: attr, type: u32}\nopen_state:\n  - {name: ocb, type: u8}\n")
    assert cli.main([str(spec)]) == 2
    err = capsys.readouterr().err
    assert err.count("error[RM0023]") == 2 and "rmgen's own member of the device struct" in err


@pytest.mark.parametrize("second", ["set_raw", "set_rejects_value", "set_rejects_label", "set_needs_mode"])
def test_devctl_named_like_another_ones_test_is_refused(second, tmp_path, capsys):
    """set (with input, write access) has host tests test_dcmd_set_raw, ..._needs_mode, ...:
    a devctl of that name would define the same function twice."""
    from rmgen import cli

    spec = tmp_path / "c.yaml"
    spec.write_text("rmgen: 1\ndevice: {name: c, path: /dev/c, summary: s}\ndevctl:\n"
                    f"  - {{name: set, code: 1, in: u32, access: write}}\n  - {{name: {second}, code: 2}}\n")
    assert cli.main([str(spec)]) == 2
    assert f"error[RM0025]: the host test of devctl 'set' and devctl '{second}'" in capsys.readouterr().err


@pytest.mark.parametrize("second", ["set_then_get", "set_then_set_then_x", "x_then_set"])
def test_devctl_named_like_a_state_test_is_refused_only_after_its_prefix(second, tmp_path, capsys):
    """set changes state, so its host tests include test_dcmd_set_then_*: a devctl whose
    name starts so is refused; one that has `_then_` elsewhere is not."""
    from rmgen import cli

    spec = tmp_path / "c.yaml"
    spec.write_text("rmgen: 1\ndevice: {name: c, path: /dev/c, summary: s}\nstate:\n  - {name: level, type: u32}\n"
                    f"devctl:\n  - {{name: set, code: 1, in: u32, state: level}}\n  - {{name: {second}, code: 2}}\n")
    refused = second.startswith("set_then_")
    assert cli.main([str(spec), "-o", str(tmp_path / "out")]) == (2 if refused else 0)
    err = capsys.readouterr().err
    assert (f"error[RM0025]: the host test of devctl 'set' and devctl '{second}'" in err) == refused, err


def test_a_name_continuing_several_derived_tests_names_the_first_made(tmp_path, capsys):
    """p_then_q_rejects_r continues both p_then_q's test_dcmd_p_then_q_rejects_* (made first,
    by the first devctl) and p's test_dcmd_p_then_*; x_then_y_then_z continues only
    x_then_y's, at its second `_then_`."""
    from rmgen import cli

    spec = tmp_path / "c.yaml"
    spec.write_text("rmgen: 1\ndevice: {name: c, path: /dev/c, summary: s}\nstate:\n  - {name: level, type: u32}\n"
                    "devctl:\n  - {name: p_then_q, code: 1, in: u32}\n  - {name: p, code: 2, in: u32, state: level}\n"
                    "  - {name: p_then_q_rejects_r, code: 3}\n  - {name: x_then_y, code: 4, in: u32, state: level}\n"
                    "  - {name: x_then_y_then_z, code: 5}\n")
    assert cli.main([str(spec), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "the host test of devctl 'p' and devctl 'p_then_q'" in err
    assert "the host test of devctl 'p_then_q' and devctl 'p_then_q_rejects_r'" in err
    assert "the host test of devctl 'x_then_y' and devctl 'x_then_y_then_z'" in err
    assert err.count("error[RM0025]") == 3


def test_unrelated_devctl_names_pass(tmp_path, capsys):
    from rmgen import cli

    spec = tmp_path / "c.yaml"
    spec.write_text("rmgen: 1\ndevice: {name: c, path: /dev/c, summary: s}\ndevctl:\n"
                    "  - {name: get, code: 1, out: u32}\n  - {name: get_raw, code: 2}\n")
    assert cli.main([str(spec), "-o", str(tmp_path / "out")]) == 0
