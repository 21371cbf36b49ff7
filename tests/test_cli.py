"""The command line: options, exit codes, python -m rmgen, internal errors."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rmgen
from rmgen import cli

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))


def run(capsys, *argv):
    try:
        rc = cli.main(list(argv))
    except SystemExit as e:  # argparse: --help, --version, usage errors
        rc = e.code
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def test_version(capsys):
    assert run(capsys, "--version") == (0, f"rmgen {rmgen.__version__} (spec format 1)\n", "")


def test_help(capsys):
    rc, out, err = run(capsys, "--help")
    assert rc == 0 and err == ""
    for option in ("--check", "--explain", "--runtime-dir", "--traceback", "-o DIR", "--force"):
        assert option in out


def test_explain(capsys):
    rc, out, err = run(capsys, "--explain", "rm0012")
    assert rc == 0 and err == "" and out.startswith("RM0012 (error): ") and "migrate" in out


def test_explain_unknown(capsys):
    assert run(capsys, "--explain", "RM9999") == (
        2, "", "rmgen: unknown diagnostic ID 'RM9999' (rmgen --explain lists them)\n")


@pytest.mark.parametrize("argv", [[], ["--no-such-option"], ["-o"]])
def test_usage_errors_exit_2(capsys, argv):
    rc, out, err = run(capsys, *argv)
    assert rc == 2 and out == "" and "usage: rmgen" in err


def test_runtime_dir(capsys):
    assert run(capsys, "--runtime-dir") == (0, f"{REPO / 'qnxhost'}\n", "")


def test_resources_prefer_package_data(tmp_path):
    pkg = tmp_path / "generator" / "rmgen"
    (pkg / "qnxhost").mkdir(parents=True)
    shutil.copy(REPO / "generator" / "rmgen" / "resources.py", pkg / "resources.py")
    spec = importlib.util.spec_from_file_location("resources_copy", pkg / "resources.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.data_dir("qnxhost") == pkg / "qnxhost"
    assert module.data_dir("schemas") == tmp_path / "schemas"    # a checkout: the repo's top


def test_valid_and_invalid_exit_codes(tmp_path, monkeypatch, capsys, fake_backend):
    monkeypatch.chdir(tmp_path)
    shutil.copy(REPO / "examples" / "sample.yaml", "sample.yaml")
    Path("bad.yaml").write_text("rmgen: 1\n")
    assert run(capsys, "sample.yaml")[0] == 0
    assert run(capsys, "sample.yaml", "--check")[0] == 0
    rc, out, err = run(capsys, "bad.yaml")
    assert rc == 2 and out == "" and "error[RM0014]" in err


def test_internal_error_is_one_line(tmp_path, monkeypatch, capsys, fake_backend):
    def boom(device):
        raise RuntimeError("template exploded")

    monkeypatch.setattr(sys.modules["rmgen.render"], "render", boom)
    spec = shutil.copy(REPO / "examples" / "sample.yaml", tmp_path / "sample.yaml")
    rc, out, err = run(capsys, str(spec))
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and "internal error (RuntimeError: template exploded)" in err
    assert "Traceback" not in err
    rc, out, err = run(capsys, str(spec), "--traceback")
    assert rc == 2 and "Traceback (most recent call last)" in err and "template exploded" in err


def _python(*args, cwd=None, **kw):
    """`python -m rmgen ARGS`, with buffered streams (as a user's shell gives it): output
    reaches the pipes only if the command flushes it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, "-m", "rmgen", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=900, **kw)


def test_python_dash_m():
    proc = _python("--version")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"rmgen {rmgen.__version__} (spec format 1)\n", "")


def test_command_output_whole_and_status_kept(tmp_path, capsys):
    """The command (cli.run) ends without the interpreter's teardown: what main() printed
    still reaches both pipes whole (a diff far beyond a pipe's buffer), with main()'s status."""
    spec = tmp_path / "sample.yaml"
    shutil.copy(REPO / "examples" / "sample.yaml", spec)
    assert cli.main(["--check", str(spec)]) == 1
    want = capsys.readouterr()
    proc = _python("--check", str(spec))
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, want.out, want.err)
    assert len(proc.stdout) > 1 << 16 and "is out of date: 34 of 34 files differ" in proc.stderr


def test_command_usage_error_and_closed_stdout():
    """argparse's exits keep their status; a stdout closed from the start (`>&-`) is no error."""
    usage = _python("--no-such-option")
    assert (usage.returncode, usage.stdout) == (2, "") and "unrecognized arguments" in usage.stderr
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    for args in (["--runtime-dir"], ["--explain", "RM0001"]):
        closed = subprocess.run([sys.executable, "-m", "rmgen", *args], stderr=subprocess.PIPE,
                                text=True, env=env, timeout=900, preexec_fn=lambda: os.close(1))
        assert (closed.returncode, closed.stderr) == (0, ""), args


def test_reader_gone_before_the_last_flush():
    """`rmgen --explain ID | true`: the reader leaves before rmgen flushes its buffered
    output; the status stays main()'s and nothing is reported about the pipe."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written
    proc = subprocess.run([sys.executable, "-m", "rmgen", "--explain", "RM0001"], stdout=write,
                          stderr=subprocess.PIPE, text=True, env=env, timeout=900)
    os.close(write)
    assert (proc.returncode, proc.stderr) == (0, "")


def test_command_under_a_profiler_exits_normally(tmp_path):
    """With a profiler (or tracer, or exit handler) registered, the command exits through
    the interpreter, so cProfile (coverage, atexit users) still get to write their data."""
    out = tmp_path / "rmgen.prof"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    proc = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "rmgen", "--runtime-dir"],
                          capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("qnxhost") and out.stat().st_size > 0


def test_python_dash_m_exit_2_on_invalid(tmp_path):
    (tmp_path / "x.yaml").write_text("rmgen: 1\ndevice: {name: x, path: /x, summary: s, colour: red}\n")
    proc = _python("x.yaml", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("x.yaml:2:41: error[RM0013]: unknown key 'colour' in device\n")


def test_examples_generate_and_check_clean_with_real_backend(tmp_path):
    """End to end with the lead's model/render: generate, then --check finds no drift."""
    specs = [str(p) for p in EXAMPLES]
    first = _python(*specs, "-o", str(tmp_path), cwd=tmp_path)
    names = [p.stem for p in EXAMPLES]
    files = {n: 35 if n in ("can", "gpio", "txq") else 34 for n in names}  # they add server/NAME_events.c
    assert (first.returncode, first.stdout) == (0, "")
    assert first.stderr == "".join(f"rmgen: wrote {files[n]} files to {n}/ (0 unchanged)\n" for n in names)
    again = _python(*specs, "-o", str(tmp_path), "--check", cwd=tmp_path)
    assert (again.returncode, again.stdout) == (0, "")
    assert again.stderr == "".join(f"rmgen: {n}/ is up to date ({files[n]} files)\n" for n in names)


def test_check_into_a_closed_pipe(tmp_path):
    """`rmgen --check ... | head -1` on a stale tree: exit 1 and no internal error."""
    spec = tmp_path / "sample.yaml"
    shutil.copy(REPO / "examples" / "sample.yaml", spec)
    proc = subprocess.Popen([sys.executable, "-m", "rmgen", "--check", str(spec)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()                     # the first line of the diff, then hang up
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=900) == 1
    assert "internal error" not in err and "Traceback" not in err, err
