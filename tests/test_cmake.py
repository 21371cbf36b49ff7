"""The generated CMake build: with host CMake and gcc against the clean-room headers the
client library builds; the QNX toolchain file refuses clearly without a QNX SDP."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from cbuild import QNXHOST, REPO

pytestmark = pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake is not installed")


def cmake(*args, env=None):
    return subprocess.run(["cmake", *args], capture_output=True, text=True, env=env, timeout=900)


def test_client_library_builds_with_cmake(tmp_path):
    tree = REPO / "examples" / "thermo"
    flags = f"-isystem {QNXHOST / 'include'} -D_DEFAULT_SOURCE -Werror"
    r = cmake("-S", str(tree), "-B", str(tmp_path), f"-DCMAKE_C_FLAGS={flags}")
    assert r.returncode == 0, r.stdout + r.stderr
    r = cmake("--build", str(tmp_path), "--target", "thermo_client")
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "libthermo.a").exists()


def test_qnx_toolchain_needs_the_sdp(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QNX_")}
    r = cmake("-S", str(REPO / "examples" / "sample"), "-B", str(tmp_path),
              f"-DCMAKE_TOOLCHAIN_FILE={REPO / 'examples' / 'sample' / 'cmake' / 'qnx-toolchain.cmake'}", env=env)
    assert r.returncode != 0
    assert "source qnxsdp-env.sh" in r.stdout + r.stderr
