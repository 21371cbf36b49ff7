"""The libFuzzer target rmgen generates for every driver (host/<name>_fuzz.c, `make -f host.mk
fuzz`): a short smoke run per example finds nothing (a held read on the blocking fifo is not
a finding), the saved crashing inputs replay clean, and a planted defect is found. The runs
are bounded by a count of executions with a fixed seed, not by time: a busy machine makes
them slower, never shorter."""
from __future__ import annotations

import re
import shutil

import pytest

from cbuild import EXAMPLES, REPO, host_make

pytestmark = pytest.mark.skipif(shutil.which("clang") is None, reason="libFuzzer needs clang")
SMOKE_RUNS = 3000       # executions per example (about 1 s each on an idle core)
FIND_RUNS = 100_000     # the planted defect is found within 1,300-4,900 of them (seed 1)
SEED = 1


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    """Where host.mk builds the ASan+UBSan clang runtime (host_make links the session's)."""
    return tmp_path_factory.mktemp("fuzz") / "runtime"


def fuzz(tree, build, runtime, crashes, target="fuzz", runs=SMOKE_RUNS):
    """host.mk's fuzz target, which passes -max_total_time=$(FUZZ_SECONDS) to libFuzzer: the
    value adds -runs and -seed, and libFuzzer stops at whichever limit comes first (the
    600 s are only a safety net)."""
    return host_make(tree, build, target=target, timeout=900,
                     extra=[f"FUZZ_SECONDS=600 -runs={runs} -seed={SEED}", f"FUZZ_RUNTIME={runtime}",
                            f"FUZZ_CRASHES={crashes}"])


@pytest.mark.parametrize("example", EXAMPLES)
def test_fuzz_smoke(example, runtime, tmp_path):
    tree = REPO / "examples" / example
    r = fuzz(tree, tmp_path / "build", runtime, tmp_path / "crashes")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    execs = int(re.search(r"stat::number_of_executed_units: (\d+)", out).group(1))
    assert execs == SMOKE_RUNS, out[-2000:]  # the whole count ran
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
    r = fuzz(tree, tmp_path / "build", runtime, crashes, runs=FIND_RUNS)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "broke the message protocol" in out, out[-3000:]
    saved = list(crashes.iterdir())
    assert saved, out[-2000:]
    r = fuzz(tree, tmp_path / "build", runtime, crashes, target="fuzz-replay")
    assert r.returncode != 0, "the saved input must still fail when replayed"
