"""Hostile-spec campaign: damaged variants of the example specs, 21 kinds of damage.

Each variant is run through rmgen in-process. It must be refused with diagnostics and
nothing written, or accepted; an accepted variant carrying hostile text must hold it only
escaped; a sample of accepted variants is compiled and its generated host test run. A
finding is any broken promise: an internal error, files written for a refused spec, a
build or test failure, text that escaped its comment.

    python tests/specfuzz.py --variants 12000 --build 40 --seconds 1800   (make fuzz-spec)

tests/test_mutations.py runs a small fixed-seed slice of the same campaign in `make test`.
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import io
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import yaml

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "generator")]
from cbuild import REPO, host_make, summary  # noqa: E402

EXAMPLES = ["adc", "fifo", "sample", "thermo"]
ODD_VALUES = [None, -1, 0, 1, 2**70, -(2**63) - 1, 255, 16383, 16384, "", "x", "u8", "u8[0]",
              "char[16384]", "i64[4]", "nosuchtype", "_bad", "int", "Main", "get", [], {}, True,
              1.5, "0999", "/dev/x", "misc", "pool", "buffer", "read-write"]
BAD_NAMES = ["while", "asm", "typeof", "stdio", "time", "string", "qh", "test", "errno", "st_mtime",
             "sigev_code", "main", "open", "features", "not_eq", "attr", "ocb", "buffer"]
HOSTILE_TEXT = ["*/ int injected = 1; /*", "/* nested", "??/", "$(shell touch pwned)", "a\nendef\nb",
                '"/dev/x" "y"', "it's", 'say "hi"', "x\u202ey", "bell\a", "`id`", "<!-- -->", "# not a comment"]
BOUNDARY = [0, 1, 2, 3, 5, 64, 127, 128, 255, 256, 4095, 4096, 16383, 16384, 65535, 65536,
            2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**63 - 1, 2**63, 2**64 - 1, -1, -(2**31), -(2**63)]


def _paths(node, prefix=()):
    yield prefix, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


def _pick(doc, rng, want: Callable[[object], bool]):
    """(parent, key) of a random value satisfying `want`, or None."""
    found = [p for p, v in _paths(doc) if p and want(v)]
    if not found:
        return None
    path = rng.choice(found)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    return parent, path[-1]


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


# --- damage to the document (kinds 1-16) ------------------------------------------------
def drop_key(doc, rng):
    hit = _pick(doc, rng, lambda v: True)
    if hit and isinstance(hit[0], dict):
        del hit[0][hit[1]]


def misspell_key(doc, rng):
    hit = _pick(doc, rng, lambda v: True)
    if hit and isinstance(hit[0], dict):
        hit[0][str(hit[1]) + rng.choice(["_", "s", "x"])] = hit[0].pop(hit[1])


def duplicate_entry(doc, rng):
    hit = _pick(doc, rng, lambda v: isinstance(v, list) and v)
    if hit:
        lst = hit[0][hit[1]]
        lst.append(copy.deepcopy(rng.choice(lst)))


def odd_value(doc, rng):
    hit = _pick(doc, rng, lambda v: True)
    if hit:
        hit[0][hit[1]] = copy.deepcopy(rng.choice(ODD_VALUES))


def float_integer(doc, rng):
    hit = _pick(doc, rng, _is_int)
    if hit:
        hit[0][hit[1]] = float(hit[0][hit[1]])


def bool_for_integer(doc, rng):
    hit = _pick(doc, rng, _is_int)
    if hit:
        hit[0][hit[1]] = rng.choice([True, False])


def bad_name(doc, rng):
    hit = _pick(doc, rng, lambda v: isinstance(v, dict) and "name" in v)
    if hit:
        hit[0][hit[1]]["name"] = rng.choice(BAD_NAMES)


def hostile_text(doc, rng):
    target = rng.choice(["summary", "path", "doc"])
    text = rng.choice(HOSTILE_TEXT)
    if target == "doc":
        hit = _pick(doc, rng, lambda v: isinstance(v, dict) and "doc" in v)
        if hit:
            hit[0][hit[1]]["doc"] = f"x {text} y"
            return
        target = "summary"
    doc["device"][target] = (f"/dev/x{text}" if target == "path" else f"s {text} t")


def boundary_number(doc, rng):
    hit = _pick(doc, rng, _is_int)
    if hit:
        hit[0][hit[1]] = rng.choice(BOUNDARY)


def buffer_shape(doc, rng):
    doc["io"] = {"kind": "buffer", "size": rng.choice([1, 2, 5, 11, 64, 103, 4095]),
                 "access": rng.choice(["read-only", "write-only", "read-write"])}


def many_commands(doc, rng):
    n = rng.choice([256, 300, 513, 1025])
    classes = ["misc", "chr", "net", "fsys", "ip"]
    doc["devctl"] = [{"name": f"c{i}", "code": i % 256, "class": classes[i // 256]} for i in range(n)]


def struct_chain(doc, rng):
    n = rng.choice([31, 32, 33, 1000])
    types = doc.setdefault("types", {}) or {}
    doc["types"] = types
    for i in range(n):
        types[f"z{i}"] = {"fields": [{"name": "inner", "type": f"z{i + 1}" if i < n - 1 else "u8"}]}


def struct_cycle(doc, rng):
    doc["types"] = dict(doc.get("types") or {}, ring_a={"fields": [{"name": "b", "type": "ring_b"}]},
                        ring_b={"fields": [{"name": "a", "type": "ring_a"}]})


def big_union(doc, rng):
    size = rng.choice([16380, 16381, 16382, 16383])
    doc.setdefault("devctl", []).append({"name": "swap", "code": 250, "in": f"char[{size}]", "out": "u32"})


def wide_option(doc, rng):
    kind = rng.choice(["u64", "i64", "u32"])
    doc.setdefault("state", []).append({"name": "wide", "type": kind})
    server = doc.setdefault("server", {})
    server["options"] = [{"flag": "w", "state": "wide", "doc": "A wide value"}]


def full_range_bounds(doc, rng):
    prim = rng.choice(["u8", "i8", "u32", "i64", "u64"])
    lo, hi = {"u8": (0, 255), "i8": (-128, 127), "u32": (0, 2**32 - 1), "i64": (-(2**63), 2**63 - 1),
              "u64": (0, 2**64 - 1)}[prim]
    doc["types"] = dict(doc.get("types") or {}, span={"fields": [{"name": "v", "type": prim, "min": lo, "max": hi}]})
    doc.setdefault("devctl", []).append({"name": "set_span", "code": 251, "in": "span"})


# --- damage to the text (kinds 17-21) -----------------------------------------------------
def yaml_tag(text, rng):
    tag = rng.choice(["!!int one", "!!bool maybe", "!!float x", "!!python/object:os.system x",
                      "!!binary QUJD", "!custom 1", "!!int 1.5"])
    return re.sub(r"(code: )\S+?([,}\n])", rf"\g<1>{tag}\2", text, count=1) if "code:" in text \
        else text.replace("rmgen: 1", f"rmgen: {tag}", 1)


def billion_laughs(text, rng):
    lol = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    return text + lol


def deep_nesting(text, rng):
    n = rng.choice([63, 64, 65, 1000])
    return text + "deep: " + "[" * n + "]" * n + "\n"


def encoding(text, rng):
    how = rng.choice(["bom", "crlf", "tab", "latin1", "nul"])
    if how == "bom":
        return "\ufeff" + text
    if how == "crlf":
        return text.replace("\n", "\r\n")
    if how == "tab":
        return text.replace("\n  ", "\n\t", 1)
    if how == "latin1":
        return text.replace("summary: ", "summary: caf\udce9 ", 1)  # an undecodable byte
    return text.replace("\n", "\n\x00", 1)


def truncate(text, rng):
    return text[: rng.randrange(len(text))]


DOC_DAMAGE = [drop_key, misspell_key, duplicate_entry, odd_value, float_integer, bool_for_integer,
              bad_name, hostile_text, boundary_number, buffer_shape, many_commands, struct_chain,
              struct_cycle, big_union, wide_option, full_range_bounds]
TEXT_DAMAGE = [yaml_tag, billion_laughs, deep_nesting, encoding, truncate]
KINDS = [f.__name__ for f in DOC_DAMAGE + TEXT_DAMAGE]
assert len(KINDS) == 21


def variant(rng: random.Random) -> Tuple[str, str, bytes]:
    """(example, damage kind, spec bytes) of one damaged variant."""
    example = rng.choice(EXAMPLES)
    doc = yaml.safe_load((REPO / "examples" / f"{example}.yaml").read_text())
    damage = rng.choice(DOC_DAMAGE + TEXT_DAMAGE)
    if damage in DOC_DAMAGE:
        for _ in range(rng.choice([1, 1, 2])):
            damage(doc, rng)
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=1 << 20)
    else:
        text = damage(yaml.safe_dump(doc, sort_keys=False, width=1 << 20), rng)
    return example, damage.__name__, text.encode("utf-8", "surrogateescape")


def _outside_comments(c_text: str) -> str:
    text = re.sub(r"#ifdef __USAGE\n.*?#endif\n", "", c_text, flags=re.S)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def escaped(tree: Path) -> Optional[str]:
    """What looks like hostile text out of place in a generated tree, or None."""
    for f in tree.rglob("*"):
        if f.suffix in (".c", ".h") and "injected" in _outside_comments(f.read_text(errors="replace")):
            return f"code outside a comment in {f.name}"
        if f.name in ("common.mk", "Makefile") and re.search(r"^[^#]*\$\(shell", f.read_text(), re.M):
            return f"$(shell in {f.name}"
        if f.is_file() and re.search("[\u202e\x07]", f.read_text(errors="replace")):
            return f"control or bidi character in {f.name}"
    return None


class Campaign:
    """Runs variants and counts outcomes and findings."""

    def __init__(self, work: Path, build_limit: int):
        self.work, self.build_limit = work, build_limit
        self.outcomes: Counter = Counter()
        self.by_kind: Dict[str, Counter] = {k: Counter() for k in KINDS}
        self.findings: List[str] = []
        self.built = 0
        self.built_kinds: Counter = Counter()

    def run(self, n: int, example: str, kind: str, data: bytes) -> None:
        from rmgen import cli

        folder = self.work / f"v{n}"
        folder.mkdir()
        spec = folder / "spec.yaml"
        spec.write_bytes(data)
        out = folder / "out"
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            rc = cli.main([str(spec), "-o", str(out)])
        err = err.getvalue()
        outcome = "accepted" if rc == 0 else "refused"
        if rc not in (0, 2) or "internal error" in err or "Traceback" in err:
            outcome = "internal error"
            self.findings.append(f"v{n} ({example}, {kind}): exit {rc}: {err.strip()[:300]}")
        elif rc == 2 and out.exists():
            self.findings.append(f"v{n} ({example}, {kind}): refused but wrote {out}")
        elif rc == 0:
            tree = next(out.iterdir())
            problem = escaped(tree)
            if problem:
                self.findings.append(f"v{n} ({example}, {kind}): {problem}")
            self.built_kinds.setdefault(kind, 0)  # kinds seen accepted: builds go round them
            if self.built < self.build_limit and self.built_kinds[kind] == min(self.built_kinds.values()):
                self.built += 1
                self.built_kinds[kind] += 1
                self.build(n, example, kind, tree)
        self.outcomes[outcome] += 1
        self.by_kind[kind][outcome] += 1
        if rc == 2 or not self.findings or not self.findings[-1].startswith(f"v{n} "):
            shutil.rmtree(folder, ignore_errors=True)  # keep only what a finding names

    def build(self, n: int, example: str, kind: str, tree: Path) -> None:
        r = host_make(tree, self.work / "build", san=False, timeout=600)
        if r.returncode != 0:
            self.outcomes["built, failed"] += 1
            tail = (r.stdout + r.stderr).strip().splitlines()[-6:]
            self.findings.append(f"v{n} ({example}, {kind}): host build/test failed: " + " | ".join(tail))
        else:
            summary(r.stdout)
            self.outcomes["built, test passed"] += 1

    def report(self, seconds: float) -> str:
        lines = [f"{sum(self.outcomes[k] for k in ('accepted', 'refused', 'internal error'))} variants in "
                 f"{seconds:.0f} s: " + ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())),
                 f"{'damage':<20} {'refused':>8} {'accepted':>9} {'internal':>9}"]
        for k in KINDS:
            c = self.by_kind[k]
            lines.append(f"{k:<20} {c['refused']:>8} {c['accepted']:>9} {c['internal error']:>9}")
        lines.append("built and tested: " + ", ".join(f"{k} {v}" for k, v in sorted(self.built_kinds.items()) if v))
        lines.append(f"findings: {len(self.findings)}")
        lines += [f"  {f}" for f in self.findings[:50]]
        return "\n".join(lines)


def campaign(variants: int, build: int, seconds: float, seed: str, work: Path) -> Campaign:
    rng = random.Random(seed)
    c = Campaign(work, build)
    start = time.monotonic()
    for n in range(variants):
        if time.monotonic() - start > seconds:
            break
        c.run(n, *variant(rng))
    return c


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", type=int, default=12000)
    ap.add_argument("--build", type=int, default=40, help="accepted variants to build and test")
    ap.add_argument("--seconds", type=float, default=1800, help="stop starting variants after this")
    ap.add_argument("--seed", default="rmgen-fuzz-spec")
    args = ap.parse_args()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="rmgen-fuzz-spec-") as tmp:
        c = campaign(args.variants, args.build, args.seconds, args.seed, Path(tmp))
        print(c.report(time.monotonic() - start))
        if c.findings:
            kept = Path(tempfile.mkdtemp(prefix="rmgen-fuzz-findings-"))
            for f in c.findings:
                shutil.copytree(Path(tmp) / f.split()[0], kept / f.split()[0], dirs_exist_ok=True)
            print(f"specs of the findings: {kept}")
    return 1 if c.findings else 0


if __name__ == "__main__":
    sys.exit(main())
