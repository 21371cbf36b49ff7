"""Sign-conversion gate: the QNX-side C of every example (server, hook stubs, client library)
compiles with -Wsign-conversion -Wconversion -Werror against the 8.0 headers and, where the
runtime provides its 6.x flavour (-DQH_NTO_VERSION=641), against the 6.4 signatures too:
counts are int there, __DIO* values and _RESMGR_NOREPLY unsigned, devctl nbytes signed."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from cbuild import EXAMPLES, QNXHOST, REPO, compilers

CONVERSION = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-Wsign-conversion", "-Wconversion",
              "-D_DEFAULT_SOURCE", "-D_QNX_SOURCE"]
FLAVOURS = {"8.0": [], "6.4": ["-DQH_NTO_VERSION=641"]}


def flavour_available(flags) -> bool:
    """The headers honour the flavour switch (the 8.0 one always)."""
    want = 641 if flags else 800
    probe = f"#include <sys/neutrino.h>\n#if _NTO_VERSION != {want}\n#error flavour\n#endif\n"
    r = subprocess.run([compilers()[0], "-x", "c", "-fsyntax-only", "-isystem", str(QNXHOST / "include"),
                        *flags, "-"], input=probe, capture_output=True, text=True)
    return r.returncode == 0


def qnx_side(tree):
    return sorted([*tree.glob("server/*.c"), *tree.glob("server/stubs/*.c"), *tree.glob("lib/*.c")])


def compile_strict(cc, flags, tree, src, client=False) -> subprocess.CompletedProcess:
    redirect = ["-include", "qnxhost/redirect.h"] if client else []
    return subprocess.run([cc, *CONVERSION, *flags, *redirect, "-isystem", str(QNXHOST / "include"), "-I", str(tree / "public"),
                           "-I", str(tree / "server"), "-c", str(src), "-o", os.devnull],
                          capture_output=True, text=True)


@pytest.mark.parametrize("cc", compilers())
@pytest.mark.parametrize("flavour", sorted(FLAVOURS))
@pytest.mark.parametrize("example", EXAMPLES)
def test_no_conversion_warnings(example, flavour, cc):
    flags = FLAVOURS[flavour]
    if not flavour_available(flags):
        pytest.skip(f"the runtime has no {flavour} flavour")
    tree = REPO / "examples" / example
    errors = [f"{src.relative_to(tree)}:\n{r.stderr}" for src in qnx_side(tree)
              for r in [compile_strict(cc, flags, tree, src)] if r.returncode != 0]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("cc", compilers())
@pytest.mark.parametrize("flavour", sorted(FLAVOURS))
@pytest.mark.parametrize("example", EXAMPLES)
def test_host_test_has_no_conversion_warnings(example, flavour, cc):
    """The round-trip test is QNX-side too (built with qcc, it runs against the real driver)."""
    flags = FLAVOURS[flavour]
    if not flavour_available(flags):
        pytest.skip(f"the runtime has no {flavour} flavour")
    tree = REPO / "examples" / example
    r = compile_strict(cc, flags, tree, tree / "host" / f"{example}_host_test.c", client=True)
    assert r.returncode == 0, r.stderr


def test_gate_catches_an_implicit_conversion(tmp_path):
    """Planted defect: the devctl reply's nbytes assigned from a size_t without its cast."""
    tree = tmp_path / "thermo"
    shutil.copytree(REPO / "examples" / "thermo", tree)
    io = tree / "server" / "thermo_io.c"
    text = io.read_text()
    assert "    msg->o.nbytes = (thermo_qnx_nbytes_t)size;" in text
    io.write_text(text.replace("    msg->o.nbytes = (thermo_qnx_nbytes_t)size;", "    msg->o.nbytes = size;"))
    r = compile_strict(compilers()[0], [], tree, io)
    assert r.returncode != 0 and "conversion" in r.stderr
