"""The one front door for files Charter did not write itself: size, type, text and YAML
safety are checked here, before any part of Charter builds anything from the content."""

from .untrusted import LIMITS, Limits, compose_yaml, read_text, safe_json, safe_yaml

__all__ = ["LIMITS", "Limits", "compose_yaml", "read_text", "safe_json", "safe_yaml"]
