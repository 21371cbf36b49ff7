"""The typed model of custom messages and privileges (names, values, defaults), without
compiling anything; the generated code is run by the mailbox example's host test."""
from __future__ import annotations

import yaml

from cbuild import REPO
from rmgen import model

MAILBOX = yaml.safe_load((REPO / "examples" / "mailbox.yaml").read_text())


def test_message_names_values_and_hooks():
    d = model.build(MAILBOX, "../mailbox.yaml")
    ms = d.messages
    assert (ms.manager, ms.mgrid, ms.mgrid_macro, ms.reply_t) == (0x2A, 0xF02A, "MAILBOX_MSG_MGRID",
                                                                  "mailbox_msg_reply_t")
    assert [(m.name, m.subtype, m.macro, m.client_fn, m.hook, m.handler) for m in ms.list][:2] == [
        ("post", 1, "MAILBOX_MSG_POST", "mailbox_msg_post", "mailbox_on_msg_post", "mailbox_serve_post"),
        ("fetch", 2, "MAILBOX_MSG_FETCH", "mailbox_msg_fetch", "mailbox_on_msg_fetch", "mailbox_serve_fetch")]
    post, fetch, status, purge = ms.list
    assert post.access_flags == ("_IO_FLAG_WR",) and fetch.access_flags == ("_IO_FLAG_RD",)
    assert post.inp.check_fn == "mailbox_check_letter" and fetch.out.check_fn is None  # outputs unchecked
    assert [m.privileged for m in ms.list] == [False, False, False, True]
    assert (ms.max_in, ms.max_out, ms.unused_subtype) == (64, 64, 65535)
    assert d.reads_messages and d.struct("slot_ref").is_input  # message inputs are validated
    assert [h.name for h in d.hooks if h.purpose.startswith("message")] == [
        "mailbox_on_msg_post", "mailbox_on_msg_fetch", "mailbox_on_msg_peek_status", "mailbox_on_msg_purge"]
    assert ("msg_mgrid", "\\x2A\\xF0") in d.fuzz_dictionary and ("msg_purge", "\\x04\\x00") in d.fuzz_dictionary


def test_security_defaults():
    d = model.build(MAILBOX, "../mailbox.yaml")
    sec = d.security
    assert (sec.group, sec.drop, sec.keep, sec.policy_type) == (120, True, (), "mailbox_t")
    assert sec.who == "effective uid 0 (root) or group 120"
    assert [c.name for c in d.devctls if c.privileged] == ["set_lock", "reset_counters"]
    # Privileged items without a security block: checked, but no ability drop (opt-in).
    plain = {"rmgen": 1, "device": {"name": "p", "path": "/dev/p", "summary": "s"},
             "devctl": [{"name": "reset", "code": 1, "privileged": True}]}
    sec = model.build(plain, "../p.yaml").security
    assert (sec.group, sec.drop, sec.keep, sec.policy_type) == (None, False, (), None)
    assert model.build(dict(plain, devctl=[{"name": "reset", "code": 1}]), "../p.yaml").security is None


def test_abilities_kept_follow_the_hardware():
    """After the drop a server keeps what its hardware still needs: interrupts keep
    INTERRUPTEVENT and IO, port I/O windows IO; memory windows nothing (mapped before the
    attach: MEM_PHYS is not needed afterwards); nothing else."""
    base = {"rmgen": 1, "device": {"name": "h", "path": "/dev/h", "summary": "s"}, "security": {}}
    def kept(**extra):
        return model.build(dict(base, **extra), "../h.yaml").security.keep
    port = {"name": "ports", "paddr": 0x3F8, "size": 8, "width": 8, "kind": "io"}
    mem = {"name": "regs", "paddr": 0xFE000000, "size": 0x100}
    assert kept() == ()
    assert kept(registers=[port]) == ("PROCMGR_AID_IO",)
    assert kept(registers=[mem]) == ()
    assert kept(registers=[mem], security={"keep_abilities": ["mem_phys"]}) == ("PROCMGR_AID_MEM_PHYS",)
    assert kept(registers=[port, mem], events={"interrupts": [{"name": "rx", "irq": 4}]}) == (
        "PROCMGR_AID_INTERRUPTEVENT", "PROCMGR_AID_IO")
