"""The API key: loaded from the environment or a private key file, held in a wrapper that
never shows it.

The key must never reach a log, an event, the run database, a checkpoint or the TUI. The
`ApiKey` holder makes that the default: its repr and str are redacted, it refuses to be
pickled (so it cannot slip into a checkpoint), and the only way to read it is the explicit
`reveal()`, called in one place: when the SDK client is built.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

from charter.protocols import ConfigError

ENV_VAR = "ANTHROPIC_API_KEY"
_REDACTED = "[redacted]"


class ApiKey:
    """A secret API key. `label` says where it came from (safe to show); the value is not."""

    __slots__ = ("_label", "_value")

    def __init__(self, value: str, *, label: str) -> None:
        value = value.strip()
        if not value:
            raise ConfigError(f"API key from {label}: empty; expected a non-empty key")
        self._value = value
        self._label = label

    @property
    def label(self) -> str:
        return self._label

    def reveal(self) -> str:
        """The key itself. Only the SDK client builder should call this."""
        return self._value

    def redact(self, text: str) -> str:
        """`text` with every occurrence of the key replaced (for error messages from the wire)."""
        return text.replace(self._value, _REDACTED) if self._value else text

    def __repr__(self) -> str:
        return f"ApiKey({_REDACTED}, label={self._label!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash((ApiKey, self._label))

    def __reduce__(self) -> NoReturn:
        # Pickling is how objects end up in checkpoints and caches; a key must not.
        raise TypeError("ApiKey cannot be pickled or checkpointed")

    def __getstate__(self) -> NoReturn:
        raise TypeError("ApiKey cannot be pickled or checkpointed")


def _check_private(path: Path) -> None:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ConfigError(f"API key file {path}: not found; expected a readable file") from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"API key file {path}: not a regular file")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise ConfigError(
            f"API key file {path}: mode {mode:04o} lets others read it; "
            f"expected 0600 or stricter (chmod 600 {path})"
        )


def load_api_key(
    *, env: Mapping[str, str] | None = None, key_file: Path | str | None = None
) -> ApiKey | None:
    """The key from `key_file` (which must be mode 0600 or stricter) if one is given, else
    from the `ANTHROPIC_API_KEY` environment variable; None when neither holds one."""
    if key_file is not None:
        path = Path(key_file).expanduser()
        _check_private(path)
        return ApiKey(path.read_text(encoding="utf-8"), label=f"file:{path}")
    environment = os.environ if env is None else env
    value = environment.get(ENV_VAR, "")
    if not value.strip():
        return None
    return ApiKey(value, label=f"env:{ENV_VAR}")


__all__ = ["ENV_VAR", "ApiKey", "load_api_key"]
