"""Checks the clean-room qnxhost headers numerically against the QNX 8.0 ABI
figures (../shared/qnx/abi-8.0-x86_64.json): every key is either compiled and
compared, or exempt with a reason. Keys the 6.4 file shares with 8.0 (same
value) are compared too. The 6.4.1 flavour (-DQH_NTO_VERSION=641) is compared with
../shared/qnx/abi-6.4-x86.json where the figures do not depend on the 32-bit
pointer size or the C library."""
import json
import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE = os.path.join(ROOT, "qnxhost", "include")
ABI_DIR = os.environ.get("QNX_ABI_DIR", os.path.join(os.path.dirname(ROOT), "shared", "qnx"))
ABI_80 = os.path.join(ABI_DIR, "abi-8.0-x86_64.json")
ABI_64 = os.path.join(ABI_DIR, "abi-6.4-x86.json")

HOST_ERRNO = "errno values are the host's (Linux) by design"
HOST_FLAGS = "open/stat flag values are the host C library's"
HOST_TYPE = "type comes from the host C library"
EXEMPT = {
    **{k: HOST_ERRNO for k in (
        "EPERM ENOENT EINTR EIO EBADF EAGAIN ENOMEM EACCES EFAULT EBUSY EEXIST ENODEV "
        "EINVAL ENOTTY EFBIG ENOSPC ESPIPE EROFS ERANGE ENOSYS EBADMSG EMSGSIZE EOVERFLOW "
        "ENOTSUP ETIMEDOUT ECANCELED EWOULDBLOCK EOWNERDEAD ENOTRECOVERABLE ECTX").split()},
    **{k: HOST_FLAGS for k in (
        "O_RDONLY O_WRONLY O_RDWR O_ACCMODE O_NONBLOCK O_APPEND O_CREAT O_TRUNC O_EXCL "
        "O_NOCTTY O_CLOEXEC O_DIRECTORY O_EXEC S_IFMT S_IFNAM S_IFCHR S_IFREG S_IFDIR").split()},
    "sizeof(struct stat)": HOST_TYPE,
    "sizeof(struct sigevent)": "the host's struct sigevent (messages embed a 32-byte QNX one)",
    "sizeof(pthread_mutex_t)": HOST_TYPE + " (the attr keeps an 8-byte slot instead)",
    "sizeof(pthread_attr_t)": HOST_TYPE,
    "sizeof(dev_t)": HOST_TYPE + " (QNX layouts use a 32-bit field)",
    "sizeof(nlink_t)": HOST_TYPE + " (QNX layouts use a 32-bit field)",
    "sizeof(io_stat_t)": "its reply member is the host's struct stat",
    "sizeof(resmgr_iomsgs_t)": "union includes io_stat_t (host struct stat) and unmodelled members",
    "__QNX__": "the host must not claim to be QNX (would switch code to target-only paths)",
}

PRELUDE = r"""
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/iofunc.h>
#include <sys/dispatch.h>
#include <sys/dcmd_all.h>
#include <sys/procmgr.h>
int main(void)
{
"""


def load(path):
    if not os.path.exists(path):
        pytest.skip(f"ABI figures not found: {path}")
    with open(path) as f:
        data = json.load(f)
    data.pop("_about", None)
    return data


def compile_c(src, exe, tmp_path, flags=()):
    c_file = os.path.join(tmp_path, os.path.basename(exe) + ".c")
    with open(c_file, "w") as f:
        f.write(src)
    return subprocess.run(["gcc", "-std=c11", "-D_GNU_SOURCE", "-w", "-isystem", INCLUDE, *flags,
                           c_file, "-o", exe], capture_output=True, text=True)


def host_figures(keys, tmp, flags=()):
    """The host's value of each C expression in keys, compiled against the headers."""
    body = "".join(f'    printf("%s\\t%lld\\n", {json.dumps(k)}, (long long)({k}));\n'
                   for k in keys)
    exe = os.path.join(tmp, "abi" + "".join(flags).replace("=", "").replace("-", "_"))
    res = compile_c(PRELUDE + body + "    return 0;\n}\n", exe, tmp, flags)
    assert res.returncode == 0, res.stderr
    out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
    return dict((line.split("\t")[0], int(line.split("\t")[1])) for line in out.splitlines())


