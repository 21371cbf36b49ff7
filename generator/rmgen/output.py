"""Putting a file plan on disk, or comparing it with the disk (`--check`).

A run changes a tree all at once or not at all. Each changed file is first written next to
its target (`.NAME.rmgen-new`, fsynced; the old file kept as a hard link `.NAME.rmgen-old`),
then a journal (`.rmgen-journal`) listing them is committed, then they are renamed into
place. A run killed before the journal leaves the old tree (the next run removes its
temporary files); killed after it, the next run finishes the renames. A lock on the output
folder (flock) makes concurrent runs take turns. User files are created once and never
overwritten. The `.rmgen` stamp, exactly as rmgen writes it, marks the folders rmgen owns;
no symbolic link inside a tree is followed.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import stat
import time
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, TextIO, Tuple, Union

from rmgen.diagnostics import Diagnostics, Location
from rmgen.plan import GENERATED, USER, PlannedFile

STAMP = ".rmgen"
STAMP_TEXT = "This directory is written by rmgen; files marked DO NOT EDIT are regenerated.\n"
JOURNAL = ".rmgen-journal"
NEW, OLD = ".rmgen-new", ".rmgen-old"
LOCK_TIMEOUT = 60.0  # seconds a run waits for another run on the same folder
_STALE = re.compile(r"^\..+(\.rmgen-new|\.rmgen-old|\.[a-z0-9_]{8}\.tmp)$|^\.rmgen-journal(\.rmgen-new)?$")
_CALLED = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")  # every `name(`: one scan of a file

SPEC_LINE = "spec: "  # stamp line naming the spec a tree was generated from

_NO_FILE = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP)  # what Path.is_file() takes for "not there"
_held: Dict[str, Tuple[int, bool]] = {}  # locked output folders: fd, created by this run


def recorded_spec(outdir: Path) -> Optional[Path]:
    """The spec a tree's stamp names (resolved), or None if it names none."""
    try:
        text = (outdir / STAMP).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(SPEC_LINE):
            return Path(os.path.normpath(os.path.join(os.path.abspath(outdir), line[len(SPEC_LINE):])))
    return None


def shown(path: Union[str, Path]) -> str:
    """`path` as printed to people: relative to the current directory, POSIX separators."""
    return Path(os.path.relpath(path)).as_posix()


@contextlib.contextmanager
def session() -> Iterator[None]:
    """Holds the folder locks taken by preflight() until the run ends; then releases them
    and removes the folders preflight created if they stayed empty (a refused run)."""
    try:
        yield
    finally:
        for key, (fd, created) in sorted(_held.items(), reverse=True):
            os.close(fd)
            if created:
                with contextlib.suppress(OSError):
                    os.rmdir(key)  # only if empty
        _held.clear()


def preflight(outdir: Path, plan: Sequence[PlannedFile], diags: Diagnostics, where: Location,
              force: bool = False, check: bool = False) -> None:
    """Lock `outdir` (creating it, unless checking) and refuse an output path under a file,
    a foreign non-empty folder, or a symbolic link inside the tree. Call inside session()."""
    blocker = next((p for p in [outdir, *outdir.parents] if p.exists() or p.is_symlink()), None)
    if blocker is not None and not blocker.is_dir():
        diags.add("RM0050", where, path=shown(blocker))
        return
    if not _lock(outdir, diags, where, check) or not outdir.is_dir():
        return
    if not force and any(outdir.iterdir()) and not _owned(outdir):
        diags.add("RM0051", where, path=shown(outdir))
    for link in _links(outdir, plan):
        diags.add("RM0059", where, path=shown(link))


def _lock(outdir: Path, diags: Diagnostics, where: Location, check: bool) -> bool:
    """Take the folder's lock (shared for --check), waiting at most LOCK_TIMEOUT seconds."""
    key = os.path.abspath(outdir)
    if key in _held:
        return True
    created = False
    if not outdir.is_dir():
        if check:
            return True  # nothing to read, nothing to lock
        try:
            outdir.mkdir(parents=True)
            created = True
        except FileExistsError:
            pass
        except OSError as e:
            diags.add("RM0052", where, path=shown(outdir), reason=_reason(outdir, e))
            return False
    fd = os.open(key, os.O_RDONLY | os.O_DIRECTORY)
    deadline = time.monotonic() + LOCK_TIMEOUT
    while True:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if check else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                diags.add("RM0060", where, path=shown(outdir), seconds=f"{LOCK_TIMEOUT:g}")
                return False
            time.sleep(0.05)
    _held[key] = (fd, created)
    return True


