"""Writing the file plan: atomic, write-if-changed, user files untouched, --check drift."""
from __future__ import annotations

import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from rmgen import output
from rmgen.diagnostics import Diagnostics, Location
from rmgen.plan import USER, PlannedFile



@pytest.fixture
def spec(thermo_spec):
    return thermo_spec


def run(capsys, *argv):
    return run_cli(capsys, "-q", *argv)  # the summary lines are tested in test_summary.py


def set_render(plan_fn):
    sys.modules["rmgen.render"].render = plan_fn


def age(root: Path):
    """Set every file's mtime one hour back; returns {path: mtime}."""
    stamps = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            t = p.stat().st_mtime - 3600
            os.utime(p, (t, t))
            stamps[p] = t
    return stamps


def test_generate_writes_the_plan_with_modes(spec, capsys, fake_backend):
    rc, out, err = run(capsys, spec)
    assert (rc, out, err) == (0, "", "")
    root = Path("thermo")
    assert (root / "gen/thermo_server.c").read_text() == "/* ../thermo.yaml: DO NOT EDIT */\nint x;\n"
    assert fake_backend[0][1] == "../thermo.yaml"
    assert (root / ".rmgen").is_file()
    assert (root / "build.sh").stat().st_mode & 0o777 == 0o755
    assert (root / "gen/stubs.c").stat().st_mode & 0o777 == 0o644
    assert not [p for p in root.rglob("*.tmp")]


def test_output_dir_option_and_relpath(spec, capsys, fake_backend, tmp_path):
    rc, _, _ = run(capsys, spec, "-o", "out/sub")
    assert rc == 0 and (tmp_path / "out/sub/thermo/gen/stubs.c").is_file()
    assert fake_backend[0][1] == "../../../thermo.yaml"


def test_only_changed_files_are_rewritten(spec, capsys):
    run(capsys, spec)
    stamps = age(Path("thermo"))
    assert run(capsys, spec)[0] == 0
    assert {p: p.stat().st_mtime for p in stamps} == stamps

    from conftest import fake_plan
    set_render(lambda d: [f if f.path != "gen/stubs.c" else PlannedFile(f.path, f.text + "// more\n")
                          for f in fake_plan(d)])
    assert run(capsys, spec)[0] == 0
    changed = {p for p in stamps if p.stat().st_mtime != stamps[p]}
    assert changed == {Path("thermo/gen/stubs.c")}


def test_mode_of_existing_file_is_preserved(spec, capsys):
    run(capsys, spec)
    target = Path("thermo/gen/stubs.c")
    target.chmod(0o600)
    target.write_text("old\n")
    run(capsys, spec)
    assert target.stat().st_mode & 0o777 == 0o600 and "DO NOT EDIT" in target.read_text()


def test_atomic_write_leaves_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "a.c"
    target.write_text("old\n")
    calls = []

    def failing_replace(src, dst):
        calls.append((Path(src).parent, Path(dst)))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    diags = Diagnostics()
    output.write(tmp_path, [PlannedFile("a.c", "new\n")], diags, Location("s.yaml"))
    assert target.read_text() == "old\n"
    assert calls and calls[0][0] == tmp_path  # the temp file sits next to its target
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.c"]
    assert "error[RM0052]" in diags.render() and "No space left on device" in diags.render()


def test_user_file_is_never_overwritten(spec, capsys):
    run(capsys, spec)
    user = Path("thermo/thermo_hooks.c")
    user.write_text("int thermo_on_init(void) { return 42; }\n")
    from conftest import fake_plan
    set_render(lambda d: [PlannedFile(f.path, "changed\n", f.owner, f.hooks) for f in fake_plan(d)])
    assert run(capsys, spec)[0] == 0
    assert user.read_text() == "int thermo_on_init(void) { return 42; }\n"
    assert Path("thermo/gen/stubs.c").read_text() == "changed\n"


def test_missing_hook_is_a_warning(spec, capsys):
    run(capsys, spec)
    Path("thermo/thermo_hooks.c").write_text("/* nothing yet */\n")
    rc, out, err = run(capsys, spec)
    assert rc == 0 and out == ""
    assert err == ("thermo/thermo_hooks.c: warning[RM0053]: thermo_on_init() is not defined "
                   "(called once at start-up); copy its stub from thermo/gen/stubs.c:2\n")


def test_check_up_to_date_is_silent_and_writes_nothing(spec, capsys):
    assert run(capsys, spec, "--check")[0] == 1
    assert not Path("thermo").exists()
    run(capsys, spec)
    Path("thermo/unplanned.txt").write_text("mine\n")
    assert run(capsys, spec, "--check") == (0, "", "")


def test_check_reports_stale_file(spec, capsys):
    run(capsys, spec)
    from conftest import fake_plan
    set_render(lambda d: [f if f.path != "gen/stubs.c" else PlannedFile(f.path, f.text + "int y;\n")
                          for f in fake_plan(d)])
    before = Path("thermo/gen/stubs.c").read_text()
    rc, out, err = run(capsys, spec, "--check")
    assert rc == 1 and err == ""
    assert out.startswith("--- a/thermo/gen/stubs.c\n+++ b/thermo/gen/stubs.c\n@@ ")
    assert out.endswith("+int y;\n")
    assert Path("thermo/gen/stubs.c").read_text() == before


