"""Success is not silent: `rmgen: wrote N files to DIR/ (M unchanged)` on stderr, the
--check verdict per tree on stderr (the diff stays on stdout), -q for neither."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli


@pytest.fixture
def spec(thermo_spec):
    return thermo_spec


run = run_cli


def test_generation_says_what_it_wrote(spec, capsys):
    assert run(capsys, spec) == (0, "", "rmgen: wrote 4 files to thermo/ (0 unchanged)\n")
    assert run(capsys, spec) == (0, "", "rmgen: wrote 0 files to thermo/ (4 unchanged)\n")
    Path("thermo/gen/stubs.c").write_text("edited\n")
    assert run(capsys, spec) == (0, "", "rmgen: wrote 1 file to thermo/ (3 unchanged)\n")


def test_check_verdict_on_stderr_diff_on_stdout(spec, capsys):
    run(capsys, spec)
    assert run(capsys, spec, "--check") == (0, "", "rmgen: thermo/ is up to date (4 files)\n")
    Path("thermo/gen/stubs.c").write_text("edited\n")
    rc, out, err = run(capsys, spec, "--check")
    assert rc == 1 and out.startswith("--- a/thermo/gen/stubs.c\n+++ b/thermo/gen/stubs.c\n")
    assert err == ("rmgen: thermo/ is out of date: 1 of 4 files differ (diff on stdout); "
                   "regenerate with: rmgen thermo.yaml\n")


def test_check_verdict_names_the_output_option(spec, capsys, tmp_path):
    rc, out, err = run(capsys, spec, "--check", "-o", "out")
    assert rc == 1 and err == ("rmgen: out/thermo/ is out of date: 4 of 4 files differ (diff on stdout); "
                               "regenerate with: rmgen thermo.yaml -o out\n")


def test_quiet(spec, capsys):
    assert run(capsys, "-q", spec) == (0, "", "")
    assert run(capsys, "-q", "--check", spec) == (0, "", "")


def test_missing_hook_fails_check_but_only_warns_when_generating(spec, capsys):
    run(capsys, spec)
    Path("thermo/thermo_hooks.c").write_text("/* nothing yet */\n")
    rc, out, err = run(capsys, spec)
    assert rc == 0 and "warning[RM0053]" in err
    rc, out, err = run(capsys, spec, "--check")
    assert rc == 1 and out == "" and "error[RM0080]: thermo_on_init() is not defined" in err
    assert err.endswith("rmgen: --check fails: the errors above make the tree unusable as it is\n")
