"""Compile gates: every generated C file of every example, with gcc and clang, in C11 and
in strict C99, -Wall -Wextra -Werror, against the clean-room QNX headers."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from cbuild import EXAMPLES, REPO, STDS, c_units, compile_unit, compilers


@pytest.mark.parametrize("nto", ["800", "641"])
@pytest.mark.parametrize("cc", compilers())
@pytest.mark.parametrize("std", sorted(STDS))
@pytest.mark.parametrize("example", EXAMPLES)
def test_example_compiles(example, std, cc, nto):
    """In the 8.0 headers and in the runtime's 6.4 flavour (the code's 6.x branches)."""
    tree = REPO / "examples" / example
    units = c_units(tree)
    events = example in ("can", "gpio", "txq")  # the examples with events (registers, pulses, timers, interrupts)
    assert len(units) == 7 + events  # main, io, hooks, stub hooks, client, host test, fuzz target (+ events)
    extra = [f"-DQH_NTO_VERSION={nto}"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda u: (u[0], compile_unit(cc, std, tree, *u, extra)), units))
    errors = [f"{src.relative_to(tree)}:\n{r.stderr}" for src, r in results if r.returncode != 0]
    assert not errors, "\n".join(errors)


def test_compile_gate_catches_a_warning(tmp_path):
    """The gate is real: a generated tree with one unused variable fails it."""
    import shutil

    tree = tmp_path / "sample"
    shutil.copytree(REPO / "examples" / "sample", tree)
    io = tree / "server" / "sample_io.c"
    io.write_text(io.read_text().replace("static size_t msg_len(resmgr_context_t *ctp)\n{",
                                         "static size_t msg_len(resmgr_context_t *ctp)\n{\n    int unused;", 1))
    r = compile_unit(compilers()[0], "c11", tree, io, False)
    assert r.returncode != 0 and "unused" in r.stderr


@pytest.mark.parametrize("std", sorted(STDS))
def test_static_assert_fires_and_repeats(std, tmp_path):
    """The header's static assert rejects a false condition and allows repeated true ones."""
    tree = REPO / "examples" / "sample"
    for cond, ok in (("sizeof(sample_info_t) == 12", True), ("sizeof(sample_info_t) == 13", False)):
        src = tmp_path / f"assert_{ok}.c"
        src.write_text('#include "sample.h"\n'
                       f'SAMPLE_STATIC_ASSERT({cond}, "a");\nSAMPLE_STATIC_ASSERT({cond}, "b");\n')
        r = compile_unit(compilers()[0], std, tree, src, False)
        assert (r.returncode == 0) == ok, r.stderr


@pytest.mark.parametrize("cc", compilers())
@pytest.mark.parametrize("std", sorted(STDS))
def test_minimal_spec_compiles(std, cc, tmp_path):
    """The smallest spec (no I/O, no commands, no types) still gives warning-free C."""
    from cbuild import generate, spec_copy

    spec = spec_copy(tmp_path / "spec", "bare.yaml",
                     "rmgen: 1\ndevice: {name: bare, path: /dev/bare, summary: Nothing yet}\n")
    tree = generate(spec, tmp_path / "out")
    errors = [f"{src.name}: {r.stderr}" for src, client in c_units(tree)
              for r in [compile_unit(cc, std, tree, src, client)] if r.returncode != 0]
    assert not errors, "\n".join(errors)
