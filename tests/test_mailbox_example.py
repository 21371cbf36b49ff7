"""The mailbox example: custom _IO_MSG messages, privileged commands and messages, abilities
dropped after the attach, a security policy type. Its generated host test passes (run with
the other examples in test_host_roundtrip.py); here, planted defects make it fail."""
from __future__ import annotations

from cbuild import host_make
from test_host_roundtrip import planted


def test_defects_in_messages_and_privileges_fail(tmp_path):
    """One build, four independent defects, each caught by its own test: trusting the
    header's combine_len for the input length, no manager-id check, a privileged message
    and a privileged devctl without their check, and no ability drop."""
    io, main = "server/mailbox_io.c", "server/mailbox_main.c"
    tree = planted(tmp_path, "mailbox", io,
                   "    if (in_len < size)                        /* the client sent a short payload */",
                   "    (void)in_len;\n    if (msg->i.combine_len < sizeof msg->i + size)")
    planted(tmp_path, "mailbox", io, "    if (msg->i.mgrid != MAILBOX_MSG_MGRID)  /* not addressed to this manager */",
            "    if (0)")
    planted(tmp_path, "mailbox", io,
            "    if (!mailbox_client_privileged(ctp))  /* only effective uid 0 (root) or group 120 */\n"
            "        return EPERM;\n    status = mailbox_on_msg_purge(",
            "    status = mailbox_on_msg_purge(")
    planted(tmp_path, "mailbox", io,
            "        return EPERM;\n    if (!mailbox_client_privileged(ctp))  /* only effective uid 0 (root) or group 120 */\n"
            "        return EPERM;\n    in = devctl_input(",
            "        return EPERM;\n    in = devctl_input(")
    planted(tmp_path, "mailbox", main, "    status = drop_abilities();", "    status = EOK;\n    (void)drop_abilities;")
    r = host_make(tree, tmp_path / "build")
    out = r.stdout + r.stderr
    assert r.returncode != 0
    for test in ("msg_post", "msg_not_ours", "msg_purge_privileged", "set_lock_privileged", "abilities_dropped"):
        assert f"FAIL {test}\n" in out, (test, out[-3000:])
    assert "PASS msg_peek_status\n" in out and "PASS get_status\n" in out  # the rest still pass


def test_defect_reply_room_without_offset_fails(tmp_path):
    """A reply bound that forgets ctp->offset: the combine case writes past the receive
    buffer (ASan) or the test sees the reply fit where it cannot."""
    tree = planted(tmp_path, "mailbox", "server/mailbox_io.c",
                   "    if ((size_t)ctp->offset + sizeof(mailbox_msg_reply_t) + pad + size > (size_t)ctp->msg_max_size)",
                   "    if (sizeof(mailbox_msg_reply_t) + pad + size > (size_t)ctp->msg_max_size)")
    r = host_make(tree, tmp_path / "build")
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "AddressSanitizer" in out or "FAIL msg_fetch\n" in out, out[-3000:]


def test_abilities_kept_follow_the_events(tmp_path):
    """A pool driver with interrupts and register windows keeps what serving them needs
    (and what security.keep_abilities adds), in the model and in the generated host test."""
    import yaml

    from cbuild import generate, spec_copy, summary
    from rmgen import model
    from test_events import SPEC

    spec = dict(SPEC, server={"threads": "pool"}, security={"keep_abilities": ["timer"]},
                devctl=[{"name": "reset", "code": 1, "privileged": True}])
    d = model.build(spec, "../ev.yaml")
    assert d.security.keep == ("PROCMGR_AID_INTERRUPTEVENT", "PROCMGR_AID_IO", "PROCMGR_AID_TIMER")
    assert d.security.drop and d.security.group is None and d.security.policy_type is None
    tree = generate(spec_copy(tmp_path / "spec", "ev.yaml", yaml.safe_dump(spec)), tmp_path / "out")
    main = (tree / "server" / "ev_main.c").read_text()
    assert main.index("ev_events_start(dpp") < main.index("status = drop_abilities();")  # after the set-up
    assert "secpol_resmgr_attach" not in main  # no policy type: resmgr_attach() on every version
    r = host_make(tree, tmp_path / "build")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    assert summary(out)[1] == 0
    for name in ("abilities_dropped", "reset_privileged", "irq_rx"):
        assert f"PASS {name}\n" in out
