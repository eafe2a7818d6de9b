"""Reading a scenario file so that every later error can name its line.

PyYAML's composer keeps a start mark on every node; we build plain Python data from the
node tree ourselves and keep, beside it, the line of every key path (`("timeline", 3,
"at")`). A pydantic error's `loc` is such a path, so it maps straight back to a line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from charter.inputs import compose_yaml, read_text
from charter.protocols import ConfigError

Location = tuple[int | str, ...]


@dataclass
class Source:
    """A parsed YAML document and the line (1-based) of each key path in it."""

    path: Path
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)

    def line(self, location: Sequence[int | str]) -> int:
        """The line of `location`, or of its nearest ancestor that has one."""
        loc = tuple(location)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)

    def where(self, location: Sequence[int | str]) -> str:
        return f"{self.path}:{self.line(location)}"

    def error(self, location: Sequence[int | str], message: str) -> ConfigError:
        return ConfigError(f"{self.where(location)}: {message}")


def read_source(path: Path) -> Source:
    """Parse `path`; a missing file or bad YAML is a `ConfigError` with file:line."""
    # Type, size, text and YAML safety (depth, aliases, tags, merge and duplicate keys)
    # are checked by the shared front door before anything is built from the file.
    node = compose_yaml(read_text(path, "scenario file"), path, "scenario file")
    source = Source(path=path, data=None)
    if node is None:
        raise ConfigError(f"{path}:1: empty scenario file; expected a mapping with 'name'")
    source.data = _build(node, (), source.lines)
    return source


def _build(node: yaml.Node, location: Location, lines: dict[Location, int]) -> Any:
    lines.setdefault(location, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if isinstance(key, (list, dict)):
                raise ConfigError(f"line {key_node.start_mark.line + 1}: mapping keys must be text")
            child = (*location, key)
            lines[child] = key_node.start_mark.line + 1
            out[key] = _build(value_node, child, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*location, index), lines) for index, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    # Let the SafeLoader resolve the tag (int, bool, timestamp, ...) of a single scalar.
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def validation_error(source: Source, error: ValidationError, prefix: Location = ()) -> ConfigError:
    """The first pydantic error as one line: `file:line: field: problem`."""
    first = error.errors()[0]
    loc = (*prefix, *(part for part in first["loc"] if not _is_union_tag(part)))
    field_name = ".".join(str(part) for part in loc) or "scenario"
    kind = first["type"]
    if kind == "extra_forbidden":
        message = f"unknown key {loc[-1]!r}"
        parent = ".".join(str(p) for p in loc[:-1]) or "the scenario"
        message += f" in {parent}; check the spelling against docs/scenarios.md"
    elif kind == "missing":
        message = f"{field_name}: required but missing"
    else:
        message = f"{field_name}: {first['msg']}"
        if "input" in first and not isinstance(first["input"], (dict, list)):
            message += f" (got {first['input']!r})"
    return source.error(loc, message)


def _is_union_tag(part: int | str) -> bool:
    # pydantic puts the chosen union member's tag into `loc` ("function-after[...]" etc.)
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "list[str]"})


__all__ = ["Location", "Source", "read_source", "validation_error"]
