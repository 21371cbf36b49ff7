"""Specs with many commands (model.DEVCTL_TABLE_FROM or more) get one const table and one
generic devctl handler instead of a function per command; their generated round-trip test
runs every command rule through it, under ASan+UBSan."""
from __future__ import annotations

import pytest

from cbuild import STDS, c_units, compile_unit, compilers, generate, host_make, spec_copy, summary
from rmgen.model import DEVCTL_TABLE_FROM

SHAPES = [  # one of each payload shape and check kind, repeated up to the threshold
    "out: pair", "in: pair, access: write", "in: pair, out: pair, access: read-write", "access: write",
    "in: unit", "in: bool", "in: \"u8[4]\", out: \"u8[4]\"", "in: pair, out: stamp, access: read",
    "out: stamp, access: read", "in: stamp", "in: pair, out: stamp, blocking: true",
]


def table_spec(n: int) -> str:
    lines = ["rmgen: 1", "device: {name: many, path: /dev/many, summary: Many commands}",
             "enums:", "  unit: {values: [{name: a, value: 0}, {name: b, value: 1}]}",
             "types:",
             "  pair: {fields: [{name: a, type: u32, min: 1, max: 1000}, {name: b, type: i32},"
             " {name: label, type: \"char[8]\"}]}",
             "  stamp: {fields: [{name: ns, type: u64}, {name: valid, type: bool}]}",
             "devctl:"]
    for i in range(n):
        privileged = ", privileged: true" if i == n - 1 else ""  # the table's privilege column
        lines.append(f"  - {{name: cmd{i}, code: {i + 1}, {SHAPES[i % len(SHAPES)]}{privileged}, doc: Command {i}}}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("table")
    return generate(spec_copy(tmp / "spec", "many.yaml", table_spec(DEVCTL_TABLE_FROM)), tmp / "out")


def test_many_commands_use_the_table(tree):
    io = (tree / "server" / "many_io.c").read_text()
    assert "static const many_dcmd_entry_t commands[] = {" in io
    assert "static int many_dcmd_cmd0(" not in io  # no function per command


def test_table_round_trip_under_sanitizers(tree, tmp_path):
    r = host_make(tree, tmp_path / "build", timeout=600)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    passed, failed = summary(out)
    assert failed == 0 and passed > 3 * DEVCTL_TABLE_FROM, out[-2000:]


def test_table_without_the_access_check_fails(tree, tmp_path):
    """Planted defects: the generic handler forgets the open-mode check, and the privilege
    check of the last command (only root may use it)."""
    import shutil

    copy = tmp_path / "many"
    shutil.copytree(tree, copy)
    io = copy / "server" / "many_io.c"
    text = io.read_text()
    anchor = "    if ((ocb->ocb.ioflag & cmd->access) != cmd->access)  /* the fd's open mode */\n        return EPERM;\n"
    assert anchor in text
    privilege = "    if (cmd->privileged && !many_client_privileged(ctp))"
    assert privilege in text
    io.write_text(text.replace(anchor, "").replace(privilege, "    if (0 && !many_client_privileged(ctp))"))
    r = host_make(copy, tmp_path / "build", timeout=600)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "FAIL cmd1_needs_mode" in out, out[-3000:]
    assert f"FAIL cmd{DEVCTL_TABLE_FROM - 1}_privileged" in out, out[-3000:]


def test_small_specs_keep_one_function_per_command():
    from cbuild import REPO

    io = (REPO / "examples" / "thermo" / "server" / "thermo_io.c").read_text()
    assert "static int thermo_dcmd_set_config(" in io and "commands[]" not in io


@pytest.mark.parametrize("cc", compilers())
@pytest.mark.parametrize("std", sorted(STDS))
def test_table_compiles(tree, std, cc):
    """The compile gates of the examples (-Wall -Wextra -Werror, C11 and strict C99)."""
    errors = [f"{src}:\n{r.stderr}" for src, client in c_units(tree)
              for r in [compile_unit(cc, std, tree, src, client)] if r.returncode != 0]
    assert not errors, "\n".join(errors)
