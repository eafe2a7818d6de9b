"""The error taxonomy shared by every part of Charter.

The CLI turns a `CharterError` into one line on stderr and exit code 2 (bad input) — a
user mistake never shows a traceback.
"""

from __future__ import annotations


class CharterError(Exception):
    """Base of every error Charter raises on purpose."""


class ConfigError(CharterError):
    """Bad input: a role file, scenario, suite, path or argument.

    The message says what is wrong, where, and what was expected, e.g.
    ``"team.yaml line 12: cron '61 * * * *': minute must be 0-59"``.
    """


class DecisionRefused(ConfigError):
    """A PM decision that cannot be applied: an unknown, already decided or not yet
    decidable escalation, or a malformed verdict. The message lists what is open."""


class AuthorityDenied(CharterError):
    """A write outside the role's writing authorities."""


class ProtocolError(CharterError):
    """A message that breaks the coordination protocols (unknown role, undeclared protocol,
    wrong payload, delegation to the PM or to oneself)."""


class BudgetExceeded(CharterError):
    """A loop, token or cost budget ran out."""


__all__ = [
    "AuthorityDenied",
    "BudgetExceeded",
    "CharterError",
    "ConfigError",
    "DecisionRefused",
    "ProtocolError",
]
