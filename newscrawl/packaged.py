"""A package's files as a real directory, also when newscrawl runs from a zipped egg (Scrapyd)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path


def package_dir(package: str) -> Path:
    """The directory of ``package``; extracted once to the temp directory when it sits inside a zip.

    Scrapyd runs the project from the egg file it was given, and tools such as Alembic read their
    scripts with os.listdir/open, which cannot look inside a zip.
    """
    root = resources.files(package)
    if isinstance(root, Path) and root.is_dir():
        return root
    files: dict[str, bytes] = {}
    _collect(root, "", files)
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    target = Path(tempfile.gettempdir()) / f"newscrawl-{package}-{digest.hexdigest()[:16]}"
    if target.is_dir():
        return target
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=target.parent))
    for name, data in files.items():
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    try:
        os.rename(staging, target)
    except OSError:  # another job extracted the same files first
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _collect(node, prefix: str, files: dict[str, bytes]) -> None:
    for child in node.iterdir():
        if child.name == "__pycache__" or child.name.endswith(".pyc"):
            continue
        if child.is_dir():
            _collect(child, f"{prefix}{child.name}/", files)
        else:
            files[prefix + child.name] = child.read_bytes()
