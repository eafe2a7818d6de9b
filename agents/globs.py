"""Writing-authority glob patterns: brace expansion, validation, specificity, the regex
pathspec builds for them, and a static test of whether two patterns can match one path.

Patterns follow gitignore semantics (a pattern without an inner `/` matches at any depth, a
trailing `/` matches only directories, i.e. everything below one), with one documented
extension: `{a,b}` alternatives are expanded first (`*.{js,ts}` -> `*.js`, `*.ts`).

Specificity ranks two claims on one path. It is the triple (literal segments, depth,
literal characters): the number of path segments the pattern spells out in full (no
wildcard in them); then how deep in the path the pattern's last written segment matched
(deeper = nearer the file); then the number of non-wildcard characters. So `**/data/`
(1 literal segment) beats `**/*.py` (0) on `a/b/data/x.py`; on `src/etl/x.py` the `etl`
folder (depth 1) beats `src/**` (depth 0); `.github/workflows/*data*` (2, 2, 20) beats
`.github/workflows/**` (2, 1, 16). `Glob.specificity` holds the static part
(literal segments, literal characters); the depth comes from the path. Equal triples from
two roles are a conflict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any, NamedTuple

from charter.protocols import ConfigError

# gitignore text -> pathspec's (regex, include): a pure translation, so a process that was
# handed the table (the Claude Code guard, from its compiled-team cache) need not import
# pathspec at all. Filled as patterns are translated; see `gitignore_regex`.
_TRANSLATED: dict[str, tuple[str | None, bool | None]] = {}


def gitignore_regex(text: str) -> tuple[str | None, bool | None]:
    """pathspec's `GitIgnoreSpecPattern.pattern_to_regex(text)`, memoised. Raises what it
    raises (ValueError and pathspec's pattern error) for a malformed pattern."""
    found = _TRANSLATED.get(text)
    if found is None:
        from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

        regex, include = GitIgnoreSpecPattern.pattern_to_regex(text)
        found = _TRANSLATED[text] = (regex, include)
    return found


def translations() -> dict[str, tuple[str | None, bool | None]]:
    """Every translation made so far (to store beside a compiled team)."""
    return dict(_TRANSLATED)


def remember_translations(table: dict[str, Any]) -> None:
    """Prime `gitignore_regex` with translations made by an earlier process."""
    for text, (regex, include) in table.items():
        _TRANSLATED.setdefault(str(text), (regex, include))


Specificity = tuple[int, int]

_BRACE_LIMIT = 64  # expansions per pattern; more is almost certainly a mistake

# Segment tokens for the static overlap test.
_STAR = ("*",)
_ANY1 = ("?",)
_DSTAR = "**"


class Glob(NamedTuple):
    """One brace-free pattern, ready to match."""

    source: str  # the pattern as written in the charter (braces and all)
    text: str  # this expansion
    regex: str  # pathspec's gitignore regex for `text` (used with `re.search`)
    specificity: Specificity
    literals: tuple[str, ...]  # segments spelled out in full, for bucketing
    suffix: str  # literal tail of the last segment after its last wildcard ("" if none)
    anchored_first: str | None  # the first segment when it is literal and anchored


def expand_braces(pattern: str) -> list[str]:
    """Expand `{a,b}` alternatives (nested allowed, `\\{` escapes); a brace group without a
    comma is kept literally, as in the shell. Raises ValueError on unbalanced braces."""
    start = _find_unescaped(pattern, "{")
    if start < 0:
        if _find_unescaped(pattern, "}") >= 0:
            raise ValueError("unbalanced '}'")
        return [pattern]
    depth, options, begin = 0, [], start + 1
    index = start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                options.append(pattern[begin:index])
                break
        elif char == "," and depth == 1:
            options.append(pattern[begin:index])
            begin = index + 1
        index += 1
    else:
        raise ValueError("unbalanced '{'")
    head, tail = pattern[:start], pattern[index + 1 :]
    if len(options) == 1:  # `{x}` is literal text, like the shell
        return [head + "{" + opt + "}" + rest for opt in options for rest in expand_braces(tail)]
    result = [
        head + choice + rest
        for option in options
        for choice in expand_braces(option)
        for rest in expand_braces(tail)
    ]
    if len(result) > _BRACE_LIMIT:
        raise ValueError(f"expands to more than {_BRACE_LIMIT} patterns")
    return result


def _find_unescaped(text: str, char: str) -> int:
    index = 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == char:
            return index
        index += 1
    return -1


# source -> its globs, compiled by an earlier process (the Claude Code guard's team cache);
# consulted before compiling. Globs are plain values, so handing them over is exact.
_PRIMED: dict[str, tuple[Glob, ...]] = {}


def compile_pattern(source: str) -> tuple[Glob, ...]:
    """Validate `source` and return one `Glob` per brace expansion.

    Raises ConfigError("pattern '...': <why>") for a malformed glob: unbalanced braces or
    brackets, a dangling backslash, an empty segment (`a//b`), `!` negation, or a pattern
    that can never match.
    """
    primed = _PRIMED.get(source)
    return primed if primed is not None else _compile_pattern(source)


def compiled_globs(sources: Iterable[str]) -> dict[str, list[list[Any]]]:
    """The globs of `sources` as JSON-able lists (see `remember_globs`)."""
    return {
        source: [
            [*glob[:3], list(glob.specificity), list(glob.literals), *glob[5:]]
            for glob in compile_pattern(source)
        ]
        for source in sources
    }


def remember_globs(table: dict[str, Any]) -> None:
    """Prime `compile_pattern` with globs compiled by an earlier process."""
    for source, items in table.items():
        _PRIMED[str(source)] = tuple(
            Glob(
                str(g[0]),
                str(g[1]),
                str(g[2]),
                (int(g[3][0]), int(g[3][1])),
                tuple(map(str, g[4])),
                str(g[5]),
                None if g[6] is None else str(g[6]),
            )
            for g in items
        )


@cache
def _compile_pattern(source: str) -> tuple[Glob, ...]:
    if not source or source != source.strip():
        raise ConfigError(f"pattern {source!r}: must not be empty or start/end with spaces")
    if source.startswith("!"):
        raise ConfigError(f"pattern {source!r}: use 'exceptions' instead of '!' negation")
    try:
        texts = expand_braces(source)
    except ValueError as error:
        raise ConfigError(f"pattern {source!r}: {error}") from None
    globs = []
    for text in texts:
        body = text[1:] if text.startswith("/") else text
        body = body[:-1] if body.endswith("/") else body
        if not body or "" in body.split("/"):
            raise ConfigError(f"pattern {source!r}: empty path segment in {text!r}")
        if _has_unclosed_bracket(text):
            raise ConfigError(f"pattern {source!r}: unclosed '[' in {text!r}")
        try:
            regex, include = gitignore_regex(text)
        except ValueError as error:  # pathspec's GitIgnorePatternError is a ValueError
            raise ConfigError(f"pattern {source!r}: {error}") from None
        if regex is None or include is not True:
            raise ConfigError(f"pattern {source!r}: {text!r} can never match a path")
        segments = _segments(text)
        globs.append(
            Glob(
                source=source,
                text=text,
                regex=regex,
                specificity=_specificity(segments),
                literals=tuple(_literal(seg) for seg in segments if _is_literal(seg)),
                suffix=_suffix(segments),
                anchored_first=_anchored_first(text, segments),
            )
        )
    return tuple(globs)


def git_regex(regex: str, flags: int = 0) -> re.Pattern[str]:
    """Compile one of pathspec's gitignore regexes so that it matches exactly as git does on
    every name, control characters included.

    pathspec's regexes use `.` and `$` as if paths had no newlines: without `re.DOTALL`,
    `(?:.+/)?` cannot cross a newline in a folder name (`**/*.ini` missed `a\\nb/c.ini`),
    and `$` also matches before a final newline (`*.ini` took `x.ini\\n`). git treats a
    newline like any other byte, so `.` gets DOTALL and every unescaped `$` outside a
    character class becomes `\\Z`.
    """
    out: list[str] = []
    index, in_class = 0, False
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            out.append(regex[index : index + 2])
            index += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            out.append(char)
            index += 1
            if regex[index : index + 1] == "^":
                out.append("^")
                index += 1
            if regex[index : index + 1] == "]":  # a leading ']' is a literal
                out.append("]")
                index += 1
            continue
        elif char == "$":
            char = "\\Z"
        out.append(char)
        index += 1
    return re.compile("".join(out), flags | re.DOTALL)


def _has_unclosed_bracket(text: str) -> bool:
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            close = text.find(
                "]", index + 2 if text[index + 1 : index + 2] in ("]", "!") else index + 1
            )
            if close < 0 or "/" in text[index:close]:
                return True
            index = close
        index += 1
    return False


# ---- segment model -------------------------------------------------------------------
# A pattern becomes an anchored list of segments, each either `**` (any number of path
# segments) or a tuple of tokens: a literal character (str), `_STAR`, `_ANY1`, or a
# ("[", regex) character class. Directory-only patterns (`x/`) need one more segment after
# the match; other patterns match the path itself or anything below it.

Token = str | tuple[str, ...]
Segment = str | tuple[Token, ...]


def _segments(text: str) -> list[Segment]:
    """The pattern as written, split into segments (no implicit prefix/suffix)."""
    body = text.rstrip("/")
    body = body.lstrip("/")
    result: list[Segment] = []
    for part in body.split("/"):
        result.append(_DSTAR if part == "**" else _tokens(part))
    return result


def _tokens(part: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    index = 0
    while index < len(part):
        char = part[index]
        if char == "\\" and index + 1 < len(part):
            tokens.append(part[index + 1])
            index += 2
            continue
        if char == "*":
            if not tokens or tokens[-1] != _STAR:
                tokens.append(_STAR)
        elif char == "?":
            tokens.append(_ANY1)
        elif char == "[":
            first = index + 2 if part[index + 1 : index + 2] in ("]", "!") else index + 1
            close = part.find("]", first)
            body = part[index + 1 : close]
            if body.startswith("!"):
                body = "^" + body[1:]
            tokens.append(("[", "[" + body + "]"))
            index = close
        else:
            tokens.append(char)
        index += 1
    return tuple(tokens)


def _is_literal(segment: Segment) -> bool:
    return segment != _DSTAR and all(isinstance(tok, str) for tok in segment)


def _literal(segment: Segment) -> str:
    return "".join(tok for tok in segment if isinstance(tok, str))


def _specificity(segments: list[Segment]) -> Specificity:
    literal_segments = sum(1 for seg in segments if _is_literal(seg))
    literal_chars = sum(
        1 for seg in segments if seg != _DSTAR for tok in seg if isinstance(tok, str)
    )
    return (literal_segments, literal_chars)


def _suffix(segments: list[Segment]) -> str:
    last = segments[-1]
    if last == _DSTAR:
        return ""
    tail: list[str] = []
    for tok in reversed(last):
        if not isinstance(tok, str):
            break
        tail.append(tok)
    return "".join(reversed(tail))


def _anchored_first(text: str, segments: list[Segment]) -> str | None:
    anchored = "/" in text.rstrip("/")
    first = segments[0]
    return _literal(first) if anchored and _is_literal(first) else None


_END = "$"  # where the pattern's own segments end (its match depth)


def path_model(text: str) -> tuple[Segment, ...]:
    """The segments a matching *file path* must follow, with gitignore's implicit parts;
    `_END` marks the path segment the pattern's last written segment matched."""
    segments = _segments(text)
    anchored = "/" in text.rstrip("/")
    model: list[Segment] = [] if anchored else [_DSTAR]
    model.extend(segments)
    if model[-1] == _DSTAR and len(model) > 1:
        model.pop()  # `a/**`: everything inside a, not a itself
        model.extend([_END, (_STAR,), _DSTAR])
    elif text.endswith("/"):
        model.extend([_END, (_STAR,), _DSTAR])  # a directory: some file below it
    else:
        model.extend([_END, _DSTAR])  # the path itself, or anything below it
    return tuple(model)


def can_overlap(a: str, b: str) -> bool:
    """Whether some file path matches both brace-free patterns `a` and `b`."""
    return _paths_meet(_without_end(path_model(a)), _without_end(path_model(b)))


def _without_end(model: tuple[Segment, ...]) -> tuple[Segment, ...]:
    return tuple(seg for seg in model if seg != _END)


def can_tie(a: str, b: str) -> bool:
    """Whether some file path matches both patterns with their last written segments on
    the same path segment (equal match depth, see `specificity`)."""
    return _paths_meet(path_model(a), path_model(b))


def _paths_meet(a: tuple[Segment, ...], b: tuple[Segment, ...]) -> bool:
    @cache
    def meet(i: int, j: int) -> bool:
        if i == len(a) and j == len(b):
            return True
        end_a = i < len(a) and a[i] == _END
        end_b = j < len(b) and b[j] == _END
        if end_a and end_b:
            return meet(i + 1, j + 1)
        if i < len(a) and a[i] == _DSTAR:
            if meet(i + 1, j):
                return True
            return j < len(b) and not end_b and meet(i, j + 1)
        if j < len(b) and b[j] == _DSTAR:
            return meet(i, j + 1) or (i < len(a) and not end_a and meet(i + 1, j))
        if i == len(a) or j == len(b) or end_a or end_b:
            return False
        seg_a, seg_b = a[i], b[j]
        assert not isinstance(seg_a, str) and not isinstance(seg_b, str)
        return _segments_meet(seg_a, seg_b) and meet(i + 1, j + 1)

    return meet(0, 0)


def _segments_meet(a: tuple[Token, ...], b: tuple[Token, ...]) -> bool:
    """Whether one non-empty segment text matches both token lists."""

    @cache
    def meet(i: int, j: int, used: bool) -> bool:
        if i == len(a) and j == len(b):
            return used
        if i < len(a) and a[i] == _STAR:
            if meet(i + 1, j, used):
                return True
            if j < len(b) and b[j] == _STAR:
                # both stars may skip, or take one character together
                return meet(i, j + 1, used) or (not used and meet(i, j, True))
            return j < len(b) and meet(i, j + 1, True)
        if j < len(b) and b[j] == _STAR:
            if meet(i, j + 1, used):
                return True
            return i < len(a) and meet(i + 1, j, True)
        if i == len(a) or j == len(b):
            return False
        return _chars_meet(a[i], b[j]) and meet(i + 1, j + 1, True)

    return meet(0, 0, False)


_PROBE_CHARS = "a0_.-Zé"


def _chars_meet(x: Token, y: Token) -> bool:
    if x == _ANY1:
        x, y = y, x
    if y == _ANY1:  # `?` takes any character but '/'
        return x == _ANY1 or (x != "/" if isinstance(x, str) else _class_meets_any(x))
    if isinstance(x, str) and isinstance(y, str):
        return x == y
    if isinstance(x, str):
        return _char_ok(y, x)
    if isinstance(y, str):
        return _char_ok(x, y)
    probes = set(_PROBE_CHARS) | set(x[1]) | set(y[1])
    return any(_char_ok(x, c) and _char_ok(y, c) for c in probes if c != "/")


def _class_meets_any(token: Token) -> bool:
    probes = set(_PROBE_CHARS) | set(token[1])
    return any(_char_ok(token, c) for c in probes if c != "/")


def _char_ok(token: Token, char: str) -> bool:
    if isinstance(token, str):
        return token == char
    if token == _ANY1:
        return char != "/"
    return re.fullmatch(token[1], char) is not None


__all__ = [
    "Glob",
    "Specificity",
    "can_overlap",
    "can_tie",
    "compile_pattern",
    "compiled_globs",
    "expand_braces",
    "git_regex",
    "gitignore_regex",
    "path_model",
    "remember_globs",
    "remember_translations",
    "translations",
]