def _owned(outdir: Path) -> bool:
    """Whether rmgen wrote into `outdir` before: its stamp file, exactly as rmgen writes it
    (the stamp text, then at most one line naming the spec)."""
    stamp = outdir / STAMP
    if stamp.is_symlink() or not stamp.is_file():
        return False
    with stamp.open("rb") as fh:
        data = fh.read(4096)
    head, rest = data[:len(STAMP_TEXT)], data[len(STAMP_TEXT):]
    spec_line = rest.startswith(SPEC_LINE.encode()) and rest.endswith(b"\n") and rest.count(b"\n") == 1
    return head == STAMP_TEXT.encode() and (rest == b"" or spec_line)


def _links(outdir: Path, plan: Sequence[PlannedFile]) -> List[Path]:
    """Symbolic links where the plan needs a folder or a generated file (one per link)."""
    base = os.fspath(outdir)
    links, is_link = set(), {}  # is_link: each folder the plan shares is looked at once
    for f in plan:
        parts = f.path.split("/")
        for i in range(1, len(parts) + (f.owner == GENERATED)):
            rel = "/".join(parts[:i])
            if rel not in is_link:
                mode = _mode(os.path.join(base, rel), follow=False)
                is_link[rel] = mode is not None and stat.S_ISLNK(mode)
            if is_link[rel]:
                links.add(outdir / rel)
                break
    return sorted(links)


def recover(outdir: Path) -> int:
    """Finish an interrupted run's renames if its journal was committed; remove every
    temporary file of interrupted runs. Returns how many files were stale."""
    journal = outdir / JOURNAL
    if journal.is_file():
        for rel in journal.read_text(encoding="utf-8").splitlines():
            new = _aside(outdir / rel, NEW)
            if new.is_file():
                os.replace(new, outdir / rel)
    stale = stale_files(outdir)
    for path in stale:
        path.unlink()
    return len(stale)


def stale_files(outdir: Path) -> List[Path]:
    """Temporary files and journals interrupted runs left in the tree (links not followed)."""
    found = []
    for root, dirs, files in os.walk(outdir):
        found += [Path(root) / n for n in files if _STALE.match(n)]
    return sorted(found)


def _aside(path: Path, suffix: str) -> Path:
    return path.parent / f".{path.name}{suffix}"


def write(outdir: Path, plan: Sequence[PlannedFile], diags: Diagnostics, where: Location,
          spec: str = "") -> List[str]:
    """Write the plan under `outdir`, all files or none; returns the paths written
    (relative to `outdir`). The stamp records `spec`, the spec's path relative to `outdir`
    (see recorded_spec())."""
    stale = recover(outdir) if outdir.is_dir() else 0
    if stale:
        diags.add("RM0061", Location(shown(outdir)), count=stale)
    staged: List[Tuple[str, Path]] = []
    made: List[Path] = []
    stamp = STAMP_TEXT + (f"{SPEC_LINE}{spec}\n" if spec else "")
    files = [PlannedFile(STAMP, stamp)] + sorted(plan, key=lambda f: f.path)
    for f in files:
        path = outdir / f.path
        try:
            if _stage(f, path, made):
                staged.append((f.path, path))
        except OSError as e:
            _discard(staged, made)
            diags.add("RM0052", where, path=shown(path), reason=_reason(path, e))
            return []
    if staged:
        _commit(outdir, staged, made, diags, where)
    return [rel for rel, _ in staged] if not diags.has_errors else []


def _stage(f: PlannedFile, path: Path, made: List[Path]) -> bool:
    """Write `f` next to `path` if it differs from the disk; True if staged."""
    if f.owner == USER and (path.exists() or path.is_symlink()):
        return False
    if path.is_dir() and not path.is_symlink():
        raise IsADirectoryError(21, "is a directory")
    data = f.text.encode("utf-8")
    exists = path.is_file()
    old_mode = path.stat().st_mode & 0o7777 if exists else None
    mode = (0o755 if f.executable else 0o644) if old_mode is None else old_mode | (0o111 if f.executable else 0)
    if old_mode == mode and path.read_bytes() == data:
        return False
    for parent in reversed([p for p in path.parents if not p.exists()]):
        parent.mkdir()
        made.append(parent)
    _write_file(_aside(path, NEW), data, mode)
    if exists:
        _keep(path, _aside(path, OLD))
    return True


def _keep(path: Path, backup: Path) -> None:
    """The current file under a second name (a hard link; a copy where links fail)."""
    with contextlib.suppress(FileNotFoundError):
        backup.unlink()
    try:
        os.link(path, backup)
    except OSError:
        shutil.copy2(path, backup)


def _write_file(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, mode)


