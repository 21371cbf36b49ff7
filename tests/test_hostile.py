"""Spec-borne injection: every kind of spec text that reaches a generated file, written by
a hostile author. Each is either refused by the schema (a located RM0018) or generated
escaped: the tree compiles under the gates and holds nothing that could end a comment,
open a make expansion or break out of a string."""
from __future__ import annotations

import re

import pytest

from cbuild import STDS, c_units, compile_unit, compilers, generate, host_make, spec_copy, summary
from rmgen import cli, escape

COMMENT_BREAK = "*/ int injected = 1; /* ??/"
SHELL = "$(shell touch pwned) `id` ; # \\"
QUOTES = "it''s \"quoted"  # one ' and one ": unterminated literals in the usage block

HOSTILE = f"""rmgen: 1
device:
  name: evil
  path: /dev/evil
  summary: '{COMMENT_BREAK} {SHELL} <b>[x](y)</b> -- --> _*bold*_ | ~~ {QUOTES}'
server:
  options:
    - {{flag: r, state: rate, doc: '{COMMENT_BREAK} {QUOTES}'}}
enums:
  unit:
    doc: '{COMMENT_BREAK}'
    values:
      - {{name: one, value: 1, doc: '{COMMENT_BREAK}'}}
types:
  conf:
    doc: '{COMMENT_BREAK}'
    fields:
      - {{name: rate, type: u32, doc: '{COMMENT_BREAK}'}}
      - {{name: label, type: "char[8]", doc: '{COMMENT_BREAK}'}}
state:
  - {{name: rate, type: u32, default: 1, doc: '{COMMENT_BREAK}'}}
  - {{name: name, type: "char[32]", default: "a\\"b\\\\c??/\\n\\u00e9", doc: '{COMMENT_BREAK}'}}
open_state:
  - {{name: tag, type: "char[8]", default: "*/x/*", doc: '{COMMENT_BREAK}'}}
devctl:
  - {{name: set_conf, code: 1, in: conf, doc: '{COMMENT_BREAK}'}}
  - {{name: get_unit, code: 2, out: unit, doc: '{COMMENT_BREAK}'}}
"""


@pytest.fixture(scope="module")
def evil_tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    spec = spec_copy(root / "spec */ x --> y", "evil.yaml", HOSTILE)  # a hostile folder name too
    return generate(spec, root / "out")


def _outside_comments(c_text: str) -> str:
    """C source with comments and the skipped #ifdef __USAGE block removed."""
    text = re.sub(r"#ifdef __USAGE\n.*?#endif\n", "", c_text, flags=re.S)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def test_comment_text_cannot_end_a_comment(evil_tree):
    for f in evil_tree.rglob("*.[ch]"):
        text = f.read_text()
        assert "injected" not in _outside_comments(text), f
        assert "??" not in text, f  # no trigraph anywhere
        assert COMMENT_BREAK not in text


def test_make_and_markdown_text_is_inert(evil_tree):
    for f in [evil_tree / "server" / "common.mk", evil_tree / "lib" / "common.mk"]:
        for line in f.read_text().splitlines():
            if not line.startswith("#"):
                assert "$(shell" not in line and "`" not in line, line
    pinfo = (evil_tree / "server" / "common.mk").read_text()
    assert "PINFO DESCRIPTION=_/ int injected = 1_ /_ __/ __shell touch pwned_ _id_ _ _ _" in pinfo
    readme = (evil_tree / "README.md").read_text()
    assert r"\<b\>\[x\](y)\</b\>" in readme and r"\_\*bold\*\_ \| \~\~" in readme
    banner = readme.split("-->")[0]  # the HTML comment ends where rmgen ends it, not before
    assert "../../spec */ x - -> y/evil.yaml" in banner and "then regenerate" in banner


def test_char_defaults_are_exact_c_strings(evil_tree):
    main = (evil_tree / "server" / "evil_main.c").read_text()
    assert r'"a\"b\\c\?\?/\012\303\251"' in main


@pytest.mark.parametrize("cc", compilers())
@pytest.mark.parametrize("std", sorted(STDS))
def test_hostile_tree_compiles(evil_tree, cc, std):
    errors = [f"{src}:\n{r.stderr}" for src, client in c_units(evil_tree)
              for r in [compile_unit(cc, std, evil_tree, src, client)] if r.returncode != 0]
    assert not errors, "\n".join(errors)


def test_hostile_tree_passes_its_own_test(evil_tree, tmp_path):
    r = host_make(evil_tree, tmp_path / "build", san=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert summary(r.stdout)[1] == 0


REFUSED = {
    "path-make-injection": ("path", "/dev/x\\nendef\\n$(shell touch pwned)"),
    "path-quote": ("path", '/dev/x\\"\\n#include \\"/etc/passwd'),
    "path-concatenation": ("path", '/dev/x\\" \\"y'),
    "path-comment": ("path", "/dev/x*/y"),
    "path-space": ("path", "/dev/my dev"),
    "path-dotdot": ("path", "/dev/../etc"),
    "summary-newline": ("summary", "one\\ntwo"),
    "summary-bidi": ("summary", "safe \\u202e evil"),
    "doc-control": ("doc", "bell \\a here"),
    "doc-bidi": ("doc", "x \\u2066 y"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_unsafe_text_is_refused_with_a_location(case, tmp_path, capsys):
    key, value = REFUSED[case]
    device = {"path": "/dev/ok", "summary": "ok"}
    doc = ""
    if key == "doc":
        doc = f'\ndevctl:\n  - {{name: get, code: 1, doc: "{value}"}}'
    else:
        device[key] = value
    text = (f'rmgen: 1\ndevice:\n  name: ok\n  path: "{device["path"]}"\n'
            f'  summary: "{device["summary"]}"{doc}\n')
    spec = tmp_path / "ok.yaml"
    spec.write_text(text)
    assert cli.main([str(spec)]) == 2
    err = capsys.readouterr().err
    line = 7 if key == "doc" else (4 if key == "path" else 5)
    assert f"ok.yaml:{line}:" in err and "error[RM0018]" in err, err
    assert not (tmp_path / "ok").exists()
    assert not re.search("[\u202e\u2066\x07]", err)  # the message shows them escaped


def test_escape_functions():
    assert escape.c_comment("a*/b/*c??/") == "a* /b/ *c? ?/"
    assert escape.c_comment("/*/") == "/ * /"
    assert escape.c_usage("it's \"x\" */") == "it`s `x` * /"
    assert escape.c_string('"\\?\n') == r'"\"\\\?\012"'
    assert escape.make_text("$(x) #y") == "__x_ _y"
    assert escape.markdown_code("a`b") == "``a`b``"
    assert escape.markdown_code("`") == "`` ` ``"
    assert escape.html_comment("a--->b") == "a- - ->b"
    assert escape.forbidden("ok \u202e") == "U+202E" and escape.forbidden("fine é") is None
