"""Sign-conversion gate: the QNX-side C of every example (server, hook stubs, client library)
compiles with -Wsign-conversion -Wconversion -Werror against the 8.0 headers and, where the
runtime provides its 6.x flavour (-DQH_NTO_VERSION=641), against the 6.4 signatures too:
counts are int there, __DIO* values and _RESMGR_NOREPLY unsigned, devctl nbytes signed."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from cbuild import EXAMPLES, REPO, compile_unit, compilers, headers_accept

CONVERSION = ["-Wsign-conversion", "-Wconversion", "-D_QNX_SOURCE"]  # on top of the C11 gate's flags
FLAVOURS = {"8.0": [], "6.4": ["-DQH_NTO_VERSION=641"]}


def flavour_available(flags) -> bool:
    """The headers honour the flavour switch (the 8.0 one always)."""
    want = 641 if flags else 800
    return headers_accept(f"#include <sys/neutrino.h>\n#if _NTO_VERSION != {want}\n#error flavour\n#endif\n", flags)


def qnx_side(tree):
    """(source, is_client): server, hook stubs, client library, and the round-trip test, which
    is QNX-side too (built with qcc, it runs against the real driver)."""
    servers = sorted([*tree.glob("server/*.c"), *tree.glob("server/stubs/*.c")])
    return [*((src, False) for src in servers), *((src, True) for src in sorted(tree.glob("lib/*.c"))),
            (tree / "host" / f"{tree.name}_host_test.c", True)]


def compile_strict(cc, flags, tree, src, client=False) -> subprocess.CompletedProcess:
    return compile_unit(cc, "c11", tree, src, client, [*CONVERSION, *flags])


@pytest.mark.parametrize("cc", compilers())
@pytest.mark.parametrize("flavour", sorted(FLAVOURS))
@pytest.mark.parametrize("example", EXAMPLES)
def test_no_conversion_warnings(example, flavour, cc):
    flags = FLAVOURS[flavour]
    if not flavour_available(flags):
        pytest.skip(f"the runtime has no {flavour} flavour")
    tree = REPO / "examples" / example
    errors = [f"{src.relative_to(tree)}:\n{r.stderr}" for src, client in qnx_side(tree)
              for r in [compile_strict(cc, flags, tree, src, client)] if r.returncode != 0]
    assert not errors, "\n".join(errors)


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
