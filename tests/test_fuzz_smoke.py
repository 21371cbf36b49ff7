"""The libFuzzer harness (qnxhost/fuzz/fuzz_iomsg.c) builds against examples/thermo and runs
a fixed count of executions (fixed seed; a busy machine makes it slower, never shorter)
without a crash, a sanitizer report, a leak or a protocol error, and replays what earlier runs
found (qnxhost/fuzz/regressions/: each file one input that once failed).
The long run is `make fuzz` (FUZZ_SECONDS, default 300)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from cbuild import QNXHOST

REGRESSIONS = sorted((QNXHOST / "fuzz" / "regressions").iterdir())

RUNS = 5000  # about 1-2 s on an idle core


def libfuzzer_missing(tmp_path) -> str:
    """Why a libFuzzer program cannot be built here ('' if it can)."""
    if shutil.which("clang") is None:
        return "clang is not installed"
    src = tmp_path / "probe.c"
    src.write_text("#include <stddef.h>\n#include <stdint.h>\n"
                   "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n")
    r = subprocess.run(["clang", "-fsanitize=fuzzer,address,undefined", str(src), "-o", str(tmp_path / "probe")],
                       capture_output=True, text=True)
    return "" if r.returncode == 0 else "no libFuzzer runtime for clang (Debian: libclang-rt-dev): " + r.stderr[-300:]


def test_fuzz_smoke(tmp_path):
    why = libfuzzer_missing(tmp_path)
    if why:
        pytest.skip(why)
    out = tmp_path / "fuzz"
    r = subprocess.run(["make", "-s", "-C", str(QNXHOST), f"O={out}", "fuzz", f"{out}/fuzz-thermo/thermo.dict"],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    r = subprocess.run([str(out / "fuzz_thermo"), f"-runs={RUNS}", "-seed=1", "-max_len=8192",
                        f"-dict={out}/fuzz-thermo/thermo.dict", f"-artifact_prefix={tmp_path}/", str(corpus)],
                       capture_output=True, text=True, timeout=600)
    log = r.stderr[-6000:]
    assert r.returncode == 0, log
    assert f"Done {RUNS} runs" in r.stderr, log
    for bad in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "protocol error",
                "deadly signal"):
        assert bad not in r.stderr, log
    assert not list(tmp_path.glob("crash-*")) and not list(tmp_path.glob("leak-*")), log
    r = subprocess.run([str(out / "fuzz_thermo"), *map(str, REGRESSIONS)], capture_output=True, text=True, timeout=600)
    log = r.stderr[-6000:]
    assert r.returncode == 0 and "protocol error" not in r.stderr and "ERROR:" not in r.stderr, log
    assert r.stderr.count("Executed ") == len(REGRESSIONS) > 0, log
