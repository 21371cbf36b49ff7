"""Every example's driver in the runtime's QNX 6.4 flavour too (`make -f host.mk test
NTO_VERSION=641`): the code's 6.x branches (int counts, no 64-bit byte-count macros,
srcmsglen) compile and the round-trip test passes under ASan+UBSan."""
from __future__ import annotations

import pytest

from cbuild import EXAMPLES, REPO, example_build, host_make, summary
from test_conversion import FLAVOURS, flavour_available


@pytest.mark.parametrize("example", EXAMPLES)
def test_round_trip_on_6x(example):
    if not flavour_available(FLAVOURS["6.4"]):
        pytest.skip("the runtime has no 6.4 flavour")
    tree, flavour = REPO / "examples" / example, ["NTO_VERSION=641"]
    r = host_make(tree, example_build(tree, extra=flavour), extra=flavour, timeout=600)  # runs the test only
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    assert summary(out)[1] == 0
