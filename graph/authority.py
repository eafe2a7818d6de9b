"""The authority gate: may `role` write `path`? (DESIGN.md "Authority gate").

Decision order, for a normalised path:
1. the role's forbidden patterns deny, unless one of that rule's exceptions matches too;
2. otherwise the most specific exclusive claim among *all* roles decides the owner
   (specificity = (literal segments, depth, literal characters), see
   `charter.agents.globs`); a claim reaching into its own role's forbidden area does not
   count. Equally specific claims from several roles are settled by a team precedence
   entry naming one of the tied patterns, or else denied to everyone as a conflict;
3. a path nobody claims is allowed only through one of the role's shared patterns.

Speed: each brace-free pattern is indexed by one segment it spells out in full (`data` for
`**/data/`) or by the extension its last segment ends with (`py` for `**/*.py`); patterns
with neither are always candidates. A folder's candidates are tested once against
`folder/` (what matches every file in it); a file name's one-segment candidates are tested
against the name alone; only patterns depending on folder *and* name see the whole path.
Folders and names with equal facts share one object, and what matches a (folder, name)
pair is arranged once for every role. Matching itself is pathspec's gitignore regex for
each pattern, so results agree with pathspec (and git, see the property test), and
`reference_verdict` (every pattern, no index) is what the fast path must always equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

from charter.agents.globs import Glob, compile_pattern
from charter.protocols import AuthorityDecision, AuthorityRule, ConfigError, PathRule, Team

from .paths import PathRefused, WorkspaceLinks, clean_path

_Search = Callable[[str], "re.Match[str] | None"]
_CACHE_LIMIT = 1_000_000  # entries per cache before it is cleared (bounded memory)


class Verdict(NamedTuple):
    """A decision in its cheap form (what `allowed()`, the matrix and the benchmark use);
    `decide()` turns it into an `AuthorityDecision`."""

    allowed: bool
    rule: AuthorityRule
    role: str
    path: str | None  # normalised; None when the path was refused
    pattern: str | None = None
    owner: str | None = None
    detail: str = ""  # the refusal reason, or the tied claims of a conflict

    @property
    def reason(self) -> str:
        role, path, pattern, owner = self.role, self.path, self.pattern, self.owner
        match self.rule:
            case "invalid_path":
                return self.detail
            case "forbidden":
                return f"{path} is in {role}'s forbidden area {pattern!r}"
            case "exclusive_owner":
                return f"{role} owns {path} through {pattern!r}"
            case "owned_by_other":
                return f"{path} belongs to {owner} through {pattern!r}"
            case "precedence":
                verb = "may write" if owner == role else "may not write"
                return (
                    f"{role} {verb} {path}: precedence gives {pattern!r} to {owner} ({self.detail})"
                )
            case "conflict":
                return (
                    f"{path} is claimed equally specifically by {self.detail} and no "
                    "precedence entry settles it; add one to the team"
                )
            case "shared":
                return f"nobody owns {path}; {role} shares it through {pattern!r}"
            case "unowned":
                return f"nobody owns {path} and {role} has no shared pattern for it"


@dataclass(frozen=True, slots=True, eq=False)  # identity hashing: claims are unique objects
class _Claim:
    ident: int
    role: str
    kind: str  # exclusive | forbidden | exception | shared
    rule_index: int  # which PathRule of the role (exceptions point at their forbidden rule)
    glob: Glob
    search: _Search
    exceptions: tuple[_Search, ...] = ()  # forbidden claims: their rule's exceptions
    # One-segment patterns that float (`*.py`, `**/data/`): whether the file *name* matches
    # (None for directory-only ones, which only ever match folders).
    name_match: _Search | None = None
    floating: bool = False  # a one-segment pattern matching at any depth
    reaches_files: bool = True  # its last segment may be the file name itself
    last_match: _Search | None = None  # the last segment alone, against a file name


@dataclass(frozen=True, slots=True)
class _Plan:
    """The claims one union of index hits selects, arranged for evaluation."""

    exclusive: tuple[tuple[_Claim, ...], ...]  # grouped by literal segments, most first
    forbidden: dict[str, tuple[_Claim, ...]]
    shared: dict[str, tuple[_Claim, ...]]


@dataclass(frozen=True, slots=True, eq=False)  # identity hashing: cache keys
class _Folder:
    matched: tuple[tuple[tuple[int, int, int], _Claim], ...]  # match every file here
    pending: tuple[_Claim, ...]  # may match through the file name: test each path


@dataclass(frozen=True, slots=True, eq=False)  # interned: identity hashing
class _File:
    matched: tuple[_Claim, ...]  # floating one-segment patterns the name matches
    general: tuple[_Claim, ...]  # other patterns indexed under the name: test each path


def _rank(claim: _Claim, path: str, end: int) -> tuple[int, int, int]:
    """(literal segments, depth of the match, literal characters): higher is more specific."""
    if path[end - 1] == "/":
        end -= 1
    literal_segments, literal_chars = claim.glob.specificity
    return (literal_segments, path.count("/", 0, end), literal_chars)


def _order(item: tuple[tuple[int, int, int], _Claim]) -> tuple[tuple[int, int, int], int]:
    return (item[0], -item[1].ident)  # by rank, then charter order


@dataclass(frozen=True, slots=True)
class _Matches:
    """Everything that matches one path (or every path alike), arranged per role."""

    forbidden: dict[str, _Claim]  # role -> its first forbidden rule that holds
    # Who owns it, the same for every role not forbidden there: a role's own claims never
    # reach into its own forbidden area, so only other roles' void claims are skipped.
    # (rule, pattern, owner, detail) with rule "single", "precedence" or "conflict".
    owner: tuple[str, str | None, str | None, str] | None
    shared: dict[str, _Claim]  # role -> its first shared pattern that matches


def _first_forbidden(
    matched: list[tuple[tuple[int, int, int], _Claim]], role: str
) -> _Claim | None:
    """The role's first forbidden rule that matches and none of whose exceptions do."""
    excepted = {c.rule_index for _, c in matched if c.kind == "exception" and c.role == role}
    found: _Claim | None = None
    for _, claim in matched:
        if (
            claim.kind == "forbidden"
            and claim.role == role
            and claim.rule_index not in excepted
            and (found is None or claim.ident < found.ident)
        ):
            found = claim
    return found


