"""`rmgen doc` and NAME/INTERFACE.md: the interface reference, with every spec value
Markdown-escaped so that no doc string can break a table or inject markup."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from rmgen import cli
from rmgen.docgen import code, md

REPO = Path(__file__).resolve().parent.parent


def run(capsys, *argv):
    rc = cli.main(list(argv))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def cells(row: str) -> int:
    """Table cells of a Markdown row: `|` not escaped by a backslash separate them."""
    return len(re.findall(r"(?<!\\)\|", row)) - 1


@pytest.mark.parametrize("text, expected", [
    ("plain words", "plain words"),
    ("a | b", r"a \| b"),
    ("two\nlines", "two lines"),
    ("`code` and *stars* and _under_", r"\`code\` and \*stars\* and \_under\_"),
    ("<script>alert(1)</script>", r"\<script\>alert(1)\</script\>"),
    ("# not a heading", r"\# not a heading"),
    ("1. not a list", r"1\. not a list"),
    ("[link](x) & ~~strike~~", r"\[link\](x) \& \~\~strike\~\~"),
    ("back\\slash", "back\\\\slash"),
])
def test_md_escapes(text, expected):
    assert md(text) == expected


def test_code_spans():
    assert code("/dev/led") == "`/dev/led`"
    assert code("a`b") == "``a`b``"
    assert code("`x`") == "`` `x` ``"
    assert code("a|b") == r"`a\|b`"


def test_doc_command_matches_the_tree_copy(capsys):
    rc, out, err = run(capsys, "doc", str(REPO / "examples" / "thermo.yaml"))
    assert (rc, err) == (0, "")
    tree = (REPO / "examples" / "thermo" / "INTERFACE.md").read_text()
    assert out.split("-->\n", 1)[1] == tree.split("-->\n", 1)[1]  # the same, after the header


def test_reference_holds_codes_layouts_access_errors(capsys):
    text = (REPO / "examples" / "thermo" / "INTERFACE.md").read_text()
    assert "### `set_config`: `THERMO_DCMD_SET_CONFIG` = `0x80200502`" in text
    assert "| client function | `int thermo_set_config(int fd, const thermo_config_t *in)` |" in text
    assert "| class, code | `_DCMD_MISC` (`0x05`), `0x02` |" in text
    assert "| direction | `__DIOT`: payload to the server |" in text
    assert "| payload | in `config`; 32 bytes |" in text
    assert "| access | the fd must be opened for writing |" in text
    assert "`EINVAL` a field of the payload is outside what the spec allows" in text
    assert "| 8 | 8 | `limits` | `limits` | nested limits must be valid | Alarm thresholds |" in text
    assert "| 5 | 3 | `_pad0` | padding | zero | |" in text
    assert "| 1 | `THERMO_UNIT_MILLIKELVIN` | Thousandths of a kelvin |" in text


def test_every_example_tree_has_its_reference():
    for spec in sorted((REPO / "examples").glob("*.yaml")):
        assert (REPO / "examples" / spec.stem / "INTERFACE.md").is_file(), spec


def test_hostile_doc_strings_stay_inside_their_cells(tmp_path, capsys):
    spec = tmp_path / "odd.yaml"
    spec.write_text(
        'rmgen: 1\n'
        'device: {name: odd, path: /dev/odd, summary: "Pipes | and `ticks` <b>bold</b>"}\n'
        'enums:\n  e: {doc: "# heading?", values: [{name: a, value: 0, doc: "x | y"}]}\n'
        'types:\n  t:\n    doc: "*emph* and [link](http://x)"\n'
        '    fields: [{name: f, type: e, doc: "cell | break `x|y`"}]\n'
        'devctl:\n  - {name: get, code: 1, out: t, doc: "two | cells"}\n')
    rc, out, err = run(capsys, "doc", str(spec))
    assert (rc, err) == (0, "")
    assert "<b>" not in out and not re.search(r"(?<!\\)\| break", out) and "*emph*" not in out
    assert r"Pipes \| and \`ticks\` \<b\>bold\</b\>." in out
    assert "\n\\# heading?\n" in out
    for table in re.findall(r"(?:^\|.*\n)+", out, re.M):
        rows = table.splitlines()
        assert {cells(r) for r in rows} == {cells(rows[0])}, table
