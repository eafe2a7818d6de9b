"""Reading role markdown: sections by heading (whatever names and emoji they carry), list
items, and the path patterns a list item spells in backticks.

The seed's home project has written its role files in several layouts over time: the
seed's ("Exclusive Writing Permissions", "Alert PM Immediately"), one with emoji headings
and other names ("✅ EXCLUSIVE Permissions", "❌ FORBIDDEN Writing", "Immediate PM Alert
Required"), and a short one ("✅ Exclusive Write Access", "❌ Forbidden Operations", a single
"🚨 Unique Escalation Triggers" list, numbered "Key Performance Indicators"). Each kind of
section has a list of heading names (`HEADINGS`); the first section in the file carrying
one of them is the one read, so a file that repeats a section further down (the seed
appends an "Operational Prompt" with a second, prose-only authority list) reads as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Kind of section -> heading names (compared after `clean_title`).
HEADINGS: dict[str, tuple[str, ...]] = {
    "exclusive": (
        "exclusive writing permissions",
        "exclusive write access",
        "exclusive writing access",
        "exclusive write permissions",
        "exclusive permissions",
        "exclusive writing authorities",
        "exclusive writing authority",
        "exclusive writes",
        "exclusive access",
    ),
    "forbidden": (
        "forbidden writing areas",
        "forbidden writing",
        "forbidden writes",
        "forbidden write access",
        "forbidden operations",
        "forbidden areas",
        "forbidden paths",
    ),
    # Headings over the two lists above; items written directly under them (no
    # sub-heading) are exclusive claims. "<Something> Authority" headings count too.
    "authority": (
        "writing authorities",
        "writing authority",
        "writing permissions",
        "authority & permissions",
        "authority and permissions",
        "authority scope",
        "authorities",
    ),
    "immediate": (
        "alert pm immediately",
        "immediate pm alert required",
        "immediate pm alert",
        "immediate escalation",
        "immediate escalation triggers",
    ),
    "standard": ("standard escalation", "standard escalation triggers"),
    # One list with no severity; only items directly under the heading (the seed's
    # "Escalation Triggers" holds the two lists above as sub-sections, no items of its own).
    "unclassified": (
        "unique escalation triggers",
        "escalation triggers",
        "escalation criteria",
        "escalation",
    ),
    "automatic": ("automatic activation", "automatic activation triggers"),
    "manual": ("manual activation", "manual activation triggers"),
    "coordination": ("coordination protocols",),
    "memory": ("memory integration",),
    "metrics": ("success metrics", "key performance indicators", "kpis"),
}

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_NAMED = re.compile(r"^\*\*(.+?)\*\*\s*:?\s*(.*)$")
_TICKS = re.compile(r"`([^`\n]+)`")
# A bullet that is nothing but patterns, then an optional description:
# "`a/` - what", "`a/`, `b/` — what", "`a/` and `b/`: what".
_PATTERN_LIST = re.compile(
    r"^`[^`]+`(?:\s*(?:,|/|&|\band\b|\bor\b)?\s*`[^`]+`)*\s*(?:[-–—:]\s*(?P<note>.*))?$"
)
# Backticked text that is code or a command, not a path pattern.
_NOT_A_PATH = re.compile(r"""[\s()=<>|;'"$]""")


@dataclass
class Section:
    level: int
    title: str
    lines: list[str]


def clean_title(title: str) -> str:
    # Headings in role files carry emoji (sometimes mis-decoded); compare the words only.
    words = re.sub(r"[^A-Za-z0-9 &/()-]+", " ", title)
    return " ".join(words.split()).casefold()


def sections(text: str) -> list[Section]:
    found: list[Section] = []
    in_code = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code  # a `# comment` in a code block is no heading
        heading = None if in_code else _HEADING.match(line)
        if heading:
            found.append(Section(len(heading.group(1)), heading.group(2), []))
        elif found:
            found[-1].lines.append(line)
    return found


def find(all_sections: list[Section], kind: str) -> tuple[int, Section] | None:
    """The first section whose heading is one of `kind`'s names."""
    names = HEADINGS[kind]
    for index, section in enumerate(all_sections):
        if clean_title(section.title) in names:
            return index, section
    return None


def body(all_sections: list[Section], kind: str) -> list[str] | None:
    """Lines of the first `kind` section including its sub-sections, or None if absent."""
    found = find(all_sections, kind)
    if found is None:
        return None
    index, section = found
    lines = list(section.lines)
    for sub in all_sections[index + 1 :]:
        if sub.level <= section.level:
            break
        lines.append("#" * sub.level + " " + sub.title)
        lines.extend(sub.lines)
    return lines


def direct_items(all_sections: list[Section], kind: str) -> list[tuple[str, list[str]]]:
    """(heading, items) of every `kind` section that has items of its own (not in a
    sub-section). `authority` also takes headings ending in "authority"."""
    result = []
    for section in all_sections:
        title = clean_title(section.title)
        suffixed = (
            kind == "authority"
            and title.endswith(" authority")
            and title not in HEADINGS["exclusive"] + HEADINGS["forbidden"]  # read as such
        )
        if title in HEADINGS[kind] or suffixed:
            own = items(section.lines)
            if own:
                result.append((section.title, own))
    return result


def items(lines: list[str]) -> list[str]:
    """List items ("- x", "* x", "1. x"), outside code blocks."""
    found, in_code = [], False
    for line in lines:
        if line.lstrip().startswith("```"):
            in_code = not in_code
        elif not in_code and (match := _ITEM.match(line)):
            found.append(match.group(1).strip())
    return found


def named(item: str) -> tuple[str, str]:
    """("Name", "rest") of "**Name**: rest", else (item, "")."""
    match = _NAMED.match(item)
    return (match.group(1).strip(), match.group(2).strip()) if match else (item, "")


def field(text: str, *labels: str) -> str | None:
    for label in labels:
        match = re.search(rf"\*\*{re.escape(label)}\*\*\s*:\s*(.+)", text)
        if match:
            return match.group(1).strip()
    return None


@dataclass(frozen=True)
class PathItem:
    """What one authority list item says: its patterns, the note each rule gets, whether
    the patterns came out of prose, and backticked text that is not a pattern."""

    text: str
    patterns: list[str]
    note: str
    from_prose: bool
    skipped: list[str]


def path_item(item: str) -> PathItem:
    """Read an authority list item. Only backticked text becomes a pattern; nothing is
    guessed from prose. A leading `./` is dropped (`./src/` is `src/`); a leading `/`
    stays (gitignore: anchored at the workspace root, which is what a role file's
    `/configs/` means)."""
    name, rest = named(item)
    described = rest if rest else name  # "**Name**: `a/`" -> look at "`a/`"
    spans = _TICKS.findall(item)
    patterns = [_tidy(span) for span in spans if not _NOT_A_PATH.search(span.strip())]
    skipped = [span for span in spans if _NOT_A_PATH.search(span.strip())]
    listed = _PATTERN_LIST.match(described)
    if listed and not skipped:
        note = (listed.group("note") or "").strip()
        if rest:  # a named item: the name says what the patterns are for
            note = f"{name}: {note}" if note else name
        return PathItem(item, patterns, note, False, [])
    return PathItem(item, patterns, item, bool(patterns), skipped)


def _tidy(span: str) -> str:
    pattern = span.strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern


__all__ = [
    "HEADINGS",
    "PathItem",
    "Section",
    "body",
    "clean_title",
    "direct_items",
    "field",
    "find",
    "items",
    "named",
    "path_item",
    "sections",
]
