"""Write-path normalisation for the authority gate.

A requested path becomes a clean `a/b/c` relative to the workspace root, or a refusal with a
reason. Refused: empty paths, NUL bytes, backslashes (ambiguous between systems), absolute
paths and drive letters, a trailing `/` (a directory is not a write target), `..` that
climbs above the root, the root itself, and paths whose existing parts are symlinks that
lead outside the root.

Symlink checks touch the file system, so their results are cached per directory; call
`PathNormaliser.forget()` after the workspace changed shape outside the gate (the code that
finally writes should still open files without following links: any check-then-write has
a window).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# One search decides whether a path needs the careful (slow) treatment at all.
_SUSPICIOUS = re.compile(r"\A(?:/|[A-Za-z]:)|//|\\|\x00|/\Z|(?:\A|/)\.\.?(?:/|\Z)|\A\Z")
_DRIVE = re.compile(r"\A[A-Za-z]:")


class PathRefused(ValueError):
    """A requested path that cannot be a write target; the message is the reason."""


class PathNormaliser:
    """Turns requested write paths into root-relative paths, caching symlink checks."""

    __slots__ = ("_dirs", "_root", "_root_real")

    def __init__(self, root: Path) -> None:
        self._root = os.fspath(root)
        self._root_real = os.path.realpath(self._root)
        # directory (relative, '' for the root) -> whether it exists on disk; a directory
        # that resolves outside the root is stored as the refusal message instead.
        self._dirs: dict[str, bool | str] = {}

    @property
    def root(self) -> str:
        return self._root

    def forget(self) -> None:
        """Drop cached file-system facts (after the workspace changed outside the gate)."""
        self._dirs.clear()

    def normalise(self, requested: str) -> str:
        """The clean relative path for `requested`, or raise PathRefused with the reason."""
        path = requested if _SUSPICIOUS.search(requested) is None else _clean(requested)
        directory, _, _name = path.rpartition("/")
        exists = self._dirs.get(directory)
        if exists is None:
            exists = self._check_dir(directory)
        if exists is True:
            self._check_leaf(path)
        elif exists is not False:
            raise PathRefused(exists)
        return path

    def _check_dir(self, directory: str) -> bool | str:
        full = os.path.join(self._root, directory) if directory else self._root
        real = os.path.realpath(full)
        verdict: bool | str
        if not _inside(real, self._root_real):
            verdict = f"'{directory}' is a symlink leading outside the workspace root"
        else:
            verdict = os.path.isdir(full)
        self._dirs[directory] = verdict
        return verdict

    def _check_leaf(self, path: str) -> None:
        full = os.path.join(self._root, path)
        if os.path.islink(full) and not _inside(os.path.realpath(full), self._root_real):
            raise PathRefused(f"'{path}' is a symlink leading outside the workspace root")


def _inside(real: str, root_real: str) -> bool:
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def _clean(requested: str) -> str:
    if requested == "":
        raise PathRefused("empty path")
    if "\x00" in requested:
        raise PathRefused("path contains a NUL byte")
    if "\\" in requested:
        raise PathRefused("path contains a backslash; use '/' between segments")
    if requested.startswith("/") or _DRIVE.match(requested):
        raise PathRefused("absolute path; give a path relative to the workspace root")
    if requested.endswith("/"):
        raise PathRefused("path ends with '/': a directory is not a write target")
    parts: list[str] = []
    for part in requested.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise PathRefused("'..' leaves the workspace root")
            parts.pop()
            continue
        parts.append(part)
    if not parts:
        raise PathRefused("path names the workspace root itself, not a file")
    return "/".join(parts)


__all__ = ["PathNormaliser", "PathRefused"]
