"""Erasure outside the run store: the files a run directory holds besides its database.

A subject reaches the workspace (a report an agent wrote, a file named after a customer)
and the generated data sets (SQLite files under `datasets/`). Both are scrubbed in place:
text files get `[ERASED]` where the subject was, other files the same number of `*` (their
layout stays valid), file and folder names get `ERASED`, and SQLite data sets are edited
through SQL and vacuumed so the old values leave the file's free pages. Links are never
followed: a link in the workspace may point anywhere, and erasure must not write there.

The run's own store (`run.db` and its journals) and `run.json` are left to the store's
erasure, which scrubs them through their schema.
"""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

ERASED = "[ERASED]"
ERASED_NAME = "ERASED"
SQLITE_HEADER = b"SQLite format 3\x00"
_STORE_FILES = frozenset(
    {"run.db", "run.db-wal", "run.db-shm", "run.db-journal", "run.json", ".lock", ".run.json.lock"}
)
_MAX_FILE = 64 * 1024 * 1024  # larger files are scrubbed too, but read in one piece


@dataclass(frozen=True)
class FileErasure:
    files: int = 0  # files whose contents changed
    renamed: int = 0  # files and folders whose names changed
    dataset_cells: int = 0  # cells changed in SQLite data sets
    skipped: tuple[str, ...] = ()  # data-set tables that could not be scrubbed, and why


def subject_pattern(subject: str) -> re.Pattern[str]:
    """The subject and its slug and case forms: "Customer 42" also finds `customer_42`,
    `CUSTOMER-42`, `customer.42` and `customer42`."""
    words = [word for word in re.split(r"[\s_\-.]+", subject.strip()) if word]
    joined = r"[\s_\-.]*".join(re.escape(word) for word in words) or re.escape(subject)
    # Not inside a longer word or number: "Customer 42" is not in "customer 421". An
    # underscore is a separator here (slugs), so the guards are letters and digits only.
    return re.compile(rf"(?<![^\W_]){joined}(?![^\W_])", re.IGNORECASE)


def subject_forms(subject: str) -> list[str]:
    """Literal forms of the subject for a database's LIKE pre-filter (the pattern decides)."""
    words = [word for word in re.split(r"[\s_\-.]+", subject.strip()) if word]
    if len(words) < 2:
        return [subject.strip()]
    return sorted({separator.join(words) for separator in (" ", "_", "-", ".", "")})


def scrub_run_files(run_dir: Path, subject: str) -> FileErasure:
    """Scrub `subject` from every file under `run_dir` except the store's own files."""
    pattern = subject_pattern(subject)
    files = renamed = cells = 0
    skipped: list[str] = []
    for folder, dirnames, filenames in os.walk(run_dir, topdown=False, followlinks=False):
        here = Path(folder)
        for name in filenames:
            if here == run_dir and name in _STORE_FILES:
                continue
            path = here / name
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                continue  # links, sockets, FIFOs: never opened
            if _is_sqlite(path):
                changed, missed = _scrub_sqlite(path, pattern, subject)
                cells += changed
                skipped.extend(f"{path.relative_to(run_dir)}:{table}" for table in missed)
            elif _scrub_file(path, pattern):
                files += 1
            if pattern.search(name):
                _rename(path, pattern)
                renamed += 1
        for name in dirnames:
            if pattern.search(name) and not (here / name).is_symlink():
                _rename(here / name, pattern)
                renamed += 1
    return FileErasure(files=files, renamed=renamed, dataset_cells=cells, skipped=tuple(skipped))


def _is_sqlite(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def _scrub_file(path: Path, pattern: re.Pattern[str]) -> bool:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Binary: the same number of bytes, so offsets inside the file stay valid.
        needle = re.compile(pattern.pattern.encode("utf-8"), re.IGNORECASE)
        if not needle.search(data):
            return False
        _replace(path, needle.sub(lambda found: b"*" * len(found.group()), data))
        return True
    if not pattern.search(text):
        return False
    _replace(path, pattern.sub(ERASED, text).encode("utf-8"))
    return True


def _replace(path: Path, data: bytes) -> None:
    """Write `data` over `path` through a new file and a rename, keeping its mode; the old
    bytes go with the old inode."""
    mode = stat.S_IMODE(path.lstat().st_mode)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.erasing")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _rename(path: Path, pattern: re.Pattern[str]) -> None:
    target = path.with_name(pattern.sub(ERASED_NAME, path.name))
    number = 1
    while target.exists() or target.is_symlink():
        number += 1
        target = path.with_name(f"{pattern.sub(ERASED_NAME, path.name)}.{number}")
    os.rename(path, target)


def _scrub_sqlite(path: Path, pattern: re.Pattern[str], subject: str) -> tuple[int, list[str]]:
    """Scrub every text cell of a SQLite data set: (cells changed, tables that could not
    be). Filtered in SQL by the subject's literal forms, decided by the pattern."""
    forms = [form.lower() for form in subject_forms(subject)]
    changed = 0
    missed: list[str] = []
    connection = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            try:
                changed += _scrub_table(connection, table, pattern, forms)
            except sqlite3.DatabaseError as error:  # WITHOUT ROWID, a virtual table, ...
                missed.append(f"{table} ({error})")
        connection.commit()
        if changed:
            connection.execute("VACUUM")
    finally:
        connection.close()
    return changed, missed


def _scrub_table(
    connection: sqlite3.Connection, table: str, pattern: re.Pattern[str], forms: list[str]
) -> int:
    changed = 0
    quoted = '"' + table.replace('"', '""') + '"'
    columns = [row[1] for row in connection.execute(f"PRAGMA table_info({quoted})")]
    for column in columns:
        name = '"' + column.replace('"', '""') + '"'
        where = " OR ".join(f"instr(lower(CAST({name} AS TEXT)), ?) > 0" for _ in forms)
        rows = connection.execute(
            f"SELECT rowid, {name} FROM {quoted} WHERE {where}", forms
        ).fetchall()
        for rowid, value in rows:
            if isinstance(value, str) and pattern.search(value):
                connection.execute(
                    f"UPDATE {quoted} SET {name} = ? WHERE rowid = ?",
                    (pattern.sub(ERASED, value), rowid),
                )
                changed += 1
    return changed


__all__ = [
    "ERASED",
    "FileErasure",
    "scrub_run_files",
    "subject_forms",
    "subject_pattern",
]
