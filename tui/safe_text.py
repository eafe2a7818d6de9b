"""Run text made safe to show: every string a run contains (summaries, paths, payloads,
notes, file names) is shown as plain text, never parsed as Rich markup, and with control
characters replaced by visible stand-ins, so a hostile summary can neither crash a view,
vanish from it, nor send escape sequences to the terminal."""

from __future__ import annotations

from rich.text import Text

_MAX_CHARS = 4000  # beyond this a single cell or line is cut (and says so)


def _picture(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures": ␀ ␁ … ␛ …
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\x{code:02x}"  # C1 controls have no picture of their own


_TABLE = {c: _picture(chr(c)) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}
_TABLE_MULTILINE = {c: v for c, v in _TABLE.items() if c != 0x0A}


def printable(value: object, *, multiline: bool = False, limit: int = _MAX_CHARS) -> str:
    """`value` as a string with every control character made visible (newlines kept when
    `multiline`), cut to `limit` characters."""
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + f"… ({len(text) - limit} more characters)"
    return text.translate(_TABLE_MULTILINE if multiline else _TABLE)


def plain(value: object, *, style: str = "", multiline: bool = False) -> Text:
    """A Rich `Text` of run text: no markup is interpreted, controls are visible."""
    return Text(printable(value, multiline=multiline), style=style)


def plain_lines(lines: list[str], *, style: str = "") -> Text:
    """Lines of run text, one screen line each: a newline inside one of them is shown as
    a stand-in, so no field can forge a line of its own."""
    return Text("\n".join(printable(line) for line in lines), style=style)


__all__ = ["plain", "plain_lines", "printable"]
