"""Writing an export's files atomically: a hidden temporary beside the target, renamed over it when complete."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path


class ReaderGone(Exception):
    """stdout's reader closed the pipe (`| head`): it has what it wanted, so the export stops quietly."""


def make_public(path: str) -> None:
    """A temporary file is private (0600); the export is an ordinary file of the user's umask."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


@contextlib.contextmanager
def atomic_path(target: Path, suffix: str = ""):
    """A temporary path beside ``target``; renamed over it when the block ends without an error, removed otherwise.

    A SIGKILL leaves only a hidden ``.NAME.*`` file, which the next export of the same target removes.
    """
    remove_leftovers(target)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=f".tmp{suffix}")
    os.close(handle)
    try:
        yield Path(name)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        raise
    make_public(name)
    os.replace(name, target)


@contextlib.contextmanager
def atomic_text(target: str, newline: str = "\n", encoding: str = "utf-8"):
    """A text handle on ``target`` (``-``: stdout) that replaces the file only when complete."""
    if target == "-":
        try:
            yield sys.stdout
            sys.stdout.flush()
        except BrokenPipeError:
            # Python would fail again flushing stdout at exit: point it at /dev/null first.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise ReaderGone from None
        return
    with atomic_path(Path(target)) as temporary, open(temporary, "w", encoding=encoding, newline=newline) as handle:
        yield handle


def remove_leftovers(target: Path) -> None:
    """Temporary files and staging directories a killed export of ``target`` left behind."""
    if not target.parent.is_dir():
        return
    for leftover in target.parent.glob(f".{target.name}.*.tmp*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
