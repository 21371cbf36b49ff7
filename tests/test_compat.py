"""`rmgen compat`: the bad-change corpus in tests/compat (one pair per kind of break, exact
output), compatible growth, `--against GITREV` on a scratch repository, and the examples
compared with HEAD (their own CI: a breaking edit fails the suite before it is committed)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from rmgen import cli

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "compat"
PAIRS = sorted(p.stem for p in CORPUS.glob("*.expected"))
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))


def run(capsys, *argv):
    rc = cli.main(list(argv))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def git(cwd, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=900)


def test_corpus_has_one_pair_per_kind_of_break():
    from rmgen.diagnostics import REGISTRY
    compat_ids = sorted(i for i in REGISTRY if "90" <= i[4:] <= "99" or "RM0103" <= i <= "RM0110")
    assert sorted({p[:6] for p in PAIRS if p.startswith("RM")}) == compat_ids
    for name in PAIRS:  # every pair is base.yaml with a change
        assert (CORPUS / f"{name}.yaml").read_text() != (CORPUS / "base.yaml").read_text()


@pytest.mark.parametrize("name", PAIRS)
def test_pair(name, tmp_path, monkeypatch, capsys):
    shutil.copytree(CORPUS, tmp_path / "compat")
    monkeypatch.chdir(tmp_path / "compat")
    rc, out, err = run(capsys, "compat", "base.yaml", f"{name}.yaml")
    expected = (CORPUS / f"{name}.expected").read_text(encoding="utf-8")
    assert (out, err) == ("", expected)
    assert rc == (1 if name.startswith("RM") else 0)
    if name.startswith("RM"):
        assert f"error[{name[:6]}]" in err
        assert "at base.yaml:" in err  # both sides located


def test_same_spec_is_compatible(capsys):
    spec = str(REPO / "examples" / "thermo.yaml")
    rc, out, err = run(capsys, "compat", spec, spec)
    assert rc == 0 and out == "" and err.endswith("(no interface change)\n")


def test_invalid_spec_exits_2(tmp_path, capsys):
    (tmp_path / "bad.yaml").write_text("rmgen: 1\n")
    rc, out, err = run(capsys, "compat", str(CORPUS / "base.yaml"), str(tmp_path / "bad.yaml"))
    assert rc == 2 and "error[RM0014]" in err


def test_usage(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["compat", "one.yaml"])
    assert e.value.code == 2 and "compat takes OLD.yaml NEW.yaml" in capsys.readouterr().err


def test_against_git_revision(tmp_path, monkeypatch, capsys):
    """The old side comes from `git show REV:./SPEC`, from any current directory."""
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    shutil.copy(CORPUS / "base.yaml", repo / "specs" / "lamp.yaml")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "lamp")
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "compat", "--against", "HEAD", "repo/specs/lamp.yaml")[0] == 0
    shutil.copy(CORPUS / "RM0093-command-renumbered.yaml", repo / "specs" / "lamp.yaml")
    rc, out, err = run(capsys, "compat", "--against", "HEAD", "repo/specs/lamp.yaml")
    assert rc == 1 and out == ""
    assert err.startswith("repo/specs/lamp.yaml:19:23: error[RM0093]: devctl 'get' is now class 0x05 "
                          "code 0x05, was class 0x05 code 0x02 (at HEAD:repo/specs/lamp.yaml:19:23)")


def test_against_a_revision_without_the_file_is_RM0084(tmp_path, monkeypatch, capsys):
    git(tmp_path, "init", "-q")
    (tmp_path / "README").write_text("x\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "first")
    shutil.copy(CORPUS / "base.yaml", tmp_path / "lamp.yaml")
    monkeypatch.chdir(tmp_path)
    rc, out, err = run(capsys, "compat", "--against", "HEAD", "lamp.yaml")
    assert (rc, out) == (2, "")
    assert err == ("lamp.yaml: error[RM0084]: cannot read the old spec from git revision HEAD: "
                   "fatal: path 'lamp.yaml' exists on disk, but not in 'HEAD'\n")


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
def test_examples_are_compatible_with_head(spec, capsys):
    """The examples' own interface check: an edit that breaks clients fails here."""
    rc, out, err = run(capsys, "compat", "--against", "HEAD", str(spec))
    assert rc == 0, err
