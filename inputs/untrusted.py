"""Reading an untrusted file: a role file, charter, scenario, suite, pipeline, cassette,
key file or `run.json` someone else may have written.

Every failure is a `ConfigError` of one line, `file:line: what, expected what`, and
nothing is created. The checks, and why each exists:
- type: only a regular file is opened; a FIFO would block forever and `/dev/zero` would
  fill memory, so both are refused from `stat` before `open`.
- size: a byte budget (default 4 MB) read through a bounded `read`, so a file that grows
  after `stat` still cannot exceed it.
- text: UTF-8 without NUL characters (binary files given by mistake).
- YAML: checked on the event stream first (PyYAML's parser is iterative, its composer
  and constructor are recursive), so a deep nesting is refused before it can raise
  `RecursionError`; tags other than YAML's own core types are refused; an alias budget
  bounds how many nodes a document may expand to (an alias bomb is a few lines long and
  expands to gigabytes); merge keys (`<<`) and duplicate keys are refused, because both
  silently change what a reader of the file thinks it says.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from charter.protocols import ConfigError

# Tags the safe loader resolves on its own for plain scalars and collections. An explicit
# tag in the file (`!!python/object`, `!custom`) is refused even where PyYAML would
# accept it, so the data a file means never depends on a tag most readers miss.
_CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)


@dataclass(frozen=True)
class Limits:
    """Budgets for one untrusted file; the defaults fit every file the product ships with
    a wide margin (the largest shipped scenario is under 20 KB)."""

    max_bytes: int = 4 * 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 200_000  # after alias expansion
    max_aliases: int = 100


LIMITS = Limits()


def read_text(path: Path, what: str, limits: Limits = LIMITS) -> str:
    """The text of `path` (a `what`, e.g. "scenario file"), after the type, size and text
    checks; any problem is a one-line `ConfigError`."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such {what}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read {what} ({error.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise ConfigError(f"{path}: {kind}; expected a {what} (a regular text file)")
    if info.st_size > limits.max_bytes:
        raise ConfigError(
            f"{path}: {_size(info.st_size)}; expected a {what} of at most {_size(limits.max_bytes)}"
        )
    try:
        # O_NONBLOCK: if the path was swapped for a FIFO after stat, open must not hang.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(handle, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise ConfigError(f"{path}: not a regular file; expected a {what}")
            raw = stream.read(limits.max_bytes + 1)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read {what} ({error.strerror})") from None
    if len(raw) > limits.max_bytes:
        raise ConfigError(
            f"{path}: larger than {_size(limits.max_bytes)}; expected a smaller {what}"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ConfigError(
            f"{path}:{line}: not UTF-8 text (byte {error.start}); expected a {what} in UTF-8"
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ConfigError(
            f"{path}:{line}: NUL character (binary data?); expected a {what} as plain text"
        )
    return text


def compose_yaml(text: str, path: Path, what: str, limits: Limits = LIMITS) -> yaml.Node | None:
    """The node tree of one YAML document, after the safety checks; `None` if empty.
    Line numbers stay on the nodes (`start_mark`) for later error messages."""
    _check_events(text, path, what, limits)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:  # pragma: no cover - the event pass saw it first
        raise _yaml_error(error, path, what) from None
    if node is not None:
        _check_tree(node, path, limits)
    return node


def safe_yaml(path: Path, what: str, limits: Limits = LIMITS) -> Any:
    """Read and parse `path` as YAML with every check above; plain Python data out."""
    text = read_text(path, what, limits)
    node = compose_yaml(text, path, what, limits)
    if node is None:
        return None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        raise _yaml_error(error, path, what) from None
    finally:
        loader.dispose()


def safe_json(path: Path, what: str, limits: Limits = LIMITS) -> Any:
    """Read and parse `path` as JSON with the same file checks, duplicate keys refused
    (the last one would silently win) and nesting bounded (the parser is recursive)."""
    text = read_text(path, what, limits)
    try:
        data = json.loads(text, object_pairs_hook=_unique_pairs(path, what))
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"{path}:{error.lineno}: not valid JSON ({error.msg}); expected a {what}"
        ) from None
    except RecursionError:
        raise ConfigError(
            f"{path}: nested too deeply; expected a {what} at most {limits.max_depth} levels deep"
        ) from None
    _check_json_depth(data, path, what, limits)
    return data


def _unique_pairs(path: Path, what: str) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise ConfigError(
                    f"{path}: key {key!r} appears twice in one object; expected unique keys "
                    f"in a {what}"
                )
            result[key] = value
        return result

    return hook


def _check_json_depth(data: Any, path: Path, what: str, limits: Limits) -> None:
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:  # iterative: the check must not recurse on what it checks
        value, depth = pending.pop()
        if depth > limits.max_depth:
            raise ConfigError(
                f"{path}: nested {depth} levels deep; expected a {what} at most "
                f"{limits.max_depth} levels deep"
            )
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)


