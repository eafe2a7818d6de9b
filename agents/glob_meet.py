"""A concrete file path that several patterns all match, found statically.

`globs.can_overlap` answers "can two patterns match one path?". Checking whether a
forbidden rule's exception can ever be used needs three at once (the forbidden pattern, the
exception, one of the role's own claims), and pairwise overlaps do not imply a common path.
`common_path(*patterns)` searches the product of the patterns' segment models breadth
first and returns the first path found (short, built from the patterns' own literals), or
None when no path matches them all. The path is a witness a test can hand to the authority
engine.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from functools import cache
from itertools import product

from .globs import _ANY1, _DSTAR, _STAR, Segment, Token, _char_ok, path_model

_END = "$"
# Characters tried where a pattern leaves the choice open, most readable first.
_FILL = "xa0_-.Zé"
_MAX_STATES = 20_000  # a guard against pathological patterns; real ones need a few hundred


@cache
def common_path(*patterns: str) -> str | None:
    """A file path every brace-free pattern in `patterns` matches (gitignore semantics, as
    `path_model` describes them), or None if there is none."""
    models = [tuple(seg for seg in path_model(text) if seg != _END) for text in patterns]
    return _meet_paths(models)


def _closure(model: Sequence[Segment], position: int) -> list[int]:
    """Positions reachable without consuming a segment (a `**` may match none)."""
    reach = [position]
    while position < len(model) and model[position] == _DSTAR:
        position += 1
        reach.append(position)
    return reach


def _meet_paths(models: list[tuple[Segment, ...]]) -> str | None:
    start = tuple(0 for _ in models)
    queue: deque[tuple[tuple[int, ...], tuple[str, ...]]] = deque([(start, ())])
    seen = {start}
    while queue and len(seen) < _MAX_STATES:
        state, path = queue.popleft()
        closures = [_closure(model, pos) for model, pos in zip(models, state, strict=True)]
        if path and all(len(model) in reach for model, reach in zip(models, closures, strict=True)):
            return "/".join(path)
        # Each model consumes the next path segment from one of its reachable positions:
        # a `**` stays put (any segment), a written segment constrains it and moves on.
        moves: list[list[tuple[int, tuple[Token, ...] | None]]] = []
        for model, reach in zip(models, closures, strict=True):
            options: list[tuple[int, tuple[Token, ...] | None]] = []
            for pos in reach:
                if pos == len(model):
                    continue
                segment = model[pos]
                if segment == _DSTAR:
                    options.append((pos, None))
                else:
                    assert not isinstance(segment, str)
                    options.append((pos + 1, segment))
            moves.append(options)
        for choice in product(*moves):
            target = tuple(pos for pos, _ in choice)
            if target in seen:
                continue
            constraints = [seg for _, seg in choice if seg is not None]
            name = _meet_segments(tuple(constraints)) if constraints else _FILL[0]
            if name is None:
                continue
            seen.add(target)
            queue.append((target, (*path, name)))
    return None


def _alphabet(constraints: tuple[tuple[Token, ...], ...]) -> list[str]:
    chars = dict.fromkeys(_FILL)
    for tokens in constraints:
        for token in tokens:
            if isinstance(token, str) and len(token) == 1:
                chars[token] = None
            elif isinstance(token, tuple) and token not in (_STAR, _ANY1):
                chars.update(dict.fromkeys(token[1].strip("[]^")))
    return [char for char in chars if char != "/"]


def _step(tokens: tuple[Token, ...], position: int, char: str) -> list[int]:
    """Positions after `tokens` at `position` (with `*` skipped as needed) consume `char`."""
    targets = []
    while position < len(tokens):
        token = tokens[position]
        if token == _STAR:
            targets.append(position)  # the star takes the character and stays
            position += 1  # or matches nothing
            continue
        if _char_ok(token, char):
            targets.append(position + 1)
        break
    return targets


def _done(tokens: tuple[Token, ...], position: int) -> bool:
    return all(token == _STAR for token in tokens[position:])


@cache  # the same few segment pairings recur across a charter's rules and claims
def _meet_segments(constraints: tuple[tuple[Token, ...], ...]) -> str | None:
    """A non-empty segment name (not `.` or `..`) every token list matches."""
    alphabet = _alphabet(constraints)
    start = tuple(0 for _ in constraints)
    queue: deque[tuple[tuple[int, ...], str]] = deque([(start, "")])
    seen = {start}
    while queue and len(seen) < _MAX_STATES:
        state, text = queue.popleft()
        for char in alphabet:
            steps = [_step(t, p, char) for t, p in zip(constraints, state, strict=True)]
            for target in product(*steps):
                name = text + char
                if name not in (".", "..") and all(
                    _done(t, p) for t, p in zip(constraints, target, strict=True)
                ):
                    return name
                if target not in seen:
                    seen.add(target)
                    queue.append((target, name))
    return None


__all__ = ["common_path"]
