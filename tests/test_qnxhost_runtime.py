"""Builds the qnxhost runtime with the sample resource manager and its test
client (gcc and clang, ASan+UBSan, one valgrind build; the 8.0 flavour and the
6.4.1 one, -DQH_NTO_VERSION=641) and runs every mode."""
import os
import re
import shutil
import subprocess

import pytest

import cbuild

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QNXHOST = os.path.join(ROOT, "qnxhost")
TESTS = os.path.join(ROOT, "tests", "qnxhost")
WARN = ["-g", "-O1", "-Wall", "-Wextra", "-Werror", "-pthread",
        "-isystem", os.path.join(QNXHOST, "include")]
SAN = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]
SERVER_STD = ["-std=c99", "-pedantic", "-D_QNX_SOURCE", "-D_DEFAULT_SOURCE"]
CLIENT_STD = ["-std=c11", "-D_GNU_SOURCE"]
MODES = {"basic": 57, "combine": 186, "pool": 73, "protocol": 21, "restart": 70, "unblock": 451}
ONLY_800 = {"combine": 2}  # checks of 8.0-only API (iofunc_check_msg_default), not in 6.4 builds
VALGRIND = ["valgrind", "-q", "--error-exitcode=1", "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect"]


def need(tool):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")


def build(cc, flags, out_dir):
    """Compile server (-Dmain=...), client (redirect.h) and runtime into one program."""
    runtime = sorted(os.path.join(QNXHOST, "src", f) for f in os.listdir(os.path.join(QNXHOST, "src"))
                     if f.endswith(".c") and not f.startswith("fuse"))
    srv = os.path.join(out_dir, "server.o")
    cli = os.path.join(out_dir, "client.o")
    exe = os.path.join(out_dir, "test_client")
    steps = [
        [cc, *SERVER_STD, *WARN, *flags, "-Dmain=sample_server_main", "-c",
         os.path.join(TESTS, "sample_server.c"), "-o", srv],
        [cc, *CLIENT_STD, *WARN, *flags, "-include", "qnxhost/redirect.h", "-c",
         os.path.join(TESTS, "test_client.c"), "-o", cli],
        [cc, "-std=c11", *WARN, *flags, srv, cli, *runtime, "-o", exe],
    ]
    for cmd in steps:
        res = subprocess.run(cmd, capture_output=True, text=True)
        assert res.returncode == 0, f"{' '.join(cmd)}\n{res.stderr}"
    return exe


def run(cmd, expected, env=None):
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=900,
                         env=None if env is None else {**os.environ, **env})
    summary = re.search(r"(\d+) passed, (\d+) failed", res.stdout)
    assert summary, f"no summary\nstdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    assert res.returncode == 0, f"exit {res.returncode}\n{res.stdout}\n{res.stderr}"
    assert (int(summary.group(1)), int(summary.group(2))) == (expected, 0), res.stdout
    return res


FLAVOURS = {"gcc": ("gcc", []), "clang": ("clang", []),
            "gcc-641": ("gcc", ["-DQH_NTO_VERSION=641"]), "clang-641": ("clang", ["-DQH_NTO_VERSION=641"])}


def shared_build(cc, flags):
    """build() once per test session for these flags (all xdist workers share it)."""
    folder = cbuild.shared("qnxhost-test", " ".join([cc, *flags]), lambda d: build(cc, flags, str(d)))
    return os.path.join(folder, "test_client")


@pytest.fixture(scope="module", params=sorted(FLAVOURS))
def sanitized(request):
    cc, flavour = FLAVOURS[request.param]
    need(cc)
    return shared_build(cc, SAN + flavour), request.param.endswith("641")


def checks(mode, is_641=False):
    """How many checks the client program runs in this mode (fewer on 6.4: no 8.0 API)."""
    return MODES[mode] - (ONLY_800.get(mode, 0) if is_641 else 0)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_sanitized(sanitized, mode):
    exe, is_641 = sanitized
    res = run([exe, mode], checks(mode, is_641))
    errors = res.stderr.count("qnxhost: protocol error:")
    assert errors == (6 if mode == "protocol" else 0), res.stderr


def test_protocol_messages(sanitized):
    exe, is_641 = sanitized
    res = run([exe, "protocol"], checks("protocol", is_641))
    for what in ("MsgReply on an unknown or already-replied rcvid",
                 "_RESMGR_NPARTS(n) beyond nparts_max",
                 "message never replied (client send timed out)",
                 "a non-final combine part wrote over the next part"):
        assert f"qnxhost: protocol error: {what}" in res.stderr
    # the held read whose unblock pulse was ignored still trips the safety net
    assert re.search(r"\(client send timed out\) \(rcvid \d+, message type 0x101\)", res.stderr)


# A waiter polls its word before it sleeps (QH_SPIN_NS, qnxhost/src/futex.c): never (0),
# one look (1: every wait goes on to sleep, racing the post that claims it), half a
# hand-off (500 ns: the spin often ends just as the message comes) and the default.
SPINS = ["0", "1", "500", ""]


@pytest.mark.parametrize("spin", SPINS)
@pytest.mark.parametrize("mode", ["basic", "combine", "pool", "restart", "unblock"])
def test_every_spin_setting(mode, spin):
    need("gcc")
    exe = shared_build("gcc", SAN)
    for _ in range(10 if mode == "pool" else 1):  # the pool: 8 clients, 1,600 round trips a run
        res = run([exe, mode], MODES[mode], env={"QH_SPIN_NS": spin})
        assert "qnxhost: protocol error:" not in res.stderr, res.stderr


@pytest.mark.parametrize("mode", ["pool", "restart"])
def test_valgrind(mode):
    need("gcc")
    need("valgrind")
    run([*VALGRIND, shared_build("gcc", []), mode], MODES[mode])


@pytest.mark.parametrize("spin", ["1", ""])
@pytest.mark.parametrize("mode", ["pool", "restart"])
def test_tsan(tsan, mode, spin):
    """The pool under ThreadSanitizer: restarts stop pools of both kinds (POOL_FLAG_EXIT_SELF,
    POOL_FLAG_USE_SELF) while their threads leave; no race may be reported, whether waiters
    poll first or go straight to sleep."""
    res = run([tsan, mode], MODES[mode], env={"QH_SPIN_NS": spin})
    assert "ThreadSanitizer" not in res.stderr, res.stderr[-4000:]


@pytest.fixture(scope="module")
def tsan(tmp_path_factory):
    need("clang")
    return build("clang", ["-fsanitize=thread"], str(tmp_path_factory.mktemp("tsan")))


@pytest.mark.parametrize("cc", ["gcc", "clang"])
@pytest.mark.parametrize("version", ["800", "641"])
def test_library_builds(cc, version):
    """`make -C qnxhost O=... CC=cc SAN=1 NTO_VERSION=...` (the session's build, which the
    drivers' host tests link; a failed build fails here with make's output)."""
    need(cc)
    need("make")
    lib = cbuild.runtime([f"CC={cc}", "SAN=1", f"NTO_VERSION={version}"])
    assert os.path.exists(os.path.join(lib, "libqnxhost.a"))
