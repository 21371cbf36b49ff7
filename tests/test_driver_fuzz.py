"""The libFuzzer target rmgen generates for every driver (host/<name>_fuzz.c, `make -f host.mk
fuzz`): a short smoke run per example finds nothing (a held read on the blocking fifo is not
a finding), the saved crashing inputs replay clean, and a planted defect is found."""
from __future__ import annotations

import re
import shutil

import pytest

from cbuild import EXAMPLES, REPO, host_make

pytestmark = pytest.mark.skipif(shutil.which("clang") is None, reason="libFuzzer needs clang")
SMOKE_SECONDS = 3


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    """One ASan+UBSan clang build of the runtime, shared by every driver's fuzz target."""
    return tmp_path_factory.mktemp("fuzz-runtime")


def fuzz(tree, build, runtime, crashes, target="fuzz", seconds=SMOKE_SECONDS):
    return host_make(tree, build, target=target, timeout=600,
                     extra=[f"FUZZ_SECONDS={seconds}", f"FUZZ_RUNTIME={runtime}", f"FUZZ_CRASHES={crashes}"])


@pytest.mark.parametrize("example", EXAMPLES)
def test_fuzz_smoke(example, runtime, tmp_path):
    tree = REPO / "examples" / example
    r = fuzz(tree, tmp_path / "build", runtime, tmp_path / "crashes")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    execs = int(re.search(r"stat::number_of_executed_units: (\d+)", out).group(1))
    print(f"{example}: {execs} executions in {SMOKE_SECONDS} s")
    assert execs > 100, out[-2000:]
    assert not list((tmp_path / "crashes").iterdir())
    r = fuzz(tree, tmp_path / "build", runtime, tree / "host" / "fuzz-crashes", target="fuzz-replay")
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]  # the committed crashing inputs, if any


def test_fuzz_finds_a_double_reply(runtime, tmp_path):
    """Planted defect: the reset command replies itself and then lets the library reply too."""
    tree = tmp_path / "thermo"
    shutil.copytree(REPO / "examples" / "thermo", tree)
    io = tree / "server" / "thermo_io.c"
    text = io.read_text()
    anchor = "    status = thermo_on_reset(ocb->ocb.attr, ocb);\n"
    assert anchor in text
    io.write_text(text.replace(anchor, anchor + "    MsgError(ctp->rcvid, EIO);\n"))
    crashes = tmp_path / "crashes"
    r = fuzz(tree, tmp_path / "build", runtime, crashes, seconds=60)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "broke the message protocol" in out, out[-3000:]
    saved = list(crashes.iterdir())
    assert saved, out[-2000:]
    r = fuzz(tree, tmp_path / "build", runtime, crashes, target="fuzz-replay")
    assert r.returncode != 0, "the saved input must still fail when replayed"
