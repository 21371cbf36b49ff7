"""The qnxhost FUSE front-end: the committed example drivers, built with their host.mk
`fuse` target (ASan+UBSan), mounted with FUSE and driven by real Linux programs (the
shell, cat, dd, Python's os/fcntl.ioctl), so the requests reach the generated QNX handlers.

Skips (with the reason) when FUSE cannot work here: no /dev/fuse, no fusermount3, no
libfuse3 development files, or a mount refused for lack of privilege while not root.
As root with /dev/fuse present, a failed mount is a test failure."""
from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import struct
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from cbuild import host_make
from rmgen import model

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
WAIT_S = 120         # bound on every wait (mount, unmount, process exit): only a failure waits it out
SAN = True           # ASan+UBSan work with libfuse: the front-end runs under them


def _why_no_fuse() -> str | None:
    if not os.path.exists("/dev/fuse"):
        return "/dev/fuse is missing (no fuse kernel module or not exposed to this container)"
    if shutil.which("fusermount3") is None:
        return "fusermount3 is not installed (Debian: fuse3)"
    if shutil.which("pkg-config") is None or subprocess.run(
            ["pkg-config", "--exists", "fuse3"]).returncode != 0:
        return "libfuse3 development files are missing (pkg-config fuse3; Debian: libfuse3-dev)"
    if shutil.which("make") is None or shutil.which(os.environ.get("CC", "cc")) is None:
        return "make or a C compiler is missing"
    return None


pytestmark = pytest.mark.skipif(_why_no_fuse() is not None, reason=str(_why_no_fuse()))


def to_linux_ioctl(dcmd: int) -> int:
    """QNX dcmd -> Linux ioctl request: same layout, the two direction bits swapped
    (QNX DEVDIR_TO bit 31 / DEVDIR_FROM bit 30; Linux _IOC_READ bit 31 / _IOC_WRITE bit 30)."""
    to_dev = (dcmd >> 31) & 1
    from_dev = (dcmd >> 30) & 1
    return (dcmd & 0x3FFFFFFF) | (to_dev << 30) | (from_dev << 31)


def dcmds(name: str) -> dict[str, int]:
    spec = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())
    return {d.name: d.dcmd_value for d in model.build(spec, f"../{name}.yaml").devctls}


@pytest.fixture(scope="module")
def binaries(tmp_path_factory) -> dict[str, Path]:
    """Build sample-fuse and thermo-fuse from the committed example trees."""
    out = tmp_path_factory.mktemp("fuse-build")
    built = {}
    for name in ("sample", "thermo"):
        o = out / name
        r = host_make(EXAMPLES / name, o, target="fuse", san=SAN, timeout=900)
        assert r.returncode == 0, f"building {name}-fuse failed:\n{r.stdout}\n{r.stderr}"
        built[name] = o / f"{name}-fuse"
    return built


class Mounted:
    """A running DRIVER-fuse process and its mount point."""

    def __init__(self, exe: Path, root: Path, node: str, extra: list[str]):
        self.mnt = root / "mnt"
        self.mnt.mkdir()
        self.log_path = root / "fuse.log"
        self.log = open(self.log_path, "w")
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
                   UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
        self.proc = subprocess.Popen([str(exe), str(self.mnt), *extra], stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.node = self.mnt / node.lstrip("/")
        self.stopped = False

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_mounted(self) -> None:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                out = self.output()
                if os.geteuid() != 0:
                    pytest.skip(f"FUSE mount refused without root privilege: {out.strip()}")
                pytest.fail(f"mount failed as root with /dev/fuse present "
                            f"(exit {self.proc.returncode}):\n{out}")
            if os.path.ismount(self.mnt) and self.node.exists():
                return
            time.sleep(0.02)
        pytest.fail(f"{self.node} did not appear within {WAIT_S} s:\n{self.output()}")

    def unmount(self) -> subprocess.CompletedProcess:
        return subprocess.run(["fusermount3", "-u", str(self.mnt)], capture_output=True,
                              text=True, timeout=WAIT_S)

    def wait_exit(self) -> int:
        try:
            return self.proc.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=WAIT_S)
            pytest.fail(f"the front-end did not exit within {WAIT_S} s:\n{self.output()}")

    def check_clean_exit(self, rc: int) -> None:
        out = self.output()
        assert rc == 0, f"exit status {rc}:\n{out}"
        for bad in ("AddressSanitizer", "LeakSanitizer", "runtime error:", "protocol error"):
            assert bad not in out, out

    def cleanup(self) -> None:
        """Last resort: never leave a mount or a process behind."""
        if os.path.ismount(self.mnt):
            if self.unmount().returncode != 0:
                subprocess.run(["umount", "-l", str(self.mnt)], capture_output=True, timeout=WAIT_S)
        if self.proc.poll() is None:
            try:
                self.proc.wait(timeout=WAIT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=WAIT_S)
        self.log.close()


