"""Generated drivers work: each example's generated round-trip test runs on the qnxhost
runtime under ASan+UBSan, one runs 1000 cycles under valgrind, and planted defects in a
template, a hook and the reply protocol make the tests fail."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cbuild import EXAMPLES, REPO, copy_tree, example_build, host_make, summary

needs_valgrind = pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    """One build folder for the module's other builds."""
    return tmp_path_factory.mktemp("host-build")


def run_test(tree: Path, build: Path, **kw):
    r = host_make(tree, build, **kw)
    return r, r.stdout + r.stderr


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_round_trip(example):
    tree = REPO / "examples" / example
    r, out = run_test(tree, example_build(tree))  # the session's build: only the test runs here
    assert r.returncode == 0, out[-4000:]
    passed, failed = summary(out)
    assert failed == 0 and passed >= 10, out[-4000:]  # a floor: the program really ran its cases
    assert "runtime error" not in out and "AddressSanitizer" not in out  # UBSan/ASan stay quiet


@needs_valgrind
def test_valgrind_thousand_cycles(build):
    """4 client threads x 250 open/devctl/close cycles, no leak or error under valgrind."""
    r, out = run_test(REPO / "examples" / "thermo", build, target="valgrind", timeout=600)
    assert r.returncode == 0, out[-4000:]
    assert summary(out)[1] == 0


def planted(tmp_path: Path, example: str, path: str, old: str, new: str) -> Path:
    """A copy of an example tree with one deliberate defect (build it into its own folder:
    host_make starts it from the original's objects and make rebuilds what the defect
    touches). Called again for the same example, it plants one more defect in the same copy."""
    tree = tmp_path / example
    if not tree.exists():
        copy_tree(REPO / "examples" / example, tree)
    f = tree / path
    text = f.read_text()
    assert old in text, f"defect anchor not found in {path}"
    f.write_text(text.replace(old, new, 1))
    return tree


def test_defect_trusting_nbytes_for_length_fails(tmp_path):
    """A devctl that checks the client's nbytes instead of the bytes it sent."""
    tree = planted(tmp_path, "thermo", "server/thermo_io.c",
                   "    if (in_len < size) {                      /* the client sent a short payload */",
                   "    (void)in_len;\n    if (msg->i.nbytes < size) {")
    planted(tmp_path, "thermo", "server/thermo_io.c",  # and takes the payload as arrived whole
            "    if ((size_t)ctp->size < sizeof msg->i + size) {", "    if (msg->i.nbytes > ctp->msg_max_size) {")
    r, out = run_test(tree, tmp_path / "build")
    assert r.returncode != 0
    assert "FAIL set_config_raw" in out, out[-3000:]  # (stdout is line-buffered: seen before a later ASan abort)


def test_defect_copying_nbytes_bytes_is_caught_by_asan(tmp_path):
    """A devctl that copies msg->i.nbytes bytes out of the receive buffer."""
    tree = planted(tmp_path, "thermo", "server/thermo_io.c",
                   "    const void *data = _DEVCTL_DATA(msg->i);\n",
                   "    const void *data = _DEVCTL_DATA(msg->i);\n    static char sink[1u << 16];\n\n"
                   "    memcpy(sink, data, msg->i.nbytes & 0xFFFFu);\n")
    r, out = run_test(tree, tmp_path / "build")
    assert r.returncode != 0
    assert "AddressSanitizer" in out and "heap-buffer-overflow" in out, out[-3000:]


def test_defect_in_a_hook_fails(tmp_path):
    """A set_config hook that forgets to store: the round trip notices."""
    tree = planted(tmp_path, "thermo", "server/thermo_hooks.c",
                   "    dev->config = *in;\n", "")
    r, out = run_test(tree, tmp_path / "build")
    assert r.returncode != 0
    assert "FAIL set_config_then_get_config" in out, out[-3000:]


def test_defect_double_reply_fails(tmp_path):
    """A handler that replies itself and then returns a reply for the library as well."""
    tree = planted(tmp_path, "sample", "server/sample_io.c",
                   "    memset(&msg->o, 0, sizeof msg->o);        /* ret_val 0 is what the client's dev_info gets */",
                   "    MsgReply(ctp->rcvid, 0, NULL, 0);\n    memset(&msg->o, 0, sizeof msg->o);")
    r, out = run_test(tree, tmp_path / "build")
    assert r.returncode != 0
    assert "protocol error" in out, out[-3000:]


def test_defect_status_in_devctl_fails(tmp_path):
    """A devctl handler that sets ctp->status: QNX's devctl() then returns a negative value."""
    tree = planted(tmp_path, "sample", "server/sample_io.c",
                   "    msg->o.nbytes = (sample_qnx_nbytes_t)size;",
                   "    msg->o.nbytes = (sample_qnx_nbytes_t)size;\n    _RESMGR_STATUS(ctp, size);")
    r, out = run_test(tree, tmp_path / "build")
    assert r.returncode != 0
    assert "FAIL get_info" in out, out[-3000:]


def test_defect_ignoring_unblock_fails(tmp_path):
    """A blocking driver that forgets io_unblock: a reader whose timeout fires stays held
    (the runtime's safety net, shortened here, then reports the unreplied message)."""
    tree = planted(tmp_path, "fifo", "server/fifo_main.c",
                   "    fifo_io_funcs.unblock   = fifo_io_unblock;\n", "    (void)fifo_io_unblock;\n")
    r = host_make(tree, tmp_path / "build", env={"QH_SEND_TIMEOUT_MS": "1000"})
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "FAIL blocked_read_released" in out and "protocol error" in out, out[-3000:]


def test_blocking_stubs_pass_their_own_test(tmp_path):
    """A blocking device with nothing but the generated stubs: reads wait and are released."""
    from cbuild import generate, spec_copy

    spec = spec_copy(tmp_path / "spec", "wait.yaml",
                     "rmgen: 1\ndevice: {name: wait, path: /dev/wait, summary: Waits}\n"
                     "io: {kind: hook, blocking: true, access: read-only}\nserver: {threads: pool}\n")
    r, out = run_test(generate(spec, tmp_path / "out"), tmp_path / "build")
    assert r.returncode == 0, out[-3000:]
    assert "PASS blocked_read_released" in out and summary(out)[1] == 0
