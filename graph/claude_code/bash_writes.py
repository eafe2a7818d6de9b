"""What a Bash command would write, read from its syntax tree (bashlex), never by regex.

`bash_writes(command, cwd)` returns either the absolute paths the command writes or the
reason it cannot tell. "Cannot tell" is the safe answer for anything outside the small
vocabulary below (an interpreter, `eval`, a variable in a target, a glob...): the guard
then asks the person instead of allowing it.
"""

from __future__ import annotations

import os
from typing import Any

# Commands known to write nothing to the file system (their redirections still count).
READ_ONLY = frozenset(
    [
        "cat",
        "ls",
        "grep",
        "egrep",
        "fgrep",
        "rg",
        "head",
        "tail",
        "wc",
        "echo",
        "printf",
        "pwd",
        "true",
        "false",
        "test",
        "[",
        "stat",
        "file",
        "diff",
        "cmp",
        "sort",
        "uniq",
        "cut",
        "tr",
        "which",
        "type",
        "du",
        "df",
        "date",
        "printenv",
        "whoami",
        "id",
        "basename",
        "dirname",
        "realpath",
        "readlink",
        "jq",
        "less",
        "more",
        "tree",
        "sleep",
        "seq",
        "nl",
        "od",
        "xxd",
        "sha256sum",
        "md5sum",
    ]
)
# Every operand is a write target.
ALL_OPERANDS = frozenset(["rm", "rmdir", "mkdir", "touch", "truncate", "shred", "unlink"])
# The first operand is not a path (mode, owner), the rest are targets.
AFTER_FIRST = frozenset(["chmod", "chown", "chgrp"])
# Source(s)... target: the last operand is written (and, for mv, the sources vanish).
COPIERS = frozenset(["cp", "mv", "install", "ln", "rsync"])
# Read-only git subcommands; any other git use is asked about.
GIT_READ_ONLY = frozenset(
    ["status", "diff", "log", "show", "branch", "rev-parse", "ls-files", "blame", "remote"]
)
_OUTPUT_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", "<>", ">&"})
_EXPANSIONS = frozenset({"parameter", "commandsubstitution", "processsubstitution", "tilde"})


class CannotTell(Exception):
    """The command's writes cannot be known from its text; the message says why."""


class BashWrites:
    __slots__ = ("paths", "unknown")

    def __init__(self, paths: list[str] | None = None, unknown: str | None = None) -> None:
        self.paths: list[str] = paths if paths is not None else []  # absolute, in order
        self.unknown = unknown  # why the command cannot be judged, when it cannot


def bash_writes(command: str, cwd: str) -> BashWrites:
    """The paths `command` (run in `cwd`) would write, or why that cannot be told."""
    # lazy: the guard's Write path does not need the parser; tables cached (see there)
    from .bashlex_tables import import_bashlex

    bashlex = import_bashlex()

    try:
        trees = bashlex.parse(command)
    except Exception as error:  # bashlex raises several kinds on what it cannot parse
        return BashWrites(unknown=f"the shell parser cannot read it ({type(error).__name__})")
    walker = _Walker(cwd)
    try:
        for tree in trees:
            walker.visit(tree)
    except CannotTell as why:
        return BashWrites(paths=walker.paths, unknown=str(why))
    return BashWrites(paths=walker.paths)


