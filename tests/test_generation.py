"""Generation as a whole: deterministic output, key order in the YAML does not matter,
and the largest class (256 commands) generates, compiles and passes its host test."""
from __future__ import annotations

from pathlib import Path

import yaml

from cbuild import REPO, compile_unit, compilers, generate, host_make, spec_copy, summary


def tree_bytes(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".rmgen"}


def reorder(value):
    """The same YAML data with every mapping's keys reversed."""
    if isinstance(value, dict):
        return {k: reorder(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reorder(v) for v in value]
    return value


def test_two_runs_are_byte_identical(tmp_path):
    spec = REPO / "examples" / "thermo.yaml"
    a, b = generate(spec, tmp_path / "a"), generate(spec, tmp_path / "b")
    assert tree_bytes(a) == tree_bytes(b)


def test_key_order_does_not_matter(tmp_path):
    text = (REPO / "examples" / "thermo.yaml").read_text()
    plain = spec_copy(tmp_path / "a", "thermo.yaml", text)
    shuffled = spec_copy(tmp_path / "b", "thermo.yaml",
                         yaml.safe_dump(reorder(yaml.safe_load(text)), sort_keys=False))
    assert tree_bytes(generate(plain, plain.parent)) == tree_bytes(generate(shuffled, shuffled.parent))


def test_output_names_no_absolute_path_or_time(tmp_path):
    spec = spec_copy(tmp_path / "specs", "adc.yaml", (REPO / "examples" / "adc.yaml").read_text())
    tree = generate(spec, tmp_path / "out")
    for rel, data in tree_bytes(tree).items():
        text = data.decode()
        assert str(tmp_path) not in text and str(REPO) not in text, rel
        assert "2026" not in text, rel


def test_a_class_of_256_commands(tmp_path):
    """All 256 numbers of _DCMD_MISC, in all four directions, with a 16 KiB payload."""
    kinds = [{}, {"in": "cfg"}, {"out": "cfg"}, {"in": "cfg", "out": "big"}]
    spec = {
        "rmgen": 1,
        "device": {"name": "many", "path": "/dev/many", "summary": "Every command number"},
        "types": {"cfg": {"fields": [{"name": "level", "type": "u16", "max": 1000},
                                     {"name": "on", "type": "bool"}]},
                  "big": {"fields": [{"name": "data", "type": "u8[16000]"}]}},
        "devctl": [{"name": f"cmd{n}", "code": n, **kinds[n % 4]} for n in range(256)],
    }
    path = tmp_path / "many.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    tree = generate(path, tmp_path / "out")
    for src in ("server/many_io.c", "server/many_main.c", "lib/many_client.c"):
        r = compile_unit(compilers()[0], "c99", tree, tree / src, src.startswith("lib/"))
        assert r.returncode == 0, r.stderr
    r = host_make(tree, tmp_path / "build", san=False)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-3000:]
    passed, failed = summary(out)
    assert failed == 0 and passed > 256 * 2


def test_readme_example_is_a_valid_spec(tmp_path):
    """The annotated example in README.md generates and compiles: the doc cannot drift."""
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## The spec format"):]
    example = section[section.index("```yaml") + len("```yaml"):section.index("```\n", section.index("```yaml") + 7)]
    spec = spec_copy(tmp_path / "spec", "thermo.yaml", example)
    tree = generate(spec, tmp_path / "out")
    r = compile_unit(compilers()[0], "c11", tree, tree / "server" / "thermo_io.c", False)
    assert r.returncode == 0, r.stderr


def test_committed_examples_are_current(capsys):
    """`rmgen --check examples/*.yaml`, as a user's CI runs it: the committed trees are current."""
    from rmgen import cli

    specs = sorted(str(p) for p in (REPO / "examples").glob("*.yaml"))
    assert len(specs) >= 3
    rc = cli.main(["--check", *specs])
    out = capsys.readouterr().out
    assert rc == 0, out[-3000:]


def test_spec_growth_keeps_user_hooks_and_names_the_missing_one(tmp_path, capsys):
    """The driver author's loop: edit hooks, add a command to the spec, regenerate."""
    from rmgen import cli

    spec = spec_copy(tmp_path / "w", "sample.yaml", (REPO / "examples" / "sample.yaml").read_text())
    tree = generate(spec, spec.parent)
    hooks = tree / "server" / "sample_hooks.c"
    mine = hooks.read_text().replace("(void)dev;\n    return EOK;", "(void)dev;  /* mine */\n    return EOK;", 1)
    hooks.write_text(mine)
    spec.write_text(spec.read_text() + "  - {name: rewind, code: 3, access: write, doc: Start over}\n")
    capsys.readouterr()

    assert cli.main([str(spec)]) == 0
    err = capsys.readouterr().err
    assert hooks.read_text() == mine                      # the user's file is untouched
    stubs = (tree / "server" / "stubs" / "sample_hooks.c").read_text().splitlines()
    line = next(i for i, text in enumerate(stubs, 1) if text.startswith("int sample_on_rewind("))
    assert "warning[" in err and "sample_on_rewind" in err
    assert f"server/stubs/sample_hooks.c:{line}" in err
    assert "SAMPLE_DCMD_REWIND" in (tree / "public" / "sample.h").read_text()
