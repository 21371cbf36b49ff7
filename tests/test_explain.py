"""`rmgen --explain`: readable templates, a list of every ID, nothing a pip user lacks."""
from __future__ import annotations

import re

import pytest

from rmgen import cli
from rmgen.diagnostics import REGISTRY, explain, explain_list, readable


def run(capsys, *argv):
    rc = cli.main(list(argv))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def test_placeholders_are_readable():
    assert explain("RM0012").startswith("RM0012 (error): (the message varies; see below)\n\n")
    assert explain("rm0013").startswith("RM0013 (error): unknown key '<key>' in <where>\n\n")
    assert explain("RM0003").startswith("RM0003 (error): spec is not valid UTF-8 (byte 0x<byte>)\n")


@pytest.mark.parametrize("id", sorted(REGISTRY))
def test_no_raw_placeholder_and_no_repository_file(id):
    text = explain(id)
    assert not re.search(r"\{\w+(:[^}]*)?\}", text), text
    assert "docs/" not in text and "examples/" not in text, text  # a pip user has neither


@pytest.mark.parametrize("argv", [["--explain"], ["--explain", "list"]])
def test_list_every_id(capsys, argv):
    rc, out, err = run(capsys, *argv)
    assert (rc, err) == (0, "") and out == explain_list()
    ids = re.findall(r"^(RM\d{4})  ", out, re.M)
    assert ids == list(REGISTRY)
    assert "RM0053  warning  <symbol>() is not defined (<purpose>); copy its stub from <stub>\n" in out


def test_readable_keeps_literal_braces():
    assert readable("inside {{...}}: {key}{hint}") == "inside {...}: <key>"
