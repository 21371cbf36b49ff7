"""Devctl replies in combine messages (issue 6): a command with output that ends a combine
starts at ctp->offset > 0 in the receive buffer. The generated host tests send such combines
(an fstat, then the command: right after it and near the end of the buffer); these planted
defects show that they catch the old bound under ASan. (The runtime, like libc, pads parts to 8
bytes, so the reply-data alignment the handler also handles is not reached here.) Skipped
until the runtime handles combine messages (its headers then define _IO_COMBINE_FLAG)."""
from __future__ import annotations

import pytest

from cbuild import headers_accept
from test_host_roundtrip import planted, run_test


pytestmark = pytest.mark.skipif(
    not headers_accept("#include <sys/iomsg.h>\n#ifndef _IO_COMBINE_FLAG\n#error no combine\n#endif\n"),
    reason="the runtime has no combine messages yet")
OLD_LIBRARY = ["NTO_VERSION=641"]  # no check_msg before 8.0: the handler's own check is all there is
BOUND = "    if ((size_t)ctp->offset + sizeof msg->o + pad + size > (size_t)ctp->msg_max_size)"


def test_reply_bound_from_offset_zero_overflows(tmp_path):
    """The old bound: room counted as if the devctl sat at the start of the buffer."""
    tree = planted(tmp_path, "thermo", "server/thermo_io.c", BOUND,
                   "    if (sizeof msg->o + pad + size > (size_t)ctp->msg_max_size)")
    r, out = run_test(tree, tmp_path / "build")
    assert r.returncode != 0
    assert "heap-buffer-overflow" in out and "thermo_dcmd_get" in out, out[-3000:]  # a handler's reply



def test_reply_header_from_the_buffer_start_fails(tmp_path):
    """A handler that replies the header at the start of the receive buffer (offset 0)."""
    tree = planted(tmp_path, "thermo", "server/thermo_io.c",
                   "    SETIOV(&ctp->iov[0], &msg->o, sizeof msg->o);",
                   "    SETIOV(&ctp->iov[0], ctp->msg, sizeof msg->o);")
    r, out = run_test(tree, tmp_path / "build")
    assert r.returncode != 0
    assert "FAIL get_sample_in_combine" in out and "FAIL get_sample_connect_combine" in out, out[-3000:]


def test_reply_in_a_non_final_part_is_refused(tmp_path):
    """A devctl handler without its rcvid == 0 check builds its reply in a non-final part, over
    the next part of the message: the runtime always reports it (no answer that depends on the
    reply bytes), so the mid-combine test fails the same way every time. Built as 6.4: on 8.0
    the library's default check_msg refuses the devctl before the handler sees it."""
    tree = planted(tmp_path, "thermo", "server/thermo_io.c",
                   "    if (ctp->rcvid == 0)                      /* must be the last part of a combine to reply */\n"
                   "        return EBADMSG;\n", "")
    r, out = run_test(tree, tmp_path / "build", extra=OLD_LIBRARY)
    assert r.returncode != 0
    assert "FAIL get_sample_mid_combine" in out, out[-3000:]
    assert "protocol error: a non-final combine part wrote over the next part" in out, out[-3000:]
