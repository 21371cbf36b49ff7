"""The can example: eight mailbox paths in one server. Its own test drives the hardware
(receive and transmit interrupts, registers) under ASan+UBSan and runs an existing client
of canif.h compiled unchanged against the generated header; the generated host test runs
under ThreadSanitizer (a thread pool, a client on every path at once); and dropping a
role check from the generated code makes a named generated test fail."""
from __future__ import annotations

import shutil
import subprocess

from cbuild import QNXHOST, REPO, STDS, WARN, compilers, host_make, summary
from test_host_roundtrip import planted

TREE = REPO / "examples" / "can"
NAMING = REPO / "tests" / "data" / "naming"
SAN = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]


def canif_dir(tmp_path):
    """A folder where "canif.h" is the generated public/can.h: the existing client's include."""
    d = tmp_path / "canif"
    d.mkdir()
    shutil.copy(TREE / "public" / "can.h", d / "canif.h")
    return d


def test_existing_canif_client_compiles_unchanged(tmp_path):
    inc = canif_dir(tmp_path)
    for std in ("c11", "c99"):
        r = subprocess.run([compilers()[0], *STDS[std], *WARN, "-isystem", str(QNXHOST / "include"), "-I", str(inc),
                            "-c", str(NAMING / "canif_client.c"), "-o", "/dev/null"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr


def test_can_mailboxes_on_the_host(tmp_path):
    build = tmp_path / "build"
    r = host_make(TREE, build, target="all")
    assert r.returncode == 0, r.stdout + r.stderr
    exe = tmp_path / "can_paths_test"
    cmd = ["cc", "-std=c11", "-g", "-O1", "-Wall", "-Wextra", "-Werror", "-D_DEFAULT_SOURCE", *SAN,
           "-isystem", str(QNXHOST / "include"), "-include", "qnxhost/redirect.h",
           "-I", str(TREE / "public"), "-I", str(canif_dir(tmp_path)), "-o", str(exe),
           str(REPO / "tests" / "examples" / "can_paths_test.c"), str(NAMING / "canif_client.c"),
           *(str(build / f"can_{o}.o") for o in ("main", "io", "hooks", "events", "client")),
           str(build / "qnxhost" / "libqnxhost.a"), "-lpthread"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-3000:]
    passed, failed = summary(out)
    assert failed == 0 and passed >= 53, out[-3000:]
    assert "runtime error" not in out and "AddressSanitizer" not in out


def test_can_pool_is_race_free_under_tsan(tmp_path):
    r = host_make(TREE, tmp_path / "build", target="tsan", san=False)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    assert "ThreadSanitizer" not in out and summary(out)[1] == 0
    assert "PASS paths_concurrent" in out and "PASS paths_share_state" in out


def test_defect_role_checks_dropped_fail(tmp_path):
    """The generated handlers without their role checks: a tx command on an rx path and
    a write on an rx path reach the hooks, and the generated paths tests say so."""
    tree = planted(tmp_path, "can", "server/can_io.c",
                   "    if (ocb->ocb.attr->role != CAN_ROLE_TX)  /* only tx paths take it */",
                   "    if (0)")
    planted(tmp_path, "can", "server/can_io.c",
            "    if ((ocb->ocb.attr->io & CAN_PATH_WRITE) == 0)  /* this path's role does not write */",
            "    if (0)")
    r = host_make(tree, tmp_path / "build", env={"QH_SEND_TIMEOUT_MS": "5000"})
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "FAIL paths_tx_frame_roles" in out and "FAIL paths_io_roles" in out, out[-3000:]


def test_defect_lock_ocb_without_the_device_lock_races(tmp_path):
    """lock_ocb taking only the path's own attr: handlers on two paths touch the shared
    device at once, which ThreadSanitizer reports in the generated test."""
    tree = planted(tmp_path, "can", "server/can_io.c",
                   "        return status;\n    iofunc_attr_lock(&ocb->ocb.attr->dev->attr);\n",
                   "        return status;\n")
    planted(tmp_path, "can", "server/can_io.c",
            "    iofunc_attr_unlock(&ocb->ocb.attr->dev->attr);\n    return iofunc_unlock_ocb_default",
            "    return iofunc_unlock_ocb_default")
    r = host_make(tree, tmp_path / "build", target="tsan", san=False)
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "ThreadSanitizer: data race" in out, out[-3000:]
