"""`naming`: a spec reproduces an existing interface header (tests/data/naming/canif.h, a
fictional one) name for name. The existing client compiles unchanged against the
generated header, every command value, constant, size and offset agrees, and the
generated client library takes scalar inputs by value (round trip under ASan+UBSan)."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cbuild import QNXHOST, REPO, STDS, WARN, compile_unit, compilers, generate, host_make, summary

DATA = REPO / "tests" / "data" / "naming"
ORIGINAL = (DATA / "canif.h").read_text()


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return generate(DATA / "canif.yaml", tmp_path_factory.mktemp("naming"))


def cc(args, cwd=None):
    return subprocess.run([compilers()[0], *args], capture_output=True, text=True, cwd=cwd)


def with_header(tmp: Path, header_dir: Path, name: str) -> Path:
    """A folder holding `name` and a copy of canif.h from header_dir: "canif.h" is looked up
    next to the source first, so the client must not sit beside the original."""
    tmp.mkdir()
    shutil.copy(DATA / name, tmp / name)
    shutil.copy(header_dir / "canif.h", tmp / "canif.h")
    return tmp / name


@pytest.mark.parametrize("which", ["original", "generated"])
def test_existing_client_compiles_unchanged(tree, tmp_path, which):
    src = with_header(tmp_path / which, DATA if which == "original" else tree / "public", "canif_client.c")
    for std in ("c11", "c99"):
        r = cc([*STDS[std], *WARN, "-isystem", str(QNXHOST / "include"), "-c", str(src), "-o", "/dev/null"])
        assert r.returncode == 0, r.stderr


def probe_source() -> str:
    """A program printing every command value, enum constant, size and offset of canif.h."""
    macros = re.findall(r"#define (CANIF_DEVCTL_\w+)", ORIGINAL)
    consts = re.findall(r"^\s+(CANIF_MODE_\w+)\s*=", ORIGINAL, re.M)
    sizes = ["canif_mode_t", "CANIF_FRAME", "struct canif_frame", "struct canif_stats", "canif_stats_t"]
    offsets = [("CANIF_FRAME", f) for f in ("id", "dlc", "flags", "data", "timestamp")] + \
              [("struct canif_stats", f) for f in ("rx_frames", "tx_frames", "errors", "bus_off")]
    assert len(macros) == 9 and len(consts) == 3
    lines = [f'    printf("{m}=%#lx\\n", (unsigned long)(unsigned)({m}));' for m in macros + consts]
    lines += [f'    printf("sizeof({t})=%zu\\n", sizeof({t}));' for t in sizes]
    lines += [f'    printf("offsetof({t}, {f})=%zu\\n", offsetof({t}, {f}));' for t, f in offsets]
    return ("#include <stddef.h>\n#include <stdio.h>\n#include \"canif.h\"\n\nint main(void)\n{\n"
            + "\n".join(lines) + "\n    return 0;\n}\n")


def test_values_sizes_and_offsets_agree(tree, tmp_path):
    outputs = {}
    for which, header_dir in (("original", DATA), ("generated", tree / "public")):
        folder = tmp_path / which
        folder.mkdir()
        shutil.copy(header_dir / "canif.h", folder / "canif.h")
        (folder / "probe.c").write_text(probe_source())
        r = cc(["-std=c11", *WARN, "-isystem", str(QNXHOST / "include"), "probe.c", "-o", "probe"], cwd=folder)
        assert r.returncode == 0, r.stderr
        outputs[which] = subprocess.run([str(folder / "probe")], capture_output=True, text=True, check=True).stdout
    assert outputs["original"].count("\n") == 26
    assert outputs["generated"] == outputs["original"]


def test_client_library_takes_scalars_by_value(tree):
    header = (tree / "public" / "canif_client.h").read_text()
    assert "int canif_set_bitrate(int fd, uint32_t value);" in header
    assert "int canif_set_mode(int fd, canif_mode_t value);" in header
    assert "int canif_swap_mode(int fd, canif_mode_t value, canif_mode_t *out);" in header
    assert "int canif_tx_frame(int fd, const CANIF_FRAME *in);" in header  # structs stay pointers
    for compiler in compilers():
        for std in ("c11", "c99"):
            r = compile_unit(compiler, std, tree, tree / "lib" / "canif_client.c", True)
            assert r.returncode == 0, r.stderr


def test_round_trip_by_value(tree, tmp_path):
    """The generated host test calls the by-value client functions (set, then get back)."""
    r = host_make(tree, tmp_path / "build")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-3000:]
    passed, failed = summary(out)
    assert failed == 0 and passed >= 20
    for name in ("set_bitrate_then_get_bitrate", "set_mode_then_get_mode", "swap_mode"):
        assert re.search(rf"^PASS \S*{name}", out, re.M), out[-2000:]


def system_headers() -> str:
    """Every <header> a template includes, as one translation unit, preprocessed with the
    host's C library and qnxhost's QNX headers (what generated code sees)."""
    found = set()
    for t in (REPO / "templates").rglob("*.j2"):
        found |= set(re.findall(r"#include <([^>]+)>", t.read_text()))
    return "#define _DEFAULT_SOURCE 1\n" + "".join(f"#include <{h}>\n" for h in sorted(found))


def preprocess(*flags: str) -> str:
    r = subprocess.run([compilers()[0], *flags, "-isystem", str(QNXHOST / "include"), "-x", "c", "-"],
                       input=system_headers(), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_system_lists_cover_the_headers():
    """names.py's lists of system names refuse every upper-case macro, every *_t type and
    every tag the headers of the generated code define (a new header must extend them)."""
    from rmgen import names

    macros = {line.split()[1].split("(")[0] for line in preprocess("-dM", "-E").splitlines()}
    macros = sorted(m for m in macros if re.match(r"^[A-Z][A-Z0-9_]*$", m))
    text = preprocess("-E", "-P")
    types = sorted(set(re.findall(r"\b([A-Za-z][A-Za-z0-9_]*_t)\b", text)))
    tags = sorted(set(re.findall(r"\b(?:struct|union|enum)\s+([a-z][a-z0-9_]*)\b", text)))
    assert len(macros) > 300 and len(types) > 100 and len(tags) > 10
    assert [m for m in macros if names.system_name_problem(m, "macro") is None] == []
    assert [t for t in types if names.system_name_problem(t, "type") is None] == []
    assert [t for t in tags if names.system_name_problem(t, "tag") is None] == []
