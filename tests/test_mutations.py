"""Robustness: seeded random mutations of the example specs. Every run either generates
code that compiles or reports diagnostics (exit 2): never a traceback, never an internal
error, never a partial tree."""
from __future__ import annotations

import copy
import math
import random

import pytest
import yaml

from cbuild import REPO, compile_unit, compilers

ODD_VALUES = [None, -1, 0, 1, 2**70, -(2**63) - 1, 255, 16383, 16384, "", "x", "u8", "u8[0]",
              "char[16384]", "i64[4]", "nosuchtype", "_bad", "int", "Main", "get", [], {}, True,
              1.5, "0999", "/dev/x", "misc", "pool", "buffer", "read-write"]
MUTATIONS_PER_EXAMPLE = 120
COMPILED_AT_MOST = 6


def paths(node, prefix=()):
    """Every (path, value) in the document."""
    yield prefix, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, prefix + (i,))


def mutate(doc, rng: random.Random):
    doc = copy.deepcopy(doc)
    for _ in range(rng.randint(1, 3)):
        path, _value = rng.choice([p for p in paths(doc) if p[0]])
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        key, op = path[-1], rng.randrange(4)
        if op == 0 and isinstance(parent, dict):
            del parent[key]                                   # drop a key
        elif op == 1 and isinstance(parent, dict):
            parent[str(key) + rng.choice(["_", "s", ""])] = parent.pop(key)  # misspell a key
        elif op == 2 and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))         # duplicate a list entry
        else:
            parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))  # odd value
    return doc


@pytest.mark.parametrize("example", ["adc", "fifo", "sample", "thermo"])
def test_mutated_specs_never_crash(example, tmp_path, capsys):
    from rmgen import cli

    base = yaml.safe_load((REPO / "examples" / f"{example}.yaml").read_text())
    rng = random.Random(f"rmgen-{example}")
    generated = []
    for i in range(MUTATIONS_PER_EXAMPLE):
        spec = tmp_path / f"m{i}" / "spec.yaml"
        spec.parent.mkdir()
        spec.write_text(yaml.safe_dump(mutate(base, rng), sort_keys=False))
        out = tmp_path / f"m{i}" / "out"
        rc = cli.main([str(spec), "-o", str(out)])
        err = capsys.readouterr().err
        assert rc in (0, 2), f"exit {rc} for {spec}:\n{err}"
        assert "Traceback" not in err and "internal error" not in err, err
        if rc == 2:
            assert "error[RM" in err and not out.exists(), err  # diagnostics, nothing written
        else:
            generated.append(next(out.iterdir()))
    for tree in generated[:COMPILED_AT_MOST]:
        for src in ("server", "lib", "host"):
            for c in sorted((tree / src).glob("*.c")):
                r = compile_unit(compilers()[0], "c11", tree, c, src != "server")
                assert r.returncode == 0, f"{c}:\n{r.stderr}"


def test_campaign_slice_builds_and_runs_accepted_variants(tmp_path):
    """A fixed-seed slice of the `make fuzz-spec` campaign (all 21 kinds of damage): no
    finding, and the generated host tests of a few accepted variants build and pass."""
    import specfuzz

    c = specfuzz.campaign(variants=60, build=3, seconds=math.inf, seed="rmgen-make-test", work=tmp_path)
    assert c.findings == [], c.report(0)
    assert sum(c.outcomes[k] for k in ("accepted", "refused", "internal error")) == 60  # bounded by count, not time
    assert c.outcomes["built, test passed"] == 3, c.report(0)
    assert c.outcomes["refused"] > 0 and c.outcomes["accepted"] > 0
