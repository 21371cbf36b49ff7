"""qnxhost's interrupts (masking, latched raises, I/O privity), virtual-clock timers,
device memory and port I/O, step by step without a server, under ASan+UBSan."""
from __future__ import annotations

import subprocess

from cbuild import QNXHOST, REPO, runtime, summary


def test_interrupts_timers_and_device_memory(tmp_path):
    lib = runtime(["SAN=1"])
    exe = tmp_path / "events_test"
    r = subprocess.run(["cc", "-std=c11", "-g", "-O1", "-Wall", "-Wextra", "-Werror", "-D_DEFAULT_SOURCE",
                        "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-isystem",
                        str(QNXHOST / "include"), "-o", str(exe), str(REPO / "tests" / "qnxhost" / "events_test.c"),
                        str(lib / "libqnxhost.a"), "-lpthread"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(exe)], capture_output=True, text=True, timeout=900)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert summary(out) == (41, 0), out  # every CHECK ran
