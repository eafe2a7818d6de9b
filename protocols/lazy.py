"""PEP 562 lazy exports, shared by the packages whose names load on first use
(`charter.protocols`, `charter.agents`, `charter.graph`): a start-up that needs one name
(the Claude Code guard, `charter --help`) does not import every module of the package."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(
    package: str, table: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module's `__getattr__` and `__dir__` for `table` (public name -> module relative
    to `package`); a name once loaded is kept in `namespace` so later lookups skip this."""

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted([*namespace, *table])

    return __getattr__, __dir__


__all__ = ["lazy_exports"]
