"""Every example's driver in the runtime's QNX 6.4 flavour too (`make -f host.mk test
NTO_VERSION=641`): the code's 6.x branches (int counts, no 64-bit byte-count macros,
srcmsglen) compile and the round-trip test passes under ASan+UBSan."""
from __future__ import annotations

import pytest

from cbuild import EXAMPLES, REPO, host_make, summary
from test_conversion import FLAVOURS, flavour_available


@pytest.mark.parametrize("example", EXAMPLES)
def test_round_trip_on_6x(example, tmp_path):
    if not flavour_available(FLAVOURS["6.4"]):
        pytest.skip("the runtime has no 6.4 flavour")
    r = host_make(REPO / "examples" / example, tmp_path / "build", extra=["NTO_VERSION=641"], timeout=600)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    assert summary(out)[1] == 0