@pytest.fixture
def mount(binaries, tmp_path):
    """mount(name, *server_args): start NAME-fuse on a fresh mount point. At teardown the
    file system is unmounted with fusermount3 -u and the process must exit 0, cleanly."""
    started: list[Mounted] = []

    def start(name: str, *server_args: str) -> Mounted:
        root = tmp_path / f"{name}{len(started)}"
        root.mkdir()
        m = Mounted(binaries[name], root, f"/dev/{name}", ["--", *server_args] if server_args else [])
        started.append(m)
        m.wait_mounted()
        return m

    yield start
    try:
        for m in started:
            if m.proc.poll() is None and os.path.ismount(m.mnt):
                r = m.unmount()
                assert r.returncode == 0, f"fusermount3 -u failed: {r.stderr}"
                m.check_clean_exit(m.wait_exit())
    finally:
        for m in started:
            m.cleanup()


def sh(cmd: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "-c", cmd], capture_output=True, timeout=WAIT_S, **kw)


# ---- sample: a seekable 4 KiB buffer ----

def sample_info(path: Path) -> tuple[int, int, int]:
    fd = os.open(path, os.O_RDONLY)
    try:
        raw = fcntl.ioctl(fd, to_linux_ioctl(dcmds("sample")["get_info"]), bytes(12))
    finally:
        os.close(fd)
    return struct.unpack("<3I", raw)


def test_sample_tree_shell_and_cat(mount):
    m = mount("sample")
    assert sorted(os.listdir(m.mnt)) == ["dev"]
    assert "sample" in os.listdir(m.mnt / "dev")
    st = os.stat(m.node)
    assert oct(st.st_mode & 0o7777) == "0o666" and st.st_size == 0

    r = sh(f"echo hello > '{m.node}'")                   # shell redirection: O_CREAT|O_TRUNC
    assert r.returncode == 0, r.stderr
    r = sh(f"cat '{m.node}'")
    assert r.returncode == 0 and r.stdout == b"hello\n", r
    assert os.stat(m.node).st_size == 6                 # fstat from the server's attr
    capacity, used, _opens = sample_info(m.node)
    assert (capacity, used) == (4096, 6)

    r = sh(f"echo bye > '{m.node}'")                    # O_TRUNC reaches the open handler
    assert r.returncode == 0, r.stderr
    assert m.node.read_bytes() == b"bye\n"
    assert sample_info(m.node)[1] == 4


def test_sample_dd_offsets(mount):
    m = mount("sample")
    assert sh(f"printf 0123456789 > '{m.node}'").returncode == 0
    r = sh(f"dd if='{m.node}' bs=2 skip=1 count=2 status=none")
    assert r.returncode == 0 and r.stdout == b"2345", r
    r = sh(f"printf AB | dd of='{m.node}' bs=2 seek=2 conv=notrunc status=none")
    assert r.returncode == 0, r.stderr
    assert m.node.read_bytes() == b"0123AB6789"
    r = sh(f"printf XY | dd of='{m.node}' bs=1 seek=12 conv=notrunc status=none")  # past the end
    assert r.returncode == 0, r.stderr
    assert m.node.read_bytes() == b"0123AB6789\0\0XY"
    assert sample_info(m.node)[1] == 14
    # pread/pwrite at offsets from Python, one message each (direct I/O).
    fd = os.open(m.node, os.O_RDWR)
    try:
        assert os.pwrite(fd, b"zz", 1) == 2
        assert os.pread(fd, 4, 0) == b"0zz3"
    finally:
        os.close(fd)