def _check_events(text: str, path: Path, what: str, limits: Limits) -> None:
    depth = aliases = documents = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            line = event.start_mark.line + 1 if event.start_mark is not None else 1
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise ConfigError(
                        f"{path}:{line}: a second YAML document; expected one document per {what}"
                    )
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > limits.max_depth:
                    raise ConfigError(
                        f"{path}:{line}: nested deeper than "
                        f"{limits.max_depth} levels; expected a flatter {what}"
                    )
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > limits.max_aliases:
                    raise ConfigError(
                        f"{path}:{line}: more than {limits.max_aliases} YAML "
                        "aliases; expected a file without alias chains"
                    )
            tag = getattr(event, "tag", None)
            if tag is not None and tag not in _CORE_TAGS and tag != "!":
                raise ConfigError(
                    f"{path}:{line}: YAML tag {tag!r} is not supported; expected plain values"
                )
    except yaml.MarkedYAMLError as error:
        raise _yaml_error(error, path, what) from None
    except yaml.YAMLError as error:
        # The reader's own error (a control character) has a position, not a mark.
        position = getattr(error, "position", 0)
        line = text.count("\n", 0, position) + 1
        reason = getattr(error, "reason", "unreadable")
        raise ConfigError(
            f"{path}:{line}: invalid YAML: {reason}; expected a valid {what}"
        ) from None


def _check_tree(root: yaml.Node, path: Path, limits: Limits) -> None:
    # Walk with an explicit stack, counting every node as often as aliases make it
    # reachable: that count is what constructing the data would cost.
    seen = 0
    stack: list[yaml.Node] = [root]
    checked: set[int] = set()  # mappings already checked for duplicate / merge keys
    while stack:
        node = stack.pop()
        seen += 1
        if seen > limits.max_nodes:
            line = node.start_mark.line + 1
            raise ConfigError(
                f"{path}:{line}: expands to more than {limits.max_nodes} "
                "values (YAML aliases); expected a smaller document"
            )
        if isinstance(node, yaml.MappingNode):
            if id(node) not in checked:
                checked.add(id(node))
                _check_keys(node, path)
            for key_node, value_node in node.value:
                stack.extend((key_node, value_node))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _check_keys(node: yaml.MappingNode, path: Path) -> None:
    first_line: dict[str, int] = {}
    for key_node, _ in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise ConfigError(
                f"{path}:{line}: a mapping key must be plain text; expected `name: value`"
            )
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise ConfigError(
                f"{path}:{line}: YAML merge key '<<' is not supported; "
                "expected the keys written out"
            )
        key = key_node.value
        if key in first_line:
            raise ConfigError(
                f"{path}:{line}: duplicate key {key!r} (first on line "
                f"{first_line[key]}); expected each key once"
            )
        first_line[key] = line


def _yaml_error(error: yaml.MarkedYAMLError, path: Path, what: str) -> ConfigError:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 1
    return ConfigError(f"{path}:{line}: invalid YAML: {error.problem}; expected a valid {what}")


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):.1f} MB" if count >= 1024 * 1024 else f"{count} bytes"


__all__ = ["LIMITS", "Limits", "compose_yaml", "read_text", "safe_yaml"]