@pytest.fixture(scope="module")
def host_values(tmp_path_factory):
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    tmp = str(tmp_path_factory.mktemp("abi"))
    abi = load(ABI_80)
    return host_figures([k for k, v in abi.items() if v is not None and k not in EXEMPT], tmp)


def test_every_key_checked_or_exempt(host_values):
    abi = load(ABI_80)
    unknown = [k for k in EXEMPT if k not in abi]
    assert not unknown, f"exemptions for keys not in the ABI file: {unknown}"
    unchecked = [k for k, v in abi.items()
                 if v is not None and k not in EXEMPT and k not in host_values]
    assert not unchecked, f"keys neither checked nor exempt: {unchecked}"


def test_values_match_8_0(host_values):
    abi = load(ABI_80)
    wrong = {k: (host_values[k], v) for k, v in abi.items() if k in host_values and host_values[k] != v}
    assert not wrong, "host != QNX 8.0: " + ", ".join(f"{k}: {h} != {q}" for k, (h, q) in wrong.items())


def test_values_shared_with_6_4(host_values):
    old, new = load(ABI_64), load(ABI_80)
    shared = [k for k, v in old.items() if v is not None and new.get(k) == v and k not in EXEMPT]
    assert len(shared) > 150
    wrong = [k for k in shared if host_values.get(k) != old[k]]
    assert not wrong, f"figures 6.4 and 8.0 agree on but the host does not: {wrong}"


def test_undefined_in_8_0(tmp_path):
    """Keys that are null in 8.0 must not compile against the 8.0 profile."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    abi = load(ABI_80)
    present = []
    for i, key in enumerate(k for k, v in abi.items() if v is None):
        src = PRELUDE + f"    printf(\"%lld\\n\", (long long)({key}));\n    return 0;\n}}\n"
        if compile_c(src, os.path.join(str(tmp_path), f"null{i}"), str(tmp_path)).returncode == 0:
            present.append(key)
    assert not present, f"defined although QNX 8.0 does not define them: {present}"


POINTER = "depends on the 32-bit pointer or size_t of 6.4 x86 (the host is x86_64)"
EXEMPT_641 = {
    **{k: v for k, v in EXEMPT.items()},
    **{k: POINTER for k in (
        "sizeof(iofunc_attr_t)", "sizeof(iofunc_ocb_t)", "sizeof(resmgr_attr_t)", "sizeof(iov_t)",
        "sizeof(off_t)", "sizeof(size_t)", "sizeof(struct _pulse)", "offsetof(struct _pulse, scoid)")},
    **{f"offsetof({t}, {f})": "iofunc_attr_t/iofunc_ocb_t keep the 8.0 layout in both flavours"
       " (generated code uses named fields only)"
       for t, fields in (("iofunc_attr_t", "mount flags count rcount wcount rlocks wlocks nbytes inode "
                                           "uid gid mtime atime ctime mode nlink rdev"),
                         ("iofunc_ocb_t", "attr ioflag offset sflag flags"))
       for f in fields.split()},
}


def test_values_match_6_4_flavour(tmp_path):
    """The -DQH_NTO_VERSION=641 headers against every 6.4 figure that applies on x86_64."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    old = load(ABI_64)
    keys = [k for k, v in old.items() if v is not None and k not in EXEMPT_641]
    host = host_figures(keys, str(tmp_path), ("-DQH_NTO_VERSION=641",))
    assert len(keys) > 250
    wrong = {k: (host.get(k), old[k]) for k in keys if host.get(k) != old[k]}
    assert not wrong, "host 641 != QNX 6.4: " + ", ".join(f"{k}: {h} != {q}" for k, (h, q) in wrong.items())
