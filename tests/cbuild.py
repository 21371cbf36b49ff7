"""Helpers to generate trees and build and run their C code from tests."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import List, Optional

REPO = Path(__file__).resolve().parent.parent
QNXHOST = REPO / "qnxhost"
EXAMPLES = ["adc", "can", "fifo", "gpio", "mailbox", "sample", "thermo", "txq"]
STDS = {"c11": ["-std=c11"], "c99": ["-std=c99", "-pedantic", "-D_QNX_SOURCE"]}
WARN = ["-Wall", "-Wextra", "-Werror", "-D_DEFAULT_SOURCE"]


def compilers() -> List[str]:
    return [cc for cc in ("gcc", "clang") if shutil.which(cc)]


def generate(spec: Path, out_parent: Path) -> Path:
    """Run `rmgen spec -o out_parent` in-process; returns the device's tree."""
    from rmgen import cli

    rc = cli.main([str(spec), "-o", str(out_parent)])
    assert rc == 0, f"rmgen failed on {spec}"
    import yaml

    return out_parent / yaml.safe_load(spec.read_text())["device"]["name"]


def spec_copy(folder: Path, name: str, text: str) -> Path:
    """Write a spec file `folder/name` (creating folder) for a test; returns its path."""
    folder.mkdir(parents=True)
    (folder / name).write_text(text)
    return folder / name


def c_units(tree: Path) -> List[tuple]:
    """(source, is_client) for every generated C file of a tree."""
    units = []
    for src in sorted(tree.rglob("*.c")):
        rel = src.relative_to(tree).as_posix()
        units.append((src, rel.startswith(("lib/", "host/"))))
    return units


def compile_unit(cc: str, std: str, tree: Path, src: Path, client: bool,
                 extra: Optional[List[str]] = None) -> subprocess.CompletedProcess:
    """Compile one file; `extra` adds flags (e.g. -DQH_NTO_VERSION=641, the 6.4 flavour)."""
    cmd = [cc, *STDS[std], *WARN, *(extra or []), "-isystem", str(QNXHOST / "include"),
           "-I", str(tree / "public"), "-I", str(tree / "server"), "-c", str(src), "-o", os.devnull]
    if client:
        cmd[1:1] = ["-include", "qnxhost/redirect.h"]
    return subprocess.run(cmd, capture_output=True, text=True)


def host_make(tree: Path, build: Path, target: str = "test", san: bool = True,
              extra: Optional[List[str]] = None, timeout: int = 300,
              env: Optional[dict] = None) -> subprocess.CompletedProcess:
    """`make -f host.mk TARGET` in a generated tree, building into `build`; `env` adds
    environment variables (e.g. QH_SEND_TIMEOUT_MS for the runtime)."""
    cmd = ["make", "-s", "-C", str(tree), "-f", "host.mk", f"QNXHOST={QNXHOST}", f"O={build}",
           f"SAN={1 if san else 0}", target, *(extra or [])]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def summary(output: str) -> tuple:
    """(passed, failed) from the test program's last 'N passed, N failed' line."""
    for line in reversed(output.splitlines()):
        parts = line.replace(",", "").split()
        if len(parts) == 4 and parts[1] == "passed" and parts[3] == "failed":
            return int(parts[0]), int(parts[2])
    raise AssertionError("no 'N passed, N failed' line in:\n" + output[-3000:])
