"""The txq example: a write-only blocking device. Its timer makes room in a full queue and
lets a held writer on (a short write of what fits); select()/poll() output readiness
follows the room; under ASan+UBSan. A planted defect (room_ready() that serves nobody)
makes it fail."""
from __future__ import annotations

import subprocess

from cbuild import QNXHOST, REPO, host_make, summary
from test_host_roundtrip import planted

TREE = REPO / "examples" / "txq"
SAN = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]


def drain_test(tree, tmp_path):
    build = tmp_path / "build"
    r = host_make(tree, build, target="all")
    assert r.returncode == 0, r.stdout + r.stderr
    exe = tmp_path / "txq_drain_test"
    cmd = ["cc", "-std=c11", "-g", "-O1", "-Wall", "-Wextra", "-Werror", "-D_DEFAULT_SOURCE", *SAN,
           "-isystem", str(QNXHOST / "include"), "-include", "qnxhost/redirect.h",
           "-I", str(tree / "public"), "-o", str(exe), str(REPO / "tests" / "examples" / "txq_drain_test.c"),
           *(str(build / f"txq_{o}.o") for o in ("main", "io", "hooks", "events", "client")),
           str(build / "qnxhost" / "libqnxhost.a"), "-lpthread"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120,
                       env={"QH_SEND_TIMEOUT_MS": "2000"})
    return r, r.stdout + r.stderr


def test_timer_makes_room_for_held_writer(tmp_path):
    r, out = drain_test(TREE, tmp_path)
    assert r.returncode == 0, out[-3000:]
    passed, failed = summary(out)
    assert failed == 0 and passed >= 15, out[-3000:]
    assert "runtime error" not in out and "AddressSanitizer" not in out


def test_defect_room_ready_serves_nobody(tmp_path):
    tree = planted(tmp_path, "txq", "server/txq_io.c",
                   "    serve_waiters(dev);                       /* the same work: either change may let either side on */",
                   "    (void)dev;")
    r, out = drain_test(tree, tmp_path)
    assert r.returncode != 0
    assert "FAIL line" in out and "w.n == (ssize_t)LINE" in out, out[-3000:]


def test_defect_poll_ignores_the_full_device(tmp_path):
    """io_notify that says writable without asking txq_on_writable(): the generated test's
    full device (its wrapped hooks) shows poll() lying."""
    tree = planted(tmp_path, "txq", "server/txq_io.c",
                   "    if (txq_on_writable(dev) > 0)  /* a write() would not wait */", "    if (dev != NULL)")
    r = host_make(tree, tmp_path / "build", env={"QH_SEND_TIMEOUT_MS": "2000"})
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "FAIL full_holds_writers" in out, out[-3000:]
