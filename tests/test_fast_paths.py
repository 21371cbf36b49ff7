"""The generation speed-ups (issue 11) change no output: each fast path against the simple
algorithm it replaced, on a spec large enough for every hook and class to matter."""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from rmgen import cli, loader, model, render
from rmgen.diagnostics import Diagnostics
from rmgen.output import missing_hooks
from rmgen.plan import USER

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from bench_gen import many_spec  # noqa: E402


def _old_line_of(text: str, symbol: str) -> int:
    """The replaced per-hook scan of the stub file."""
    for i, line in enumerate(text.splitlines(), 1):
        if line.startswith(f"{symbol}(") or f" {symbol}(" in line and not line.lstrip().startswith(("*", "/")):
            return i
    raise ValueError(symbol)


def _plan(tmp_path, n=300):
    spec_file = tmp_path / "many.yaml"
    spec_file.write_text(many_spec(n))
    spec = loader.load(spec_file, Diagnostics())
    return render.render(model.build(spec.data, "../many.yaml"))


def test_hook_lines_match_the_per_hook_scan(tmp_path):
    plan = _plan(tmp_path)
    stub = next(p for p in plan if p.path == "server/stubs/many_hooks.c")
    user = next(p for p in plan if p.owner == USER)
    assert len(user.hooks) == 301
    assert [h.stub_line for h in user.hooks] == [_old_line_of(stub.text, h.symbol) for h in user.hooks]


def test_missing_hooks_match_the_per_hook_search(tmp_path):
    plan = _plan(tmp_path)
    user = next(p for p in plan if p.owner == USER)
    path = tmp_path / "out" / user.path
    path.parent.mkdir(parents=True)
    # every third hook removed, one renamed with a prefix, one only mentioned in a comment
    text = "\n".join(line for line in user.text.splitlines()
                     if not any(line.startswith(f"{h.symbol}(") for h in user.hooks[::3]))
    text = text.replace("many_on_c1(", "xmany_on_c1(") + "\n/* many_on_c3 ( */\n"
    path.write_text(text)
    diags = Diagnostics()
    missing_hooks(tmp_path / "out", plan, diags)
    found = [re.search(r"(\w+)\(\) is not defined", d.message).group(1) for d in diags]
    expected = [h.symbol for h in user.hooks if not re.search(rf"\b{re.escape(h.symbol)}\s*\(", text)]
    assert found == expected and "many_on_c1" in found and "many_on_c3" not in found


def test_one_environment_per_process():
    assert render.environment() is render.environment()