def test_check_reports_hand_edit_missing_and_user_missing(spec, capsys):
    run(capsys, spec)
    Path("thermo/gen/thermo_server.c").write_text("/* edited */\n")
    Path("thermo/build.sh").unlink()
    Path("thermo/thermo_hooks.c").unlink()
    rc, out, err = run(capsys, spec, "--check")
    assert rc == 1
    assert "--- /dev/null\n+++ b/thermo/build.sh\n" in out
    assert "--- /dev/null\n+++ b/thermo/thermo_hooks.c\n" in out
    assert "--- a/thermo/gen/thermo_server.c\n+++ b/thermo/gen/thermo_server.c\n" in out
    assert "-/* edited */\n" in out


def test_check_takes_what_is_not_a_regular_file_for_a_missing_one(spec, capsys):
    """A FIFO, a socket or a folder where a generated file belongs, or a FIFO in place of
    the user's file, is drift, reported without opening it: --check must not wait on a
    FIFO's writer (an alarm turns a wait into a failure) nor fail on a socket."""
    run(capsys, spec)
    for name in ("thermo/build.sh", "thermo/gen/stubs.c", "thermo/gen/thermo_server.c", "thermo/thermo_hooks.c"):
        Path(name).unlink()
    os.mkfifo("thermo/build.sh")
    os.mkfifo("thermo/thermo_hooks.c")
    Path("thermo/gen/thermo_server.c").mkdir()
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind("thermo/gen/stubs.c")  # the socket file stays after the close

    def waited(signum, frame):
        raise AssertionError("--check waited on a FIFO")

    before = signal.signal(signal.SIGALRM, waited)
    signal.alarm(60)
    try:
        rc, out, err = run(capsys, spec, "--check")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)
    assert rc == 1, err
    for name in ("build.sh", "gen/stubs.c", "gen/thermo_server.c", "thermo_hooks.c"):
        assert f"--- /dev/null\n+++ b/thermo/{name}\n" in out


def test_check_ignores_edited_user_file(spec, capsys):
    run(capsys, spec)
    Path("thermo/thermo_hooks.c").write_text("int thermo_on_init(void) { return 1; }\n")
    assert run(capsys, spec, "--check") == (0, "", "")


def test_refuses_foreign_non_empty_directory(spec, capsys):
    Path("thermo").mkdir()
    Path("thermo/precious.txt").write_text("do not lose me\n")
    rc, out, err = run(capsys, spec)
    assert rc == 2 and "error[RM0051]" in err and "--force" in err
    assert sorted(p.name for p in Path("thermo").iterdir()) == ["precious.txt"]
    assert run(capsys, spec, "--force")[0] == 0
    assert Path("thermo/precious.txt").read_text() == "do not lose me\n"


def test_a_do_not_edit_phrase_is_not_ownership(spec, capsys):
    """Only rmgen's exact stamp marks a tree as rmgen's: a foreign Makefile saying "do not
    edit by hand" is left alone (and so is a look-alike stamp)."""
    Path("thermo/gen").mkdir(parents=True)
    Path("thermo/gen/stubs.c").write_text("/* DO NOT EDIT */\n")
    Path("thermo/Makefile").write_text("# Generated, do not edit by hand\n")
    Path("thermo/.rmgen").write_text("not rmgen's stamp\n")
    rc, out, err = run(capsys, spec)
    assert rc == 2 and err.count("error[RM0051]") == 1
    assert Path("thermo/gen/stubs.c").read_text() == "/* DO NOT EDIT */\n"
    Path("thermo/.rmgen").write_text(output.STAMP_TEXT)
    assert run(capsys, spec)[0] == 0


def test_empty_directory_is_fine(spec, capsys):
    Path("thermo").mkdir()
    assert run(capsys, spec)[0] == 0


def test_output_path_that_is_a_file(spec, capsys):
    Path("thermo").write_text("a file\n")
    rc, out, err = run(capsys, spec)
    assert rc == 2 and "error[RM0050]" in err


def test_nothing_written_when_any_spec_is_invalid(spec, capsys, tmp_path):
    (tmp_path / "bad.yaml").write_text("rmgen: 1\ndevice: {name: bad, path: /dev/bad}\n")
    rc, out, err = run(capsys, spec, "bad.yaml")
    assert rc == 2 and "error[RM0014]" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "thermo.yaml"]


def test_user_file_planned_over_existing_file_is_left_alone(tmp_path):
    (tmp_path / "u.c").write_text("mine\n")
    written = output.write(tmp_path, [PlannedFile("u.c", "stub\n", owner=USER)], Diagnostics(), Location("s"))
    assert written == [".rmgen"] and (tmp_path / "u.c").read_text() == "mine\n"