def _commit(outdir: Path, staged: List[Tuple[str, Path]], made: List[Path], diags: Diagnostics,
            where: Location) -> None:
    """Commit the journal, rename every staged file into place, then drop the journal and
    the old copies; any failure before the journal is gone puts the old tree back."""
    journal = outdir / JOURNAL
    done: List[Tuple[str, Path]] = []
    try:
        _write_file(outdir / (JOURNAL + NEW), "".join(f"{r}\n" for r, _ in staged).encode(), 0o644)
        os.replace(outdir / (JOURNAL + NEW), journal)  # the commit point
        for rel, path in staged:
            os.replace(_aside(path, NEW), path)
            done.append((rel, path))
        journal.unlink()
    except OSError as e:
        for _, path in reversed(done):
            backup = _aside(path, OLD)
            if backup.exists():
                os.replace(backup, path)
            else:
                path.unlink()
        _discard(staged, made)
        with contextlib.suppress(FileNotFoundError):
            journal.unlink()
        with contextlib.suppress(FileNotFoundError):
            (outdir / (JOURNAL + NEW)).unlink()
        failed = staged[len(done)][1] if len(done) < len(staged) else journal
        diags.add("RM0052", where, path=shown(failed), reason=_reason(failed, e))
        return
    for _, path in staged:
        with contextlib.suppress(FileNotFoundError):
            _aside(path, OLD).unlink()


def _discard(staged: List[Tuple[str, Path]], made: List[Path]) -> None:
    """Remove the staged files and the folders staging created (the tree as it was)."""
    for _, path in staged:
        for suffix in (NEW, OLD):
            with contextlib.suppress(FileNotFoundError):
                _aside(path, suffix).unlink()
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _reason(path: Path, error: OSError) -> str:
    """The OS error, or which parent of `path` is a file where a directory must be."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return f"{shown(parent)} is a file, not a directory"
    return error.strerror or str(error)


def missing_hooks(outdir: Path, plan: Sequence[PlannedFile], diags: Diagnostics, strict: bool = False) -> None:
    """Warn about each hook a present user file does not define (an error if `strict`: --check)."""
    for f in plan:
        path = outdir / f.path
        if f.owner != USER or not f.hooks or not path.is_file():
            continue
        called = set(_CALLED.findall(path.read_text(encoding="utf-8", errors="replace")))
        for hook in f.hooks:
            if hook.symbol not in called:
                diags.add("RM0080" if strict else "RM0053", Location(shown(path)), symbol=hook.symbol,
                          purpose=hook.purpose, stub=f"{shown(outdir / hook.stub_file)}:{hook.stub_line}")


def check(outdir: Path, plan: Sequence[PlannedFile], out: TextIO) -> Tuple[int, int]:
    """Print a unified diff for every drifted file to `out`; returns how many planned files
    drifted and how many temporary files of interrupted runs are left (both are drift).

    A generated file drifts if it is missing, stale or edited; a user file if it is missing.
    """
    drifted = 0
    leftovers = stale_files(outdir) if outdir.is_dir() else []
    for path in leftovers:
        what = "an unfinished run's journal" if path.name == JOURNAL else "a temporary file of an interrupted run"
        out.write(f"{shown(path)}: {what}; the next rmgen run (without --check) cleans it up\n")
    base = os.fspath(outdir)
    for f in sorted(plan, key=lambda f: f.path):
        path = os.path.join(base, f.path)  # a string: pathlib would cost more than the check
        if f.owner == GENERATED:
            data = _regular_bytes(path)
        else:  # a user file only has to be there: its text is the user's
            data = b"" if _is_regular(path) else None
        if data is None:
            name = shown(path)
            out.writelines(_diff("", f.text, "/dev/null", f"b/{name}"))
            drifted += 1
        elif f.owner == GENERATED:
            current = data.decode("utf-8", errors="replace")
            stale = current != f.text
            if stale:
                name = shown(path)
                out.writelines(_diff(current, f.text, f"a/{name}", f"b/{name}"))
            if f.executable and not os.access(path, os.X_OK):
                out.write(f"{shown(path)}: should be executable\n")
                stale = True
            drifted += stale
    return drifted, len(leftovers)


def _mode(path: str, follow: bool = True) -> Optional[int]:
    """st_mode of `path` (of a link itself if not `follow`), None where it is not there, as
    pathlib's is_file() and is_symlink() take it; any other error is raised."""
    try:
        return (os.stat if follow else os.lstat)(path).st_mode
    except OSError as e:
        if e.errno in _NO_FILE:
            return None
        raise


def _is_regular(path: str) -> bool:
    """Whether `path` is a regular file (links followed), as Path.is_file() says."""
    mode = _mode(path)
    return mode is not None and stat.S_ISREG(mode)


def _regular_bytes(path: str) -> Optional[bytes]:
    """The bytes of `path` if it is a regular file (links followed), else None. Looked at
    before it is opened, and opened non-blocking then looked at again: a FIFO, socket or
    device is never read, nor waited on if one took the file's place in between."""
    if not _is_regular(path):
        return None
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def _diff(old: str, new: str, old_name: str, new_name: str):
    """The unified diff's lines from `old` to `new` (difflib is loaded only for drift)."""
    import difflib

    return _lines(difflib.unified_diff(old.splitlines(True), new.splitlines(True), old_name, new_name))


def _lines(diff):
    """Terminate a diff's last line if the file lacked a final newline."""
    for line in diff:
        yield line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
