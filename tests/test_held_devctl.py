"""Blocking devctls (devctl[].blocking): the generated host test holds the gpio example's
wait_result through a wrapped hook and releases it by NAME_CMD_ready(), a timeout, a close
and a client's death; one planted defect per rule makes its named test fail. The pool
variant runs under ThreadSanitizer in test_blocking_io.py (the fifo example's wait_status)."""
from __future__ import annotations

from cbuild import host_make
from test_host_roundtrip import planted

FAST_NET = {"QH_SEND_TIMEOUT_MS": "1000"}  # a held request nobody releases fails in 1 s


def gpio_with(tmp_path, *defects):
    """Run the gpio example's generated test with defects planted in its io code."""
    tree = None
    for old, new in defects:
        tree = planted(tmp_path, "gpio", "server/gpio_io.c", old, new)
    r = host_make(tree, tmp_path / "build", env=FAST_NET, timeout=180)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out[-3000:]
    return out


def test_defects_in_unblock_nonblock_and_client_death(tmp_path):
    """An unblock handler that releases nothing (the timed-out call stays held until the
    runtime's net), a hold that ignores O_NONBLOCK, a close_dup that keeps a dead client's
    request: each fails its own test."""
    out = gpio_with(
        tmp_path,
        ("        release_all(dev, ctp->rcvid, 0, 0, NULL, EINTR);\n", ""),
        ("    if (ocb->ocb.ioflag & O_NONBLOCK)         /* O_NONBLOCK: say so rather than wait */\n"
         "        return EAGAIN;\n", ""),
        ("    release_all(dev, 0, ctp->info.scoid, ctp->info.coid, NULL, ctp->rcvid != 0 ? EBADF : EOK);\n", ""),
    )
    for name in ("unblock", "nonblock", "client_dies"):
        assert f"FAIL held_wait_result_{name}" in out, out[-3000:]
    assert "PASS held_wait_result_completed" in out


def test_defect_answer_never_sent(tmp_path):
    """The hook answers, but the delayed reply is not sent: the held clients hang."""
    out = gpio_with(tmp_path, ("    MsgReplyv(rcvid, EOK, iov, 2);", "    (void)rcvid;\n    (void)iov;"))
    assert "FAIL held_wait_result_completed" in out, out[-3000:]