def test_version_and_runtime_dir_import_nothing_heavy():
    code = ("import sys, contextlib, io\nfrom rmgen import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    cli.main(['--runtime-dir'])\n"
            "    try:\n        cli.main(['--version'])\n    except SystemExit:\n        pass\n"
            "print(sorted(m for m in ('jsonschema', 'jinja2', 'yaml') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]"


def _loaded(path, monkeypatch, how):
    """(data, values, keys, diagnostics) of `path` through one of the three composers."""
    with monkeypatch.context() as m:
        if how != "libyaml composes":
            m.setattr(loader, "_libyaml_composed", lambda text: None)
        if how == "pure Python":
            m.setattr(loader, "_FastComposer", None)
        diags = Diagnostics()
        spec = loader.load(path, diags)
    return (spec.data, spec.values, spec.keys) if spec else None, diags.render()


LIBYAML = pytest.mark.skipif(loader._FastComposer is None, reason="PyYAML without libyaml")


@LIBYAML
def test_the_three_composers_load_alike(tmp_path, monkeypatch):
    """libyaml composing, libyaml's events under rmgen's composer and the pure-Python parser
    give the same data, locations and diagnostics for every example, every bad spec and a
    large spec; libyaml composes every example itself (where its nesting is limited)."""
    spec_file = tmp_path / "many.yaml"
    spec_file.write_text(many_spec(40))
    repo = Path(__file__).resolve().parent.parent
    examples = sorted((repo / "examples").glob("*.yaml"))
    composed = []
    real = loader._libyaml_composed
    monkeypatch.setattr(loader, "_libyaml_composed", lambda text: composed.append(real(text)) or composed[-1])
    for path in examples:
        loader.load(path, Diagnostics())
    if loader._libyaml_limits_nesting():
        assert len(composed) == len(examples) and all(composed)
    monkeypatch.setattr(loader, "_libyaml_composed", real)
    for path in sorted((repo / "tests" / "bad_specs").glob("*.yaml")) + examples + [spec_file]:
        alike = {how: _loaded(path, monkeypatch, how) for how in ("libyaml composes", "libyaml events", "pure Python")}
        assert len(set(map(repr, alike.values()))) == 1, (path.name, alike)


@pytest.mark.parametrize("levels", [loader.MAX_DEPTH + 5, 1001, 100_000])
@pytest.mark.parametrize("open_, close", [("[", "]"), ("- ", "")])
def test_deep_nesting_is_refused_by_every_composer(tmp_path, monkeypatch, levels, open_, close):
    """Past MAX_DEPTH levels, in flow or block style, each composer reports RM0010; 100,000
    levels (within MAX_BYTES) are refused too, in a process of their own: nothing recurses
    that deep (libyaml composes alone only where it stops at 1,000 levels)."""
    deep = tmp_path / "deep.yaml"
    deep.write_text("rmgen: 1\nx:\n  " + open_ * levels + "x" + close * levels + "\n")
    if levels > 1001:
        r = subprocess.run([sys.executable, "-m", "rmgen", "--check", str(deep)], capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 2 and "error[RM0010]" in r.stderr, (r.returncode, r.stderr[-500:])
        return
    for how in ("libyaml composes", "libyaml events", "pure Python"):
        if how != "pure Python" and loader._FastComposer is None:
            continue
        data, report = _loaded(deep, monkeypatch, how)
        assert data is None and "error[RM0010]" in report, how


def test_check_of_all_examples_still_passes():
    examples = sorted(str(p) for p in (Path(__file__).resolve().parent.parent / "examples").glob("*.yaml"))
    assert cli.main(["--check", *examples]) == 0



def test_compiled_template_cache_that_cannot_be_used_only_costs_the_compile(tmp_path):
    import jinja2

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    env = jinja2.Environment(loader=jinja2.DictLoader({"t": "{{ 1 + 1 }}"}),
                             bytecode_cache=render._BytecodeCache(str(blocked)))
    assert env.get_template("t").render() == "2"  # neither load nor dump raised


def test_compiled_templates_are_reused(tmp_path):
    import jinja2

    cache = render._BytecodeCache(str(tmp_path))
    first = jinja2.Environment(loader=jinja2.DictLoader({"t": "{{ 40 + 2 }}"}), bytecode_cache=cache)
    assert first.get_template("t").render() == "42" and len(list(tmp_path.iterdir())) == 1
    second = jinja2.Environment(loader=jinja2.DictLoader({"t": "{{ 40 + 2 }}"}), bytecode_cache=cache)
    second.compile = None  # a compile would fail: the cached code must be used
    assert second.get_template("t").render() == "42"


def _cached_env(cache, source="{{ 40 + 2 }}"):
    """An environment on `cache` that counts its compiles."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.DictLoader({"t": source}), bytecode_cache=cache)
    compile_ = env.compile
    env.compiles = 0

    def counted(*args, **kwargs):
        env.compiles += 1
        return compile_(*args, **kwargs)

    env.compile = counted
    return env


@pytest.mark.parametrize("damage", ["cut", "bit", "magic", "not code", "settings"])
def test_damaged_or_foreign_cache_entries_are_compiled_again(tmp_path, damage):
    """An entry cut short, with a flipped bit, from another Python, holding something that is
    not code, or compiled under other settings is not used: the template is compiled again
    and the entry rewritten."""
    import marshal

    cache = render._BytecodeCache(str(tmp_path))
    first = _cached_env(cache)
    assert first.get_template("t").render() == "42" and first.compiles == 1
    (entry,) = tmp_path.iterdir()
    good = entry.read_bytes()
    head = good.index(b"\n", len(importlib.util.MAGIC_NUMBER)) + 1  # the magic (which holds a \n), then one line
    bad = {"cut": good[:-5],
           "bit": good[:-1] + bytes([good[-1] ^ 1]),
           "magic": bytes([good[0] ^ 0xFF]) + good[1:],
           "not code": good[:head] + zlib.crc32(marshal.dumps(7)).to_bytes(4, "big") + marshal.dumps(7),
           "settings": good}[damage]
    entry.write_bytes(bad)
    again = _cached_env(cache)
    if damage == "settings":
        again.trim_blocks = True
    assert again.get_template("t").render() == "42" and again.compiles == 1
    assert entry.read_bytes() != bad  # rewritten
    if damage != "settings":
        assert entry.read_bytes() == good  # as the first compile wrote it


def test_cache_entry_is_reused_and_a_changed_source_is_not(tmp_path):
    cache = render._BytecodeCache(str(tmp_path))
    assert _cached_env(cache).get_template("t").render() == "42"
    same = _cached_env(cache)
    assert same.get_template("t").render() == "42" and same.compiles == 0
    changed = _cached_env(cache, "{{ 6 * 7 }}!")
    assert changed.get_template("t").render() == "42!" and changed.compiles == 1
