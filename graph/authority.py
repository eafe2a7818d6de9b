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
with neither are always candidates. A path's candidates are the union of what its
segments select; the distinct unions are few, so each gets a cached "plan" (candidates
arranged for evaluation) and a directory maps to its union in one dictionary lookup.
Matching itself is pathspec's gitignore regex for each pattern, so results agree with
pathspec (and git, see the property test).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

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


@dataclass(frozen=True, slots=True)
class _Claim:
    ident: int
    role: str
    kind: str  # exclusive | forbidden | exception | shared
    rule_index: int  # which PathRule of the role (exceptions point at their forbidden rule)
    glob: Glob
    search: _Search
    exceptions: tuple[_Search, ...] = ()  # forbidden claims: their rule's exceptions


@dataclass(frozen=True, slots=True)
class _Plan:
    """The claims one union of index hits selects, arranged for evaluation."""

    exclusive: tuple[tuple[_Claim, ...], ...]  # grouped by literal segments, most first
    forbidden: dict[str, tuple[_Claim, ...]]
    shared: dict[str, tuple[_Claim, ...]]


_NO_CLAIMS: tuple[_Claim, ...] = ()
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
        self._by_segment = {key: frozenset(ids) for key, ids in by_segment.items()}
        self._by_extension = {key: frozenset(ids) for key, ids in by_extension.items()}
        self._always = frozenset(always)
        self._precedence = {(p.pattern, p.owner) for p in team.precedence}
        # caches: segment -> its index hits; directory -> union of its segments' hits;
        # (directory union, file-name hits) -> plan; (role, path) -> verdict
        self._segment_hits: dict[str, frozenset[int]] = {}
        self._dir_hits: dict[str, frozenset[int]] = {"": self._always}
        self._plans: dict[tuple[frozenset[int], frozenset[int]], _Plan] = {}
        self._verdicts: dict[tuple[str, str], Verdict] = {}
        self._everything = self._plan(frozenset(range(len(self._claims))))

    # ---- building ------------------------------------------------------------------

    def _make_claims(self, role: str, kind: str, rules: Iterable[PathRule]) -> list[_Claim]:
        claims = []
        for index, rule in enumerate(rules):
            exceptions = tuple(
                re.compile(glob.regex, self._flags).search
                for source in rule.exceptions
                for glob in compile_pattern(source)
            )
            for glob in compile_pattern(rule.pattern):
                search = re.compile(glob.regex, self._flags).search
                ident = len(self._claims) + len(claims)
                claims.append(_Claim(ident, role, kind, index, glob, search, exceptions))
        return claims

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
        """The decision as a small tuple; cached per (role, path)."""
        key = (role, path)
        cached = self._verdicts.get(key)
        if cached is None:
            cached = self._decide(role, path)
            if len(self._verdicts) >= _CACHE_LIMIT:
                self._verdicts.clear()
            self._verdicts[key] = cached
        return cached

    def forget(self) -> None:
        """Drop cached decisions and file-system facts (the workspace changed shape)."""
        self._verdicts.clear()
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

    def _decide(self, role: str, requested: str) -> Verdict:
        if role not in self.team.roles:
            known = ", ".join(self.team.roles)
            raise ConfigError(f"unknown role {role!r}; expected one of {known}")
        try:
            path = clean_path(requested)
            self._links.check(path)
        except PathRefused as refusal:
            return Verdict(False, "invalid_path", role, None, detail=str(refusal))
        return self._judge(role, path, self._plan_for(path))

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

    def _plan_for(self, path: str) -> _Plan:
        directory, _, name = path.rpartition("/")
        dir_hits = self._dir_hits.get(directory)
        if dir_hits is None:
            dir_hits = self._hits_of_dir(directory)
        name_hits = self._segment_hits.get(name)
        if name_hits is None:
            name_hits = self._hits_of_segment(name)
        key = (dir_hits, name_hits)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plan(dir_hits | name_hits)
            self._plans[key] = plan
        return plan

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
            else:
                shared.setdefault(claim.role, []).append(claim)
        return _Plan(
            exclusive=tuple(tuple(groups[k]) for k in sorted(groups, reverse=True)),
            forbidden={role: tuple(claims) for role, claims in forbidden.items()},
            shared={role: tuple(claims) for role, claims in shared.items()},
        )

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