def test_sample_ioctl_get_info_and_clear(mount):
    m = mount("sample")
    d = dcmds("sample")
    payload = b"x" * 100
    fd = os.open(m.node, os.O_WRONLY)
    try:
        assert os.write(fd, payload) == len(payload)
        raw = fcntl.ioctl(fd, to_linux_ioctl(d["get_info"]), bytes(12))
        capacity, used, opens = struct.unpack("<3I", raw)
        assert capacity == 4096 and used == len(payload) and opens >= 1
        assert fcntl.ioctl(fd, to_linux_ioctl(d["clear"])) == 0
    finally:
        os.close(fd)
    assert sample_info(m.node)[1] == 0
    assert m.node.read_bytes() == b""

    fd = os.open(m.node, os.O_RDONLY)
    try:
        with pytest.raises(OSError) as e:                # clear needs an fd open for writing
            fcntl.ioctl(fd, to_linux_ioctl(d["clear"]))
        assert e.value.errno == errno.EPERM
        unknown = (5 << 8) | 0x7F                        # _DCMD_MISC, command 0x7f: not ours
        with pytest.raises(OSError) as e:
            fcntl.ioctl(fd, to_linux_ioctl(unknown))
        assert e.value.errno == errno.ENOTTY
    finally:
        os.close(fd)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sample_stops_on_signal(mount, sig):
    m = mount("sample")
    fd = os.open(m.node, os.O_RDWR)                      # still open when the signal lands
    try:
        os.write(fd, b"data")
        m.proc.send_signal(sig)
        rc = m.wait_exit()
    finally:
        try:
            os.close(fd)
        except OSError as e:                             # the file system is gone (lazy unmount)
            assert e.errno == errno.ENOTCONN
    assert not os.path.ismount(m.mnt)
    m.check_clean_exit(rc)


def test_bad_mount_point_is_an_error(binaries, tmp_path):
    r = subprocess.run([str(binaries["sample"]), str(tmp_path / "missing")],
                       capture_output=True, text=True, timeout=WAIT_S)
    assert r.returncode == 1
    assert "mount point" in r.stderr and "No such file or directory" in r.stderr


# ---- thermo: devctl only ----

CONFIG = struct.Struct("<IB3xii16s")                     # thermo_config_t, 32 bytes


def test_thermo_config_round_trip_and_access(mount):
    m = mount("thermo", "-r", "25")
    d = dcmds("thermo")
    assert CONFIG.size == 32
    new = CONFIG.pack(200, 1, -1000, 90000, b"fuse-probe")
    fd = os.open(m.node, os.O_RDWR)
    try:
        assert fcntl.ioctl(fd, to_linux_ioctl(d["set_config"]), new) == new  # TO only: unchanged
        got = CONFIG.unpack(fcntl.ioctl(fd, to_linux_ioctl(d["get_config"]), bytes(32)))
        assert got[:4] == (200, 1, -1000, 90000) and got[4].rstrip(b"\0") == b"fuse-probe"
        bad = CONFIG.pack(0, 0, 0, 0, b"")               # rate_hz 0 is out of range
        with pytest.raises(OSError) as e:
            fcntl.ioctl(fd, to_linux_ioctl(d["set_config"]), bad)
        assert e.value.errno == errno.EINVAL
    finally:
        os.close(fd)

    fd = os.open(m.node, os.O_RDONLY)
    try:
        for name in ("set_config", "reset"):             # write-only commands on a read-only fd
            arg = new if name == "set_config" else 0
            with pytest.raises(OSError) as e:
                fcntl.ioctl(fd, to_linux_ioctl(d[name]), arg)
            assert e.value.errno == errno.EPERM, name
        got = CONFIG.unpack(fcntl.ioctl(fd, to_linux_ioctl(d["get_config"]), bytes(32)))
        assert got[0] == 200                            # unchanged by the refused calls
        with pytest.raises(OSError) as e:
            fcntl.ioctl(fd, to_linux_ioctl((5 << 8) | 0x7F))
        assert e.value.errno == errno.ENOTTY
    finally:
        os.close(fd)
