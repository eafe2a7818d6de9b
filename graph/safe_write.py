"""Writes that land where the gate decided, whatever the file system does meanwhile.

Two halves, one rule: judge the path the bytes will really land at, and write exactly
there.

- `resolve_links(root, path)` follows the symlinks an agent's path passes through *inside*
  the workspace, component by component (chains allowed, at most `MAX_HOPS` links), and
  returns the workspace-relative path the bytes would land at: that is what the authority
  engine judges. A link that leads outside the workspace, an absolute link target, or a
  loop is a refusal with its reason.
- `write_file(root, path, data)` walks `path` from the workspace root with directory file
  descriptors, opening every folder with `O_NOFOLLOW` and creating missing ones with
  `mkdir(dir_fd=...)`, then writes a temporary file with `O_EXCL | O_NOFOLLOW` beside the
  target and renames it into place (`rename` replaces a name; it never follows a link).
  A link that appeared after the check (a folder swapped for a link between two turns)
  makes the walk fail instead of being followed. Files get mode 0666 under the process
  umask, as any other program's files would.

Every failure is `WriteRefused` with a one-line reason: the gate and the effects turn it
into a recorded refusal, never an exception out of the run.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from typing import TYPE_CHECKING, Any

from .paths import PathRefused, clean_path

if TYPE_CHECKING:  # names only: the guard's hot path must not load pydantic
    from charter.protocols import AuthorityDecision

    from .authority import AuthorityEngine
    from .ports import AuthorityLike

MAX_HOPS = 40  # as Linux's own limit on links followed while resolving one path
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class WriteRefused(PathRefused):
    """A write the file system would not let land where it was decided; the message says
    why."""


def _reason(error: OSError, where: str) -> str:
    known = {
        errno.ENAMETOOLONG: "a name is too long for the file system",
        errno.ENOTDIR: "a file stands where a folder is needed",
        errno.EISDIR: "a folder stands where the file should be written",
        errno.ELOOP: "a symlink appeared on the path (links are not followed when writing)",
        errno.EACCES: "permission denied",
        errno.EROFS: "the workspace is read-only",
        errno.ENOSPC: "no space left on the device",
        errno.EEXIST: "a name that should be new already exists",
    }
    what = known.get(error.errno or 0, os.strerror(error.errno or 0) or str(error))
    return f"cannot write {where!r}: {what}"


def resolve_links(root: str | os.PathLike[str], path: str) -> str:
    """The workspace-relative path `path` (clean, relative) really designates: every
    symlink inside the workspace followed. Raises WriteRefused for links that lead
    outside the root, absolute link targets, loops and over-long chains."""
    base = os.fspath(root)
    done: list[str] = []  # resolved components so far (no links among them)
    todo = path.split("/")
    hops = 0
    while todo:
        part = todo.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not done:
                raise WriteRefused(f"{path!r} leads outside the workspace root through a link")
            done.pop()
            continue
        here = os.path.join(base, *done, part)
        try:
            info = os.lstat(here)
        except FileNotFoundError:
            done.append(part)
            done.extend(p for p in todo if p not in ("", "."))
            return _clean_tail(done, path)
        except OSError as error:
            raise WriteRefused(_reason(error, path)) from None
        if not stat.S_ISLNK(info.st_mode):
            done.append(part)
            continue
        hops += 1
        if hops > MAX_HOPS:
            raise WriteRefused(f"{path!r}: more than {MAX_HOPS} links (a loop?)")
        target = os.readlink(here)
        if target.startswith("/"):
            raise WriteRefused(f"{'/'.join([*done, part])!r} is a symlink to an absolute path")
        todo = [*target.split("/"), *todo]
    if not done:
        raise WriteRefused(f"{path!r} designates the workspace root, not a file")
    return "/".join(done)


def _clean_tail(parts: list[str], path: str) -> str:
    # Components after a missing one cannot be links; only '..' needs handling.
    out: list[str] = []
    for part in parts:
        if part == "..":
            if not out:
                raise WriteRefused(f"{path!r} leads outside the workspace root through a link")
            out.pop()
        else:
            out.append(part)
    if not out:
        raise WriteRefused(f"{path!r} designates the workspace root, not a file")
    return "/".join(out)


def write_file(root: str | os.PathLike[str], path: str, data: bytes) -> None:
    """Write `data` at `path` (clean, relative, already resolved) under `root`, following
    no link at any level; atomic (temporary file + rename). Raises WriteRefused."""
    *folders, name = path.split("/")
    try:
        fd = os.open(os.fspath(root), _DIR_FLAGS)
    except OSError as error:
        raise WriteRefused(_reason(error, path)) from None
    try:
        for folder in folders:
            child = _enter(fd, folder, path)
            os.close(fd)
            fd = child
        _replace(fd, name, data, path)
    finally:
        os.close(fd)


def _enter(parent: int, folder: str, path: str) -> int:
    """The descriptor of `folder` inside `parent`, made if missing, never through a link."""
    try:
        try:
            return os.open(folder, _DIR_FLAGS, dir_fd=parent)
        except FileNotFoundError:
            # Made meanwhile by someone else: open whatever it is, safely.
            with contextlib.suppress(FileExistsError):
                os.mkdir(folder, 0o777, dir_fd=parent)
            return os.open(folder, _DIR_FLAGS, dir_fd=parent)
    except OSError as error:
        if error.errno in (errno.ENOTDIR, errno.ELOOP) and _is_link(parent, folder):
            error = OSError(errno.ELOOP, "symlink")  # say what it really is
        raise WriteRefused(_reason(error, path)) from None


def _is_link(parent: int, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(name, dir_fd=parent).st_mode)
    except OSError:
        return False


def _replace(folder: int, name: str, data: bytes, path: str) -> None:
    import secrets  # here, not at the top: the guard's hot path judges but never writes

    temporary = f".{name[:64]}.{secrets.token_hex(6)}.tmp"
    try:
        try:
            existing = os.lstat(name, dir_fd=folder)
        except FileNotFoundError:
            existing = None
        if existing is not None and stat.S_ISDIR(existing.st_mode):
            raise OSError(errno.EISDIR, "is a directory")
        fd = os.open(temporary, _FILE_FLAGS, 0o666, dir_fd=folder)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.rename(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise WriteRefused(_reason(error, path)) from None


def judge_write(
    engine: AuthorityLike, role: str, root: str | os.PathLike[str], requested: str
) -> AuthorityDecision:
    """The decision on where `requested` (workspace-relative) would really land: links
    inside the workspace followed, a link leading outside refused. The decision names the
    requested path and the real one. Used by the gate and by the Claude Code guard."""
    from charter.protocols import AuthorityDecision

    resolved = _landing(root, requested)
    if isinstance(resolved, WriteRefused):
        return AuthorityDecision(**_refused_fields(role, requested, resolved))
    decision = engine.decide(role, resolved)
    if resolved == requested:
        return decision
    return decision.model_copy(
        update={
            "requested_path": requested,
            "steps": [f"0. links: {requested!r} lands at {resolved!r}", *decision.steps],
        }
    )


def judge_write_fields(
    engine: AuthorityEngine, role: str, root: str | os.PathLike[str], requested: str
) -> dict[str, Any]:
    """`judge_write`'s decision as the plain dict of `AuthorityDecision` fields, built
    without pydantic (the guard's hot path); same steps, same reasons."""
    resolved = _landing(root, requested)
    if isinstance(resolved, WriteRefused):
        return _refused_fields(role, requested, resolved)
    fields = engine.decision_fields(role, resolved)
    if resolved != requested:
        fields["requested_path"] = requested
        fields["steps"] = [f"0. links: {requested!r} lands at {resolved!r}", *fields["steps"]]
    return fields


def _landing(root: str | os.PathLike[str], requested: str) -> str | WriteRefused:
    """Where `requested` lands once links are followed, or why it cannot be written."""
    try:
        return resolve_links(root, clean_path(requested))
    except WriteRefused as refused:
        return refused
    except PathRefused:
        return requested  # the engine refuses it with its own reason


def _refused_fields(role: str, requested: str, refused: WriteRefused) -> dict[str, Any]:
    return {
        "role": role,
        "requested_path": requested,
        "path": None,
        "allowed": False,
        "rule": "invalid_path",
        "pattern": None,
        "owner": None,
        "reason": str(refused),
        "steps": [f"1. resolve links: refused: {refused}"],
    }


__all__ = [
    "MAX_HOPS",
    "WriteRefused",
    "judge_write",
    "judge_write_fields",
    "resolve_links",
    "write_file",
]
