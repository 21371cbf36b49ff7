"""Held requests, readiness and locking of the generated io code, shown by the generated
tests: pool drivers are race-free under ThreadSanitizer, and one planted defect per rule
(a notify list changed without the attr lock, a lost unblock, a cached readiness flag, a
zero-byte read passed to the hook, a write answered EAGAIN on a blocking fd) makes a named
generated test fail; also dup/close orders, client death and combine messages on the
runtime's client API."""
from __future__ import annotations

import subprocess

import pytest

from cbuild import REPO, host_make, summary
from test_host_roundtrip import planted, run_test

FAST_NET = {"QH_SEND_TIMEOUT_MS": "1000"}  # a held request nobody releases fails in 1 s


@pytest.mark.parametrize("example", ["adc", "fifo", "txq"])
def test_pool_driver_is_race_free_under_tsan(example, tmp_path):
    r = host_make(REPO / "examples" / example, tmp_path / "build", target="tsan", san=False)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    assert "ThreadSanitizer" not in out and summary(out)[1] == 0
    assert "PASS select_races_close" in out
    if example == "fifo":                        # blocking devctls: held by several clients
        assert "PASS held_wait_status_completed" in out and "PASS held_wait_status_bound" in out
    if example == "txq":                         # write-only: writers held by a full device
        assert "PASS full_holds_writers" in out


@pytest.mark.parametrize("example", ["adc", "sample"])
def test_defect_close_dup_without_lock(example, tmp_path):
    """close_dup runs without the OCB lock: iofunc_notify_remove() outside the attr lock
    races with another client's select(). The wrapped call notices every time."""
    tree = planted(tmp_path, example, f"server/{example}_io.c",
                   "    iofunc_attr_lock(&dev->attr);             /* close_dup runs without the device lock */\n"
                   "    iofunc_notify_remove(ctp, dev->notify);\n    iofunc_attr_unlock(&dev->attr);\n",
                   "    iofunc_notify_remove(ctp, dev->notify);\n")
    r = host_make(tree, tmp_path / "build", target="all")
    assert r.returncode == 0, r.stderr[-3000:]
    # One round per client thread: the unlocked lists must not be corrupted by the pool
    # before the check (run last) reports them; it notices the missing lock every time.
    r = subprocess.run([str(tmp_path / "build" / f"{example}_host_test"), "-c", "1"],
                       capture_output=True, text=True, timeout=900)
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "FAIL lists_locked" in out, out[-3000:]


def fifo_with(tmp_path, old: str, new: str):
    """Run the fifo's generated test with one defect in its io code; returns the output."""
    tree = planted(tmp_path, "fifo", "server/fifo_io.c", old, new)
    r = host_make(tree, tmp_path / "build", env=FAST_NET, timeout=900)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out[-3000:]
    return out


def test_defect_hold_ignoring_unblock_request(tmp_path):
    """Without the _NTO_MI_UNBLOCK_REQ check the forced-order read stays held: its unblock
    was handled first and nothing else releases it (the runtime's net ends it after 1 s)."""
    out = fifo_with(tmp_path, "    if (MsgInfo(ctp->rcvid, &info) != -1 && (info.flags & _NTO_MI_UNBLOCK_REQ))\n"
                              "        return EINTR;\n    w = calloc", "    (void)info;\n    w = calloc")
    assert "FAIL unblock_before_hold" in out and "protocol error" in out, out[-3000:]


def test_defect_cached_readiness(tmp_path):
    """select() saying "readable" from a flag rather than the device's count."""
    out = fifo_with(tmp_path, "    if (fifo_on_readable(dev) > 0)  /* a read() would not wait */",
                    "    if (dev != NULL)")
    assert "FAIL poll_matches_read" in out, out[-3000:]


def test_defect_zero_byte_read_reaches_the_hook(tmp_path):
    out = fifo_with(tmp_path, "    if (want == 0) {", "    if (want == 0 && ctp == NULL) {")
    assert "FAIL zero_byte_read" in out, out[-3000:]


def test_defect_blocking_write_answers_eagain(tmp_path):
    out = fifo_with(tmp_path, "    if (total == 0 && status == EAGAIN && !nonblock)",
                    "    if (total == 0 && status == EAGAIN && !nonblock && ctp == NULL)")
    assert "FAIL held_write_released" in out, out[-3000:]


def test_defect_close_dup_releases_the_whole_open_file(tmp_path):
    """close_dup answering every request of the OCB, not just the closing connection's:
    a read held on a dup()ed fd is wrongly ended (EBADF) by the other fd's close."""
    out = fifo_with(tmp_path, "    release_all(dev, 0, ctp->info.scoid, ctp->info.coid, NULL,",
                    "    release_all(dev, 0, 0, 0, ocb,")
    assert "FAIL dup_keeps_held_read" in out, out[-3000:]


def test_defect_dead_clients_request_kept(tmp_path):
    """Neither close_dup (rcvid 0) nor close_ocb drops a dead client's held read: it would
    be answered later, by a rcvid that may by then belong to another client."""
    tree = planted(tmp_path, "fifo", "server/fifo_io.c",
                   "    release_all(dev, 0, ctp->info.scoid, ctp->info.coid, NULL,",
                   "    if (ctp->rcvid != 0)\n        release_all(dev, 0, ctp->info.scoid, ctp->info.coid, NULL,")
    path = tree / "server/fifo_io.c"
    path.write_text(path.read_text().replace("    release_all(dev, 0, 0, 0, ocb, EBADF);\n", "", 1))
    r = host_make(tree, tmp_path / "build", env=FAST_NET, timeout=900)
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "FAIL client_dies_while_read_held" in out, out[-3000:]


def test_defect_read_assumes_message_at_buffer_start(tmp_path):
    """A read handler that takes its header from the start of the receive buffer: inside a
    combine message it reads the lseek part instead (notes: every part sits at ctp->offset)."""
    tree = planted(tmp_path, "sample", "server/sample_io.c", "    n = SAMPLE_READ_NBYTES(msg);",
                   "    n = SAMPLE_READ_NBYTES((io_read_t *)ctp->msg);")
    r, out = run_test(tree, tmp_path / "build")
    assert r.returncode != 0
    assert "FAIL lseek_read_combine" in out, out[-3000:]


def test_defect_short_copy_into_device_memory_on_6x(tmp_path):
    """On 6.x neither iofunc_write_verify() nor srcmsglen tells how much was sent: a buffer
    write that copies straight into the buffer lets a lying write's first bytes land there
    before the short resmgr_msgread() is noticed. Run on the runtime's 6.4.1 flavour."""
    tree = planted(tmp_path, "sample", "server/sample_io.c", "    status = read_exact(ctp, data, n, skip);",
                   "    status = read_exact(ctp, dev->buffer + start, n, skip);")
    path = tree / "server/sample_io.c"
    path.write_text(path.read_text().replace("    memcpy(dev->buffer + start, data, n);\n", "", 1))
    r, out = run_test(tree, tmp_path / "build", extra=["NTO_VERSION=641"])  # host.mk builds both in 6.4.1
    assert r.returncode != 0
    assert "FAIL write_lies" in out and summary(out)[1] == 1, out[-3000:]  # the rest pass on 6.x