class _Walker:
    def __init__(self, cwd: str) -> None:
        self.cwd = cwd
        self.paths: list[str] = []

    def visit(self, node: Any) -> None:
        kind = node.kind
        if kind == "command":
            self._command(node)
        elif kind in ("list", "pipeline", "compound"):
            for part in node.list if kind == "compound" else node.parts:
                self.visit(part)
        elif kind in ("operator", "pipe", "reservedword"):
            return
        elif kind in ("if", "for", "while", "until"):
            for part in node.parts:
                self.visit(part)
        elif kind == "function":
            raise CannotTell("it defines a shell function")
        elif kind in ("commandsubstitution", "processsubstitution"):
            self.visit(node.command)
        elif kind == "word":
            for part in getattr(node, "parts", []):
                self.visit(part)
        elif kind in ("parameter", "tilde", "heredoc", "assignment"):
            return
        elif kind == "redirect":
            self._redirect(node)
        else:
            raise CannotTell(f"it uses shell syntax the guard does not judge ({kind})")

    def _command(self, node: Any) -> None:
        words: list[Any] = []
        for part in node.parts:
            if part.kind == "redirect":
                self._redirect(part)
            elif part.kind == "word":
                self.visit(part)  # substitutions inside words run too
                words.append(part)
            elif part.kind == "assignment":
                self.visit_assignment(part)
        if not words:
            return
        name = self._literal(words[0], "the command name")
        operands = [word for word in words[1:]]
        self._judge(os.path.basename(name), operands)

    def visit_assignment(self, node: Any) -> None:
        for part in getattr(node, "parts", []):
            self.visit(part)

    def _redirect(self, node: Any) -> None:
        if getattr(node, "heredoc", None) is not None and node.type.startswith("<<"):
            return
        if node.type not in _OUTPUT_REDIRECTS:
            return
        target = node.output
        if isinstance(target, int):  # 2>&1: a descriptor, not a file
            return
        self._target(target)

    def _literal(self, word: Any, what: str) -> str:
        for part in getattr(word, "parts", []):
            if part.kind in _EXPANSIONS:
                raise CannotTell(f"{what} {word.word!r} depends on an expansion")
        text: str = word.word
        if any(char in text for char in "*?["):
            raise CannotTell(f"{what} {text!r} is a glob pattern")
        return text

    def _target(self, word: Any) -> None:
        text = self._literal(word, "the target")
        if text in ("/dev/null", "/dev/stdout", "/dev/stderr"):
            return
        self.paths.append(os.path.normpath(os.path.join(self.cwd, text)))

    def _judge(self, name: str, operands: list[Any]) -> None:
        texts = [word.word for word in operands]
        if name in READ_ONLY:
            return
        if name == "cd":
            self.cwd = (
                os.path.normpath(
                    os.path.join(self.cwd, self._literal(operands[0], "the cd target"))
                )
                if operands
                else self.cwd
            )
            return
        if name == "git":
            sub = next((text for text in texts if not text.startswith("-")), "")
            if sub in GIT_READ_ONLY:
                return
            raise CannotTell(f"'git {sub}' may change files")
        plain = _operands(operands)
        if name in ALL_OPERANDS:
            for word in plain:
                self._target(word)
        elif name in AFTER_FIRST:
            for word in plain[1:]:
                self._target(word)
        elif name == "tee":
            for word in plain:
                self._target(word)
        elif name in COPIERS:
            self._copy(name, operands, plain)
        elif name == "sed":
            self._sed(operands)
        elif name == "dd":
            for text in texts:
                if text.startswith("of="):
                    self.paths.append(os.path.normpath(os.path.join(self.cwd, text[3:])))
        else:
            raise CannotTell(f"the guard cannot tell what {name!r} writes")

    def _copy(self, name: str, operands: list[Any], plain: list[Any]) -> None:
        directory = next(
            (operands[i + 1] for i, w in enumerate(operands[:-1]) if w.word in ("-t",)), None
        )
        if directory is not None:
            sources, target = [w for w in plain if w is not directory], directory
        elif len(plain) < 2:
            raise CannotTell(f"'{name}' without a source and a target")
        else:
            sources, target = plain[:-1], plain[-1]
        text = self._literal(target, "the target")
        into = os.path.normpath(os.path.join(self.cwd, text))
        if directory is not None or text.endswith("/") or os.path.isdir(into):
            # copying into a folder: each source lands under it by its own name
            for source in sources:
                base = os.path.basename(self._literal(source, "the source").rstrip("/"))
                self.paths.append(os.path.join(into, base))
        else:
            self.paths.append(into)
        if name == "mv":
            for source in sources:
                self._target(source)  # a move deletes the source: a write there too

    def _sed(self, operands: list[Any]) -> None:
        texts = [word.word for word in operands]
        in_place = any(
            text == "--in-place"
            or text.startswith("--in-place=")
            or (text.startswith("-") and not text.startswith("--") and "i" in text[1:])
            for text in texts
        )
        if not in_place:
            return
        script_given = any(text in ("-e", "-f", "--expression", "--file") for text in texts)
        files = _operands(operands, takes_value=("-e", "-f", "--expression", "--file"))
        for word in files if script_given else files[1:]:
            self._target(word)


def _operands(words: list[Any], takes_value: tuple[str, ...] = ("-t",)) -> list[Any]:
    """The words that are not options (everything after `--` is an operand)."""
    result: list[Any] = []
    skip = False
    options_done = False
    for word in words:
        if skip:
            skip = False
            continue
        text = word.word
        if not options_done and text == "--":
            options_done = True
        elif not options_done and text in takes_value:
            skip = True
        elif not options_done and text.startswith("-") and text != "-":
            continue
        else:
            result.append(word)
    return result
