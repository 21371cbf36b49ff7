"""Smoke test of the runtime benchmark (benchmarks/pingpong.c): it builds and runs once, and
every mode reports. Measures nothing: benchmarks have no thresholds in make test."""
import os
import shutil
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))


def test_pingpong_builds_and_runs(tmp_path):
    if shutil.which(os.environ.get("CC", "cc")) is None:
        pytest.skip("no C compiler")
    import bench_runtime
    exe = bench_runtime.build(tmp_path)
    rates = bench_runtime.run(exe, 200)
    assert sorted(rates) == ["condvar", "futex", "qnxhost", "spin"]
    assert all(r > 0 for r in rates.values())
