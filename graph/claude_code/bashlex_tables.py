"""bashlex, imported with its parse tables cached.

bashlex 0.18 builds its LALR tables from the grammar every time it is imported (its
vendored PLY never reads the shipped `parsetab.py`): 300-600 ms, most of a guard call on
Bash. The tables depend only on the grammar, so `import_bashlex` builds them once, keeps
them in a marshal file in the user's cache folder (`compiled.cache_folder`) keyed on the
grammar's productions and precedence (and the Python version), and on later
imports hands PLY the cached tables instead of recomputing them. Everything else —
reading the grammar from the parser module, binding the production functions, bashlex's
own fix-ups of the tables — runs as usual, so the parser is the one bashlex would have built.

A missing, stale or unreadable cache only costs the build; a test compares the trees of
both ways.
"""

from __future__ import annotations

import importlib
import importlib.util
import marshal
import os
import sys
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

from .compiled import cache_folder


def import_bashlex() -> ModuleType:
    """The `bashlex` module, its tables from the cache when one matches its grammar."""
    loaded = sys.modules.get("bashlex")
    if loaded is not None and hasattr(loaded, "parse"):
        return loaded
    spec = importlib.util.find_spec("bashlex")
    if spec is None or spec.loader is None:
        raise ImportError("bashlex is not installed")
    # Register the package without running its __init__ (which imports the parser and so
    # builds the tables), patch its yacc, then run __init__.
    package = importlib.util.module_from_spec(spec)
    sys.modules["bashlex"] = package
    try:
        yacc: Any = importlib.import_module("bashlex.yacc")
        original = yacc.LRTable
        yacc.LRTable = _cached_table_class(original, yacc)
        try:
            spec.loader.exec_module(package)
        finally:
            yacc.LRTable = original
    except BaseException:
        for name in [name for name in sys.modules if name.split(".")[0] == "bashlex"]:
            del sys.modules[name]
        raise
    return package


def _cached_table_class(original: Any, yacc: Any) -> Any:
    class CachedTable(original):  # type: ignore[misc]
        lr_action: dict[int, dict[str, int]]
        lr_goto: dict[int, dict[str, int]]

        def __init__(self, grammar: Any, log: Any = None) -> None:
            key = _grammar_key(grammar)
            path = cache_folder() / f"bashlex-tables-{zlib.crc32(key.encode()):08x}.marshal"
            tables = _read(path, key)
            if tables is None:
                super().__init__(grammar, log)
                _write(path, (key, self.lr_action, self.lr_goto))
                return
            # what LRTable.__init__ leaves for yacc() and LRParser, minus the work
            self.grammar = grammar
            self.log = log or yacc.NullLogger()
            self.lr_action, self.lr_goto = tables
            self.lr_productions = grammar.Productions
            self.lr_goto_cache: dict[Any, Any] = {}
            self.lr0_cidhash: dict[Any, Any] = {}
            self._add_count = 0
            self.sr_conflict = self.rr_conflict = 0
            self.conflicts: list[Any] = []
            self.sr_conflicts: list[Any] = []
            self.rr_conflicts: list[Any] = []

    return CachedTable


def _grammar_key(grammar: Any) -> str:
    """Everything the tables follow from, as text: stored in the cache file and compared
    whole (the file name carries only its checksum)."""
    text = [sys.version, repr(sorted(grammar.Precedence.items()))]
    text += [f"{p.number}|{p.str}|{p.prec}" for p in grammar.Productions if p is not None]
    return "\n".join(text)


def _read(
    path: Path, key: str
) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]] | None:
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if (
        isinstance(data, tuple)
        and len(data) == 3
        and data[0] == key
        and all(isinstance(table, dict) and table for table in data[1:])
    ):
        return data[1], data[2]
    return None


def _write(path: Path, tables: tuple[str, Any, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(marshal.dumps(tables))
        os.replace(temporary, path)
    except (OSError, ValueError):
        pass  # no cache: the next import builds the tables again
