"""Write-path normalisation for the authority gate.

A requested path becomes a clean `a/b/c` relative to the workspace root, or a refusal with a
reason. Refused: empty paths, NUL bytes, backslashes (ambiguous between systems), absolute
paths and drive letters, a trailing `/` (a directory is not a write target), `..` that
climbs above the root, the root itself, and paths whose existing parts are symlinks that
lead outside the root. `.` segments and doubled slashes are dropped; `a/../b` is resolved
lexically (as git does).

Symlink checks touch the file system, so what they learn is cached per directory, each
directory derived from its parent (a folder under a missing folder is missing: no system
call). Call `WorkspaceLinks.forget()` after the workspace changed shape outside the gate;
the code that finally writes should still open files without following links, since any
check-then-write leaves a window.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

_DRIVE = re.compile(r"\A[A-Za-z]:")
# Control characters are refused, not matched: git matches a newline like any other
# character, but a name with one forges lines in logs, explanations and audit trails,
# and no tool an agent works with needs it (docs/authorities.md, "Paths").
UNUSUAL = re.compile(r"[\x00-\x1f\x7f]|[. ]/|[. ]\Z")
MAX_PATH_CHARS = 4096  # Linux's PATH_MAX
MAX_NAME_BYTES = 255  # NAME_MAX on every common file system
MAX_DEPTH = 128  # folders deep; checked before any matching (no recursion on segments)
QUICK_CHARS = 255  # a path this short cannot break the two limits above


class PathRefused(ValueError):
    """A requested path that cannot be a write target; the message is the reason."""


def is_plain(requested: str) -> bool:
    """True when `requested` needs no normalising and no careful look: the common case.
    (The authority engine inlines the same test on its hot path; keep them alike.)"""
    return bool(
        requested
        and len(requested) <= QUICK_CHARS
        and requested[0] != "/"
        and requested[-1] != "/"
        and requested[1:2] != ":"
        and "./" not in requested
        and "//" not in requested
        and "\\" not in requested
        and UNUSUAL.search(requested) is None
    )


def clean_path(requested: str) -> str:
    """The normalised relative form of `requested`, or raise PathRefused."""
    if is_plain(requested):
        return requested
    if requested == "":
        raise PathRefused("empty path")
    if len(requested) > MAX_PATH_CHARS:
        raise PathRefused(f"path of {len(requested)} characters; at most {MAX_PATH_CHARS}")
    control = re.search(r"[\x00-\x1f\x7f]", requested)
    if control is not None:
        code = ord(control.group())
        raise PathRefused(
            "path contains a NUL byte"
            if code == 0
            else f"path contains a control character (U+{code:04X}); names with control "
            "characters are refused"
        )
    if "\\" in requested:
        raise PathRefused("path contains a backslash; use '/' between segments")
    if requested.startswith("/") or _DRIVE.match(requested):
        raise PathRefused("absolute path; give a path relative to the workspace root")
    if requested.endswith("/"):
        raise PathRefused("path ends with '/': a directory is not a write target")
    segments = requested.split("/")
    if len(segments) > MAX_DEPTH:
        raise PathRefused(f"path {len(segments)} segments deep; at most {MAX_DEPTH}")
    parts: list[str] = []
    for part in segments:
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise PathRefused("'..' leaves the workspace root")
            parts.pop()
            continue
        if part[-1] in ". ":
            raise PathRefused(
                f"name {part[:40]!r} ends with {'a dot' if part[-1] == '.' else 'a space'}: "
                "Windows and some network file systems drop it, so it could name another file"
            )
        if len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise PathRefused(
                f"a name of more than {MAX_NAME_BYTES} bytes (file systems refuse it)"
            )
        parts.append(part)
    if not parts:
        raise PathRefused("path names the workspace root itself, not a file")
    return "/".join(parts)


class WorkspaceLinks:
    """Refuses paths whose existing parts are symlinks leading outside the root."""

    __slots__ = ("_dirs", "_root", "_root_real")

    def __init__(self, root: Path) -> None:
        self._root = os.fspath(root)
        self._root_real = os.path.realpath(self._root)
        # relative directory ('' = the root) -> True (exists, inside), False (missing),
        # or the refusal message when it leads outside the root.
        self._dirs: dict[str, bool | str] = {}

    @property
    def root(self) -> str:
        return self._root

    def forget(self) -> None:
        """Drop cached file-system facts (after the workspace changed outside the gate)."""
        self._dirs.clear()

    def check(self, path: str) -> None:
        """Raise PathRefused if `path` (clean, relative) leads outside the root."""
        directory = path.rpartition("/")[0]
        status = self._dirs.get(directory)
        if status is None:
            status = self._status(directory)
        if status is True:
            self._check_leaf(path)
        elif status is not False:
            raise PathRefused(status)

    def status(self, directory: str) -> bool | str:
        """True: `directory` exists inside the root; False: it does not exist; else the
        reason it is refused."""
        return self._status(directory)

    def _status(self, directory: str) -> bool | str:
        cached = self._dirs.get(directory)
        if cached is not None:
            return cached
        if directory == "":
            status: bool | str = os.path.isdir(self._root)
        else:
            parent, _, _ = directory.rpartition("/")
            status = self._status(parent)
            if status is True:
                status = self._probe(directory)
        self._dirs[directory] = status
        return status

    def _probe(self, directory: str) -> bool | str:
        full = os.path.join(self._root, directory)
        try:
            info = os.lstat(full)
        except OSError:
            return False
        if stat.S_ISLNK(info.st_mode):
            real = os.path.realpath(full)
            if not _inside(real, self._root_real):
                return f"'{directory}' is a symlink leading outside the workspace root"
            return os.path.isdir(real)
        return stat.S_ISDIR(info.st_mode)

    def _check_leaf(self, path: str) -> None:
        full = os.path.join(self._root, path)
        if os.path.islink(full) and not _inside(os.path.realpath(full), self._root_real):
            raise PathRefused(f"'{path}' is a symlink leading outside the workspace root")


def _inside(real: str, root_real: str) -> bool:
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


__all__ = [
    "MAX_DEPTH",
    "MAX_NAME_BYTES",
    "MAX_PATH_CHARS",
    "PathRefused",
    "WorkspaceLinks",
    "clean_path",
    "is_plain",
]
