"""The fifo example: blocking reads for real, with threads, under ASan+UBSan."""
from __future__ import annotations

import subprocess

from cbuild import QNXHOST, REPO, example_build, summary

TREE = REPO / "examples" / "fifo"


def test_fifo_behaves_like_a_pipe(tmp_path):
    build = example_build(TREE)                                # driver objects and runtime
    exe = tmp_path / "fifo_pipe_test"
    san = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]
    cmd = ["cc", "-std=c11", "-g", "-O1", "-Wall", "-Wextra", "-Werror", "-D_DEFAULT_SOURCE", *san,
           "-isystem", str(QNXHOST / "include"), "-include", "qnxhost/redirect.h",
           "-I", str(TREE / "public"), "-o", str(exe), str(REPO / "tests" / "examples" / "fifo_pipe_test.c"),
           *(str(build / f"fifo_{o}.o") for o in ("main", "io", "hooks", "client")),
           str(build / "qnxhost" / "libqnxhost.a"), "-lpthread"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(exe)], capture_output=True, text=True, timeout=900)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-3000:]
    passed, failed = summary(out)
    assert failed == 0 and passed >= 19