_AT_FILE = 1_000  # the depth rank of a match through the file name: deeper than any folder
_NO_CLAIMS: tuple[_Claim, ...] = ()
# pathspec's regex for a floating one-segment pattern: prefix, the segment, then either
# "this segment or anything below" or "anything below" (directory-only).
_FLOAT = "^(?:.+/)?"
_FILE_OR_DIR = "(?:(?P<ps_d>/)|$)"
_SUFFIXES = ((_FILE_OR_DIR, True), ("(?P<ps_d>/)", False), ("/", False))
_NO_HITS: frozenset[int] = frozenset()


class AuthorityEngine:
    """Decides writes for every role of `team` inside the workspace `root`."""

    def __init__(self, team: Team, root: Path, *, case_sensitive: bool = True) -> None:
        self.team = team
        self.case_sensitive = case_sensitive
        self._links = WorkspaceLinks(root)
        self._flags = 0 if case_sensitive else re.IGNORECASE
        self._claims: list[_Claim] = []
        by_segment: dict[str, set[int]] = {}
        by_extension: dict[str, set[int]] = {}
        always: set[int] = set()
        for role, charter in team.roles.items():
            auth = charter.authorities
            for kind, rules in (
                ("exclusive", auth.exclusive),
                ("forbidden", auth.forbidden),
                ("shared", auth.shared),
            ):
                for claim in self._make_claims(role, kind, rules):
                    self._claims.append(claim)
                    self._index(claim, by_segment, by_extension, always)
            # Exceptions are indexed like claims, so the fast path learns whether one holds
            # from the same folder and name facts (the reference uses `_Claim.exceptions`).
            for index, rule in enumerate(auth.forbidden):
                carve_outs = [PathRule(pattern=source) for source in rule.exceptions]
                for claim in self._make_claims(role, "exception", carve_outs, index):
                    self._claims.append(claim)
                    self._index(claim, by_segment, by_extension, always)
        self._by_segment = {key: frozenset(ids) for key, ids in by_segment.items()}
        self._by_extension = {key: frozenset(ids) for key, ids in by_extension.items()}
        self._always = frozenset(always)
        self._precedence = {(p.pattern, p.owner) for p in team.precedence}
        # caches: segment -> its index hits; directory -> union of its segments' hits;
        # folder -> (link status, facts); name -> facts; (folder, name facts) -> matches;
        # (role, path) -> verdict
        self._segment_hits: dict[str, frozenset[int]] = {}
        self._dir_hits: dict[str, frozenset[int]] = {"": self._always}
        self._verdicts: dict[tuple[str, str], Verdict] = {}
        self._folders: dict[str, tuple[bool | str, _Folder]] = {}
        self._folder_facts: dict[tuple[Any, Any], _Folder] = {}
        self._roles = frozenset(team.roles)
        self._files: dict[str, _File] = {}
        self._file_facts: dict[tuple[tuple[_Claim, ...], tuple[_Claim, ...]], _File] = {}
        self._pairs: dict[tuple[_Folder, _File], _Matches] = {}
        self._name_plans: dict[
            frozenset[int], tuple[tuple[_Search, ...], tuple[_Claim, ...], tuple[_Claim, ...]]
        ] = {}
        self._everything = self._plan(frozenset(range(len(self._claims))))

    # ---- building ------------------------------------------------------------------

    def _make_claims(
        self, role: str, kind: str, rules: Iterable[PathRule], rule_index: int | None = None
    ) -> list[_Claim]:
        claims: list[_Claim] = []
        for position, rule in enumerate(rules):
            index = position if rule_index is None else rule_index
            exceptions = tuple(
                re.compile(glob.regex, self._flags).search
                for source in rule.exceptions
                for glob in compile_pattern(source)
            )
            for glob in compile_pattern(rule.pattern):
                search = re.compile(glob.regex, self._flags).search
                ident = len(self._claims) + len(claims)
                floating, name_match = self._segment_form(glob.regex)
                reaches_files = glob.regex.endswith(_FILE_OR_DIR)
                last_match = self._last_segment_matcher(glob.text) if reaches_files else None
                claims.append(
                    _Claim(
                        ident,
                        role,
                        kind,
                        index,
                        glob,
                        search,
                        exceptions,
                        name_match,
                        floating,
                        reaches_files,
                        last_match,
                    )
                )
        return claims

    def _last_segment_matcher(self, text: str) -> _Search | None:
        """A matcher of the file name against the pattern's last segment (a cheap test
        before the whole-path regex)."""
        last = text.rstrip("/").rsplit("/", 1)[-1]
        try:
            regex, _ = GitIgnoreSpecPattern.pattern_to_regex(last)
        except ValueError:
            return None
        return self._segment_form(regex)[1] if regex else None

    def _segment_form(self, regex: str) -> tuple[bool, _Search | None]:
        """For a pattern of one floating segment, a matcher of the file name alone."""
        if not regex.startswith(_FLOAT):
            return False, None
        core = regex[len(_FLOAT) :]
        for suffix, matches_files in _SUFFIXES:
            if core.endswith(suffix) and "/" not in core[: -len(suffix)].replace("[^/]", ""):
                core = core[: -len(suffix)]
                if not matches_files:
                    return True, None
                return True, re.compile(core, self._flags).fullmatch
        return False, None

    def _index(
        self,
        claim: _Claim,
        by_segment: dict[str, set[int]],
        by_extension: dict[str, set[int]],
        always: set[int],
    ) -> None:
        glob = claim.glob
        if glob.literals:
            key = self._fold(max(glob.literals, key=len))
            by_segment.setdefault(key, set()).add(claim.ident)
        elif "." in glob.suffix:
            key = self._fold(glob.suffix.rpartition(".")[2])
            by_extension.setdefault(key, set()).add(claim.ident)
        else:
            always.add(claim.ident)

    def _fold(self, text: str) -> str:
        return text if self.case_sensitive else text.lower()

    # ---- public --------------------------------------------------------------------

    def decide(self, role: str, path: str) -> AuthorityDecision:
        """The full decision record for `role` writing `path`. A bad path never raises: it
        is a denial with rule `invalid_path`. An unknown role raises ConfigError."""
        verdict = self.verdict(role, path)
        return AuthorityDecision(
            role=role,
            requested_path=path,
            path=verdict.path,
            allowed=verdict.allowed,
            rule=verdict.rule,
            pattern=verdict.pattern,
            owner=verdict.owner,
            reason=verdict.reason,
            steps=self._steps(role, path),
        )

    def allowed(self, role: str, path: str) -> bool:
        return self.verdict(role, path).allowed

    def verdict(self, role: str, path: str) -> Verdict:
        """The decision as a small tuple; cached per (role, path). This is the hot path:
        everything it needs is a dictionary lookup away unless the folder, the file name
        or a pattern that depends on both is new."""
        key = (role, path)
        result = self._verdicts.get(key)
        if result is not None:
            return result
        if role not in self._roles:
            known = ", ".join(self._roles)
            raise ConfigError(f"unknown role {role!r}; expected one of {known}")
        try:
            clean = clean_path(path)
            directory, _, name = clean.rpartition("/")
            entry = self._folders.get(directory)
            if entry is None:
                entry = self._folder(directory)
            status, folder = entry
            if status is not False:
                self._links.check(clean)  # an existing folder: look at the file itself
        except PathRefused as refusal:
            result = Verdict(False, "invalid_path", role, None, detail=str(refusal))
        else:
            file = self._files.get(name)
            if file is None:
                file = self._file(name)
            if folder.pending or file.general:
                result = self._decide_with_regex(role, clean, name, folder, file)
            if result is None:
                pair = self._pairs.get((folder, file))
                if pair is None:
                    pair = self._analyse(self._matched(folder, file))
                    if len(self._pairs) >= _CACHE_LIMIT:
                        self._pairs.clear()
                    self._pairs[(folder, file)] = pair
                result = self._verdict_of(role, clean, pair)
        if len(self._verdicts) >= _CACHE_LIMIT:
            self._verdicts.clear()
        self._verdicts[key] = result
        return result

    def forget(self) -> None:
        """Drop cached decisions and file-system facts (the workspace changed shape)."""
        self._verdicts.clear()
        self._folders.clear()
        self._links.forget()

    def explain(self, role: str, path: str) -> str:
        """Every step of the decision for `role` writing `path`, as printed by
        `charter authority explain`."""
        verdict = self.verdict(role, path)
        lines = [f"{role} writes {path!r}"]
        lines += [f"  {step}" for step in self._steps(role, path)]
        lines.append(f"=> {'ALLOWED' if verdict.allowed else 'DENIED'} ({verdict.rule})")
        lines.append(f"   {verdict.reason}")
        return "\n".join(lines)

    # ---- deciding ------------------------------------------------------------------

    def _decide_with_regex(
        self, role: str, path: str, name: str, folder: _Folder, file: _File
    ) -> Verdict | None:
        """The decision when a pattern depending on folder *and* name matches this path
        (only those whose last segment takes this name need their whole-path regex); None
        when none does, and the folder's and the name's facts decide."""
        extra: list[tuple[tuple[int, int, int], _Claim]] = []
        name_starts = len(path) - len(name)
        for claims in (folder.pending, file.general):
            for claim in claims:
                if claim.last_match is None or claim.last_match(name) is not None:
                    match = claim.search(path)
                    # a match ending inside the folder is among the folder's facts already
                    if match is not None and match.end() > name_starts:
                        literal_segments, literal_chars = claim.glob.specificity
                        extra.append(((literal_segments, _AT_FILE, literal_chars), claim))
        if not extra:
            return None
        return self._verdict_of(role, path, self._analyse([*self._matched(folder, file), *extra]))

    @staticmethod
    def _matched(folder: _Folder, file: _File) -> list[tuple[tuple[int, int, int], _Claim]]:
        # A match through the file name is the deepest one a claim can have, so it outranks
        # the claim's folder-level match (if any); keeping both is harmless.
        matched = list(folder.matched)
        for claim in file.matched:
            literal_segments, literal_chars = claim.glob.specificity
            matched.append(((literal_segments, _AT_FILE, literal_chars), claim))
        return matched

    def _analyse(self, matched: list[tuple[tuple[int, int, int], _Claim]]) -> _Matches:
        """Arrange what matches a path for every role at once. Same order of reasoning as
        `_judge` (the reference); ties between claims of one kind resolve to the claim
        listed first in the charters, as there."""
        forbidden = {}
        for role in {claim.role for _, claim in matched if claim.kind == "forbidden"}:
            claim = _first_forbidden(matched, role)
            if claim is not None:
                forbidden[role] = claim
        exclusive = sorted(
            (item for item in matched if item[1].kind == "exclusive"), key=_order, reverse=True
        )
        best: tuple[int, int, int] | None = None
        hits: list[_Claim] = []
        for rank, claim in exclusive:
            if best is not None and rank < best:
                break
            if claim.role in forbidden:
                continue  # reaching into its own forbidden area
            best = rank
            hits.append(claim)
        shared: dict[str, _Claim] = {}
        for _, claim in matched:
            if claim.kind == "shared":
                known = shared.get(claim.role)
                if known is None or claim.ident < known.ident:
                    shared[claim.role] = claim
        return _Matches(forbidden, self._owner(hits) if hits else None, shared)

    def _owner(self, hits: list[_Claim]) -> tuple[str, str | None, str | None, str]:
        first = hits[0]
        if all(claim.role == first.role for claim in hits):
            return ("single", first.glob.source, first.role, "")
        settled = {
            (claim.role, claim.glob.source)
            for claim in hits
            if (claim.glob.source, claim.role) in self._precedence
        }
        tied = ", ".join(sorted({f"{c.role} {c.glob.source!r}" for c in hits}))
        if len({owner for owner, _ in settled}) == 1:
            owner, source = min(settled)
            return ("precedence", source, owner, tied)
        return ("conflict", None, None, tied)

    @staticmethod
    def _verdict_of(role: str, path: str, facts: _Matches) -> Verdict:
        forbidden = facts.forbidden.get(role)
        if forbidden is not None:
            return Verdict(False, "forbidden", role, path, forbidden.glob.source)
        if facts.owner is not None:
            kind, source, owner, detail = facts.owner
            if kind == "single":
                rule: AuthorityRule = "exclusive_owner" if owner == role else "owned_by_other"
                return Verdict(owner == role, rule, role, path, source, owner)
            if kind == "precedence":
                return Verdict(owner == role, "precedence", role, path, source, owner, detail)
            return Verdict(False, "conflict", role, path, detail=detail)
        shared = facts.shared.get(role)
        if shared is not None:
            return Verdict(True, "shared", role, path, shared.glob.source)
        return Verdict(False, "unowned", role, path)

    def _judge(self, role: str, path: str, plan: _Plan) -> Verdict:
        forbidden = self._forbidden(plan, role, path)
        if forbidden is not None:
            return Verdict(False, "forbidden", role, path, forbidden.glob.source)
        for group in plan.exclusive:
            best = (-1, -1)
            hits: list[_Claim] = []
            for claim in group:
                match = claim.search(path)
                if match is None:
                    continue
                end = match.end()
                if path[end - 1] == "/":
                    end -= 1
                rank = (path.count("/", 0, end), claim.glob.specificity[1])
                if rank < best or (
                    claim.role != role and self._forbidden(plan, claim.role, path) is not None
                ):
                    continue  # less specific, or reaching into its own forbidden area
                if rank > best:
                    best, hits = rank, []
                hits.append(claim)
            if hits:
                return self._settle(role, path, hits)
        for claim in plan.shared.get(role, _NO_CLAIMS):
            if claim.search(path) is not None:
                return Verdict(True, "shared", role, path, claim.glob.source)
        return Verdict(False, "unowned", role, path)

    @staticmethod
    def _forbidden(plan: _Plan, role: str, path: str) -> _Claim | None:
        for claim in plan.forbidden.get(role, _NO_CLAIMS):
            if claim.search(path) is not None and not any(
                exception(path) is not None for exception in claim.exceptions
            ):
                return claim
        return None

    def _settle(self, role: str, path: str, hits: list[_Claim]) -> Verdict:
        first = hits[0]
        if len(hits) == 1 or all(claim.role == first.role for claim in hits):
            rule: AuthorityRule = "exclusive_owner" if first.role == role else "owned_by_other"
            return Verdict(first.role == role, rule, role, path, first.glob.source, first.role)
        settled = {
            (claim.role, claim.glob.source)
            for claim in hits
            if (claim.glob.source, claim.role) in self._precedence
        }
        tied = ", ".join(sorted({f"{c.role} {c.glob.source!r}" for c in hits}))
        if len({owner for owner, _ in settled}) == 1:
            owner, source = min(settled)
            return Verdict(owner == role, "precedence", role, path, source, owner, tied)
        return Verdict(False, "conflict", role, path, detail=tied)

    # ---- candidate selection -------------------------------------------------------

    def _hits_of_dir(self, directory: str) -> frozenset[int]:
        cached = self._dir_hits.get(directory)
        if cached is not None:
            return cached
        parent, _, name = directory.rpartition("/")
        hits = self._hits_of_dir(parent)
        segment = self._segment_hits.get(name)
        if segment is None:
            segment = self._hits_of_segment(name)
        if segment and not segment <= hits:
            hits = hits | segment
        if len(self._dir_hits) >= _CACHE_LIMIT:
            self._dir_hits.clear()
            self._dir_hits[""] = self._always
        self._dir_hits[directory] = hits
        return hits

    def _hits_of_segment(self, segment: str) -> frozenset[int]:
        key = segment if self.case_sensitive else segment.lower()
        hits = self._by_segment.get(key, _NO_HITS)
        if "." in key:
            hits = hits | self._by_extension.get(key.rpartition(".")[2], _NO_HITS)
        if len(self._segment_hits) >= _CACHE_LIMIT:
            self._segment_hits.clear()
        self._segment_hits[segment] = hits
        return hits

    def _plan(self, hits: frozenset[int]) -> _Plan:
        groups: dict[int, list[_Claim]] = {}
        forbidden: dict[str, list[_Claim]] = {}
        shared: dict[str, list[_Claim]] = {}
        for ident in sorted(hits):
            claim = self._claims[ident]
            if claim.kind == "exclusive":
                groups.setdefault(claim.glob.specificity[0], []).append(claim)
            elif claim.kind == "forbidden":
                forbidden.setdefault(claim.role, []).append(claim)
            elif claim.kind == "shared":
                shared.setdefault(claim.role, []).append(claim)
        return _Plan(
            exclusive=tuple(tuple(groups[k]) for k in sorted(groups, reverse=True)),
            forbidden={role: tuple(claims) for role, claims in forbidden.items()},
            shared={role: tuple(claims) for role, claims in shared.items()},
        )

    def _folder(self, directory: str) -> tuple[bool | str, _Folder]:
        """What every file directly in `directory` has in common, and whether the folder
        exists (True), is missing (False) or leads outside the root (the reason)."""
        hits = self._hits_of_dir(directory) if directory else self._always
        probe = directory + "/" if directory else ""
        matched: list[tuple[tuple[int, int, int], _Claim]] = []
        pending: list[_Claim] = []
        for ident in sorted(hits):
            claim = self._claims[ident]
            match = claim.search(probe) if probe else None
            if match is not None:
                matched.append((_rank(claim, probe, match.end()), claim))
            elif claim.reaches_files and not claim.floating:
                pending.append(claim)  # its last segment may still match the file name
        # Only the order of ranks matters, and a match through the file name is deeper than
        # any folder-level one: replace depths by their order, so that folders alike in
        # everything that decides share one facts object (and its cached verdicts).
        depths = sorted({rank[1] for rank, _ in matched})
        order = {depth: position for position, depth in enumerate(depths)}
        normalised = tuple(((a, order[d], c), claim) for (a, d, c), claim in matched)
        facts = (normalised, tuple(pending))
        folder = self._folder_facts.get(facts)
        if folder is None:
            folder = _Folder(matched=facts[0], pending=facts[1])
            self._folder_facts[facts] = folder
        entry = (self._links.status(directory), folder)
        if len(self._folders) >= _CACHE_LIMIT:
            self._folders.clear()
        self._folders[directory] = entry
        return entry

    def _file(self, name: str) -> _File:
        """The patterns a file name selects: floating one-segment patterns it matches, and
        other patterns indexed under it (to test against the whole path)."""
        key = name if self.case_sensitive else name.lower()
        hits = self._by_segment.get(key, _NO_HITS)
        if "." in key:
            hits = hits | self._by_extension.get(key.rpartition(".")[2], _NO_HITS)
        selection = self._name_plans.get(hits)
        if selection is None:
            claims = [self._claims[i] for i in sorted(self._always | hits)]
            selection = (
                tuple(c.name_match for c in claims if c.floating and c.name_match is not None),
                tuple(c for c in claims if c.floating and c.name_match is not None),
                tuple(c for c in claims if not c.floating and c.reaches_files),
            )
            self._name_plans[hits] = selection
        matchers, floating, general = selection
        matched = [claim for test, claim in zip(matchers, floating, strict=True) if test(name)]
        facts = (tuple(matched), general)
        file = self._file_facts.get(facts)
        if file is None:  # names with the same facts share one object (and its verdicts)
            file = self._file_facts[facts] = _File(matched=facts[0], general=facts[1])
        if len(self._files) >= _CACHE_LIMIT:
            self._files.clear()
        self._files[name] = file
        return file

    # ---- explanation ---------------------------------------------------------------

    def reference_verdict(self, role: str, path: str) -> Verdict:
        """The decision computed against every pattern, bypassing the index and caches
        (the fast path must always agree with it; tests compare them)."""
        if role not in self.team.roles:
            raise ConfigError(f"unknown role {role!r}")
        try:
            clean = clean_path(path)
            self._links.check(clean)
        except PathRefused as refusal:
            return Verdict(False, "invalid_path", role, None, detail=str(refusal))
        return self._judge(role, clean, self._everything)

    def _steps(self, role: str, requested: str) -> list[str]:
        if role not in self.team.roles:
            return [f"unknown role {role!r}"]
        try:
            path = clean_path(requested)
            self._links.check(path)
        except PathRefused as refusal:
            return [f"1. normalise: refused: {refusal}"]
        fold = ", case folded" if not self.case_sensitive else ""
        steps = [f"1. normalise: {path!r} relative to {self._links.root}{fold}"]
        own = self._everything.forbidden.get(role, _NO_CLAIMS)
        matched = [claim for claim in own if claim.search(path) is not None]
        if not matched:
            steps.append(f"2. forbidden: none of {role}'s {len(own)} forbidden patterns match")
        for claim in matched:
            excepted = any(exception(path) is not None for exception in claim.exceptions)
            note = "but one of its exceptions matches" if excepted else "no exception matches"
            steps.append(f"2. forbidden: {claim.glob.source!r} matches, {note}")
        ranked = []
        for group in self._everything.exclusive:
            for claim in group:
                match = claim.search(path)
                if match is None:
                    continue
                end = match.end() - 1 if path[match.end() - 1] == "/" else match.end()
                literal_segments, literal_chars = claim.glob.specificity
                ranked.append(((literal_segments, path.count("/", 0, end), literal_chars), claim))
        if not ranked:
            steps.append("3. exclusive claims: none match")
        for rank, claim in sorted(ranked, key=lambda item: item[0], reverse=True):
            void = ""
            if claim.role != role and self._forbidden(self._everything, claim.role, path):
                void = " -- void: inside its own role's forbidden area"
            steps.append(
                f"3. exclusive claim: {claim.role} {claim.glob.source!r}"
                f" (literal segments, depth, literal chars) = {rank}{void}"
            )
        for claim in self._everything.shared.get(role, _NO_CLAIMS):
            if claim.search(path) is not None:
                steps.append(f"4. shared: {claim.glob.source!r} matches (counts if unowned)")
                break
        return steps


__all__ = ["AuthorityEngine", "Verdict"]
