"""Every pattern of a team compiled once, with the index that picks candidates.

A claim is one brace-free pattern of one role's rule (exclusive, forbidden, a forbidden
rule's exception, or shared). Each claim is indexed by one segment it spells out in full
(`data` for `**/data/`) or, failing that, by the extension its last segment ends with (`py`
for `**/*.py`); a claim with neither is a candidate everywhere. A path can only match a
claim found under one of its segments, its extension, or everywhere, so the index never
loses a match. Matching itself is pathspec's gitignore regex for the pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from charter.agents.globs import Glob, compile_pattern, git_regex, gitignore_regex

from .team_rules import CarveOut, RuleLike, TeamLike

Search = Callable[[str], "re.Match[str] | None"]

# pathspec's regex for a floating one-segment pattern: prefix, the segment, then either
# "this segment or anything below" or "anything below" (directory-only).
_FLOAT = "^(?:.+/)?"
FILE_OR_DIR = "(?:(?P<ps_d>/)|$)"
_SUFFIXES = ((FILE_OR_DIR, True), ("(?P<ps_d>/)", False), ("/", False))
_WILD = re.compile(r"[*?]+")


# A plain slotted class, not a dataclass: `dataclasses` imports `inspect` and `ast`, a
# sizeable part of a fresh guard process. Identity equality and hashing, as before.
class Claim:
    __slots__ = (
        "exceptions",
        "floating",
        "glob",
        "ident",
        "kind",
        "last_match",
        "name_match",
        "needle",
        "reaches_files",
        "role",
        "rule_index",
        "search",
        "suffix",
    )

    def __init__(
        self,
        ident: int,
        role: str,
        kind: str,
        rule_index: int,
        glob: Glob,
        search: Search,
        exceptions: tuple[Search, ...] = (),
        name_match: Search | None = None,
        floating: bool = False,
        reaches_files: bool = True,
        last_match: Search | None = None,
        needle: str = "",
        suffix: str = "",
    ) -> None:
        self.ident = ident
        self.role = role
        self.kind = kind  # exclusive | forbidden | exception | shared
        # which PathRule of the role (exceptions point at their forbidden rule)
        self.rule_index = rule_index
        self.glob = glob
        self.search = search
        self.exceptions = exceptions  # forbidden claims: their rule's exceptions
        # One-segment patterns that float (`*.py`, `**/data/`): whether the file *name*
        # matches (None for directory-only ones, which only ever match folders).
        self.name_match = name_match
        self.floating = floating  # a one-segment pattern matching at any depth
        self.reaches_files = reaches_files  # its last segment may be the file name itself
        self.last_match = last_match  # the last segment alone, against a file name
        # A substring every name matching `name_match` (or `last_match`) contains (case
        # folded when the engine folds case): far cheaper than the regex, tried first. ""
        # if unknown.
        self.needle = needle
        # When the last segment is `*` followed by literal text: that text (a name matches
        # iff it ends with it). "" otherwise.
        self.suffix = suffix


class ClaimIndex:
    """The claims of a team, in charter order (role, then exclusive, forbidden, shared,
    exceptions), and the index from segments and extensions to claim numbers."""

    def __init__(self, team: TeamLike, flags: int, *, lazy: bool = False) -> None:
        # lazy: compile each regex when first used. A process judging a handful of paths
        # (the Claude Code guard) then compiles the few it needs instead of every claim's;
        # a long run keeps eager regexes (no indirection on its hot path).
        self.lazy = lazy
        self.flags = flags
        self.case_sensitive = not flags & re.IGNORECASE
        self.claims: list[Claim] = []
        by_segment: dict[str, set[int]] = {}
        by_extension: dict[str, set[int]] = {}
        always: set[int] = set()
        for role, charter in team.roles.items():
            auth = charter.authorities
            groups: list[tuple[str, Iterable[RuleLike], int | None]] = [
                ("exclusive", auth.exclusive, None),
                ("forbidden", auth.forbidden, None),
                ("shared", auth.shared, None),
            ]
            # Exceptions are indexed like claims, so the fast path learns whether one holds
            # from the same folder and name facts (the reference uses `Claim.exceptions`).
            for index, rule in enumerate(auth.forbidden):
                carve_outs = [CarveOut(source) for source in rule.exceptions]
                groups.append(("exception", carve_outs, index))
            for kind, rules, rule_index in groups:
                for claim in self._make_claims(role, kind, rules, rule_index):
                    self.claims.append(claim)
                    self._index(claim, by_segment, by_extension, always)
        self.by_segment = {key: frozenset(ids) for key, ids in by_segment.items()}
        self.by_extension = {key: frozenset(ids) for key, ids in by_extension.items()}
        self.always = frozenset(always)
        self.precedence = {(p.pattern, p.owner) for p in team.precedence}

    def fold(self, text: str) -> str:
        return text if self.case_sensitive else text.lower()

    def _make_claims(
        self, role: str, kind: str, rules: Iterable[RuleLike], rule_index: int | None
    ) -> list[Claim]:
        claims: list[Claim] = []
        for position, rule in enumerate(rules):
            index = position if rule_index is None else rule_index
            exceptions = tuple(
                self._matcher(glob.regex, "search")
                for source in rule.exceptions
                for glob in compile_pattern(source)
            )
            for glob in compile_pattern(rule.pattern):
                floating, name_match = self._segment_form(glob.regex)
                reaches_files = glob.regex.endswith(FILE_OR_DIR)
                last = glob.text.rstrip("/").rsplit("/", 1)[-1]
                last_match = self._last_segment_matcher(last) if reaches_files else None
                hinted = name_match is not None or last_match is not None
                needle, suffix = self._name_hints(last) if hinted else ("", "")
                claims.append(
                    Claim(
                        ident=len(self.claims) + len(claims),
                        role=role,
                        kind=kind,
                        rule_index=index,
                        glob=glob,
                        search=self._matcher(glob.regex, "search"),
                        exceptions=exceptions,
                        name_match=name_match,
                        floating=floating,
                        reaches_files=reaches_files,
                        last_match=last_match,
                        needle=needle,
                        suffix=suffix,
                    )
                )
        return claims

    def _name_hints(self, last: str) -> tuple[str, str]:
        """(needle, suffix) for a last segment; both "" when the segment has character
        classes or escapes (then only the regex can tell)."""
        if "[" in last or "\\" in last or "**" in last:
            return "", ""
        pieces = [piece for piece in _WILD.split(last) if piece]
        needle = self.fold(max(pieces, key=len)) if pieces else ""
        tail = last[1:]
        suffix = self.fold(tail) if last.startswith("*") and tail and not _WILD.search(tail) else ""
        return needle, suffix

    def _last_segment_matcher(self, last: str) -> Search | None:
        """A matcher of the file name against the pattern's last segment (a cheap test
        before the whole-path regex)."""
        try:
            regex, _ = gitignore_regex(last)
        except ValueError:
            return None
        return self._segment_form(regex)[1] if regex else None

    def _segment_form(self, regex: str) -> tuple[bool, Search | None]:
        """For a pattern of one floating segment, a matcher of the file name alone."""
        if not regex.startswith(_FLOAT):
            return False, None
        core = regex[len(_FLOAT) :]
        for suffix, matches_files in _SUFFIXES:
            if core.endswith(suffix) and "/" not in core[: -len(suffix)].replace("[^/]", ""):
                core = core[: -len(suffix)]
                if not matches_files:
                    return True, None
                return True, self._matcher(core, "fullmatch")
        return False, None

    def _matcher(self, regex: str, how: str) -> Search:
        if self.lazy:
            return _LazyMatcher(regex, self.flags, how)
        method: Search = getattr(git_regex(regex, self.flags), how)
        return method

    def _index(
        self,
        claim: Claim,
        by_segment: dict[str, set[int]],
        by_extension: dict[str, set[int]],
        always: set[int],
    ) -> None:
        glob = claim.glob
        if glob.literals:
            key = self.fold(max(glob.literals, key=len))
            by_segment.setdefault(key, set()).add(claim.ident)
        elif "." in glob.suffix:
            key = self.fold(glob.suffix.rpartition(".")[2])
            by_extension.setdefault(key, set()).add(claim.ident)
        else:
            always.add(claim.ident)


class _LazyMatcher:
    """`re.compile(regex, flags).<how>`, compiled on the first call."""

    __slots__ = ("_flags", "_how", "_method", "_regex")

    def __init__(self, regex: str, flags: int, how: str) -> None:
        self._regex, self._flags, self._how = regex, flags, how
        self._method: Search | None = None

    def __call__(self, text: str) -> re.Match[str] | None:
        method = self._method
        if method is None:
            method = self._method = getattr(git_regex(self._regex, self._flags), self._how)
        return method(text)


__all__ = ["FILE_OR_DIR", "Claim", "ClaimIndex", "Search"]
