"""The authority gate: may `role` write `path`? (DESIGN.md "Authority gate").

Decision order, for a normalised path:
1. the role's forbidden patterns deny, unless one of that rule's exceptions matches too;
2. otherwise the most specific exclusive claim among *all* roles decides the owner
   (specificity: see `charter.agents.globs`); equally specific claims from several roles
   are settled by a team precedence entry naming one of the tied patterns, or else denied
   to everyone as a conflict;
3. a path nobody claims is allowed only through one of the role's shared patterns.

Speed: every brace-free pattern is indexed by a segment it spells out in full (`data` for
`**/data/`) or by the extension its last segment ends with (`py` for `**/*.py`); a path
only tests the patterns its own segments and extensions select, and the selection (a
"plan", pre-sorted by specificity) is cached per directory. Matching itself is pathspec's
gitignore regex for each pattern, so results agree with pathspec (and git).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from charter.agents.globs import Glob, compile_pattern
from charter.protocols import AuthorityDecision, AuthorityRule, ConfigError, PathRule, Team

from .paths import PathNormaliser, PathRefused

_Search = Callable[[str], "re.Match[str] | None"]


class Verdict(NamedTuple):
    """The cheap form of a decision (what `allowed()` and the benchmark use)."""

    allowed: bool
    rule: AuthorityRule
    pattern: str | None
    owner: str | None
    path: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class _Claim:
    ident: int
    role: str
    kind: str  # exclusive | forbidden | exception | shared
    rule_index: int  # which PathRule of the role (forbidden exceptions point at theirs)
    glob: Glob
    search: _Search


@dataclass(slots=True)
class _Plan:
    """The claims one set of index hits selects, arranged for evaluation."""

    exclusive: list[tuple[int, list[_Claim]]]  # by literal segments, most first
    forbidden: dict[str, list[_Claim]] = field(default_factory=dict)
    shared: dict[str, list[_Claim]] = field(default_factory=dict)


_EMPTY: frozenset[int] = frozenset()


class AuthorityEngine:
    """Decides writes for every role of `team` inside the workspace `root`."""

    def __init__(self, team: Team, root: Path, *, case_sensitive: bool = True) -> None:
        self.team = team
        self.case_sensitive = case_sensitive
        self._paths = PathNormaliser(root)
        self._claims: list[_Claim] = []
        self._exceptions: dict[tuple[str, int], list[_Claim]] = {}
        self._by_segment: dict[str, set[int]] = {}
        self._by_extension: dict[str, set[int]] = {}
        self._always: set[int] = set()
        flags = 0 if case_sensitive else re.IGNORECASE
        for role, charter in team.roles.items():
            auth = charter.authorities
            self._add(role, "exclusive", auth.exclusive, flags)
            self._add(role, "forbidden", auth.forbidden, flags)
            self._add(role, "shared", auth.shared, flags)
            for index, rule in enumerate(auth.forbidden):
                self._exceptions[(role, index)] = [
                    self._make_claim(role, "exception", index, glob, flags)
                    for source in rule.exceptions
                    for glob in compile_pattern(source)
                ]
        self._segment_sets = {k: frozenset(v) for k, v in self._by_segment.items()}
        self._extension_sets = {k: frozenset(v) for k, v in self._by_extension.items()}
        self._always_set = frozenset(self._always)
        self._precedence = {(p.pattern, p.owner) for p in team.precedence}
        self._plans: dict[frozenset[int], _Plan] = {}
        self._dir_hits: dict[str, tuple[frozenset[int], dict[frozenset[int], _Plan]]] = {}
        self._verdicts: dict[tuple[str, str], Verdict] = {}

    # ---- building ------------------------------------------------------------------

    def _add(self, role: str, kind: str, rules: Iterable[PathRule], flags: int) -> None:
        for index, rule in enumerate(rules):
            for glob in compile_pattern(rule.pattern):
                claim = self._make_claim(role, kind, index, glob, flags)
                self._claims.append(claim)
                self._index(claim)

    def _make_claim(self, role: str, kind: str, index: int, glob: Glob, flags: int) -> _Claim:
        search = re.compile(glob.regex, flags).search
        return _Claim(len(self._claims), role, kind, index, glob, search)

    def _index(self, claim: _Claim) -> None:
        fold = self._fold
        glob = claim.glob
        if glob.literals:
            key = fold(max(glob.literals, key=len))
            self._by_segment.setdefault(key, set()).add(claim.ident)
        elif "." in glob.suffix:
            key = fold(glob.suffix.rpartition(".")[2])
            self._by_extension.setdefault(key, set()).add(claim.ident)
        else:
            self._always.add(claim.ident)

    def _fold(self, text: str) -> str:
        return text if self.case_sensitive else text.lower()

    # ---- deciding ------------------------------------------------------------------

    def decide(self, role: str, path: str) -> AuthorityDecision:
        """The full decision record for `role` writing `path`. Never raises for a bad path
        (the decision is a denial with rule `invalid_path`); an unknown role is denied too."""
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
        )

    def explain(self, role: str, path: str) -> str:
        """Every step of the decision for `role` writing `path`, as printed by
        `charter authority explain`. Checks every pattern, not just the indexed ones, and
        states the verdict the fast path returns."""
        verdict = self.verdict(role, path)
        lines = [f"{role} writes {path!r}"]
        lines += [f"  {step}" for step in self._steps(role, path)]
        lines.append(f"=> {'ALLOWED' if verdict.allowed else 'DENIED'} ({verdict.rule})")
        lines.append(f"   {verdict.reason}")
        return "\n".join(lines)

    def _steps(self, role: str, requested: str) -> list[str]:
        if role not in self.team.roles:
            return [f"unknown role {role!r}"]
        try:
            path = self._paths.normalise(requested)
        except PathRefused as refusal:
            return [f"1. normalise: refused: {refusal}"]
        fold = "" if self.case_sensitive else ", case folded"
        steps = [f"1. normalise: {path!r} relative to {self._paths.root}{fold}"]
        own = [c for c in self._claims if c.role == role and c.kind == "forbidden"]
        matched = [c for c in own if c.search(path) is not None]
        if not own:
            steps.append(f"2. forbidden: {role} has no forbidden patterns")
        elif not matched:
            steps.append(f"2. forbidden: none of {role}'s {len(own)} forbidden patterns match")
        for claim in matched:
            excepted = [
                e.glob.text
                for e in self._exceptions[(role, claim.rule_index)]
                if e.search(path) is not None
            ]
            note = f"but exception {excepted[0]!r} matches" if excepted else "no exception"
            steps.append(f"2. forbidden: {claim.glob.source!r} matches, {note}")
        claims = []
        for claim in self._claims:
            if claim.kind != "exclusive":
                continue
            match = claim.search(path)
            if match is None:
                continue
            end = match.end() - 1 if path[match.end() - 1] == "/" else match.end()
            literal_segments, literal_chars = claim.glob.specificity
            rank = (literal_segments, path.count("/", 0, end), literal_chars)
            claims.append((rank, claim))
        if not claims:
            steps.append("3. exclusive claims: none match")
        for rank, claim in sorted(claims, key=lambda item: item[0], reverse=True):
            void = ""
            if (
                claim.role != role
                and self._forbidden(
                    self._plan(frozenset(c.ident for c in self._claims)), claim.role, path
                )
                is not None
            ):
                void = " -- void: inside its own role's forbidden area"
            steps.append(
                f"3. exclusive claim: {claim.role} {claim.glob.source!r} (as {claim.glob.text!r}) "
                f"specificity (literal segments, depth, literal chars) = {rank}{void}"
            )
        shared = [
            c.glob.source
            for c in self._claims
            if c.role == role and c.kind == "shared" and c.search(path) is not None
        ]
        if shared:
            steps.append(f"4. shared: {role} shares {path} through {shared[0]!r} if unowned")
        return steps

    def allowed(self, role: str, path: str) -> bool:
        return self.verdict(role, path).allowed

    def verdict(self, role: str, path: str) -> Verdict:
        """The decision as a small tuple; cached per (role, path)."""
        key = (role, path)
        cached = self._verdicts.get(key)
        if cached is not None:
            return cached
        result = self._decide(role, path)
        if len(self._verdicts) >= 1_000_000:  # bound memory for very long runs
            self._verdicts.clear()
        self._verdicts[key] = result
        return result

    def forget(self) -> None:
        """Drop cached decisions and file-system facts (the workspace changed shape)."""
        self._verdicts.clear()
        self._paths.forget()

    def _decide(self, role: str, requested: str) -> Verdict:
        if role not in self.team.roles:
            raise ConfigError(
                f"unknown role {role!r}; expected one of {', '.join(self.team.roles)}"
            )
        try:
            path = self._paths.normalise(requested)
        except PathRefused as refusal:
            return Verdict(False, "invalid_path", None, None, None, str(refusal))
        plan = self._plan_for(path)
        forbidden = self._forbidden(plan, role, path)
        if forbidden is not None:
            source = forbidden.glob.source
            reason = f"{path} is in {role}'s forbidden area {source!r}"
            return Verdict(False, "forbidden", source, None, path, reason)
        for _literal_segments, group in plan.exclusive:
            best: tuple[int, int] = (-1, -1)
            hits: list[_Claim] = []
            for claim in group:
                match = claim.search(path)
                if match is None:
                    continue
                end = match.end()
                if end and path[end - 1] == "/":
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
        for claim in plan.shared.get(role, ()):
            if claim.search(path) is not None:
                source = claim.glob.source
                reason = f"nobody owns {path}; {role} shares it through {source!r}"
                return Verdict(True, "shared", source, None, path, reason)
        reason = f"nobody owns {path} and {role} has no shared pattern for it"
        return Verdict(False, "unowned", None, None, path, reason)

    def _forbidden(self, plan: _Plan, role: str, path: str) -> _Claim | None:
        for claim in plan.forbidden.get(role, ()):
            if claim.search(path) is not None and not any(
                exc.search(path) is not None
                for exc in self._exceptions[(claim.role, claim.rule_index)]
            ):
                return claim
        return None

    def _settle(self, role: str, path: str, hits: list[_Claim]) -> Verdict:
        owners = {claim.role for claim in hits}
        if len(owners) == 1:
            claim = hits[0]
            if claim.role == role:
                reason = f"{role} owns {path} through {claim.glob.source!r}"
                return Verdict(True, "exclusive_owner", claim.glob.source, role, path, reason)
            reason = f"{path} belongs to {claim.role} through {claim.glob.source!r}"
            return Verdict(False, "owned_by_other", claim.glob.source, claim.role, path, reason)
        settled = {
            (claim.role, claim.glob.source)
            for claim in hits
            if (claim.glob.source, claim.role) in self._precedence
        }
        winners = {owner for owner, _ in settled}
        tied = ", ".join(sorted({f"{c.role} {c.glob.source!r}" for c in hits}))
        if len(winners) == 1:
            owner, source = min(settled)
            verb = "may write" if owner == role else "may not write"
            reason = f"{role} {verb} {path}: precedence gives {source!r} to {owner} ({tied})"
            return Verdict(owner == role, "precedence", source, owner, path, reason)
        reason = (
            f"{path} is claimed equally specifically by {tied} and no precedence entry "
            "settles it; add one to the team"
        )
        return Verdict(False, "conflict", None, None, path, reason)

    def _plan_for(self, path: str) -> _Plan:
        directory, _, name = path.rpartition("/")
        entry = self._dir_hits.get(directory)
        if entry is None:
            entry = (self._hits(directory.split("/")) if directory else _EMPTY, {})
            self._dir_hits[directory] = entry
        dir_hits, plans = entry
        base_hits = self._hits((name,))
        plan = plans.get(base_hits)
        if plan is None:
            plan = self._plan(dir_hits | base_hits)
            plans[base_hits] = plan
        return plan

    def _hits(self, segments: Iterable[str]) -> frozenset[int]:
        by_segment, by_extension = self._segment_sets, self._extension_sets
        hits = self._always_set
        for segment in segments:
            key = segment if self.case_sensitive else segment.lower()
            found = by_segment.get(key)
            if found is not None:
                hits = hits | found
            if "." in key:
                found = by_extension.get(key.rpartition(".")[2])
                if found is not None:
                    hits = hits | found
        return hits

    def _plan(self, hits: frozenset[int]) -> _Plan:
        plan = self._plans.get(hits)
        if plan is not None:
            return plan
        groups: dict[int, list[_Claim]] = {}
        plan = _Plan(exclusive=[])
        for ident in sorted(hits):
            claim = self._claims[ident]
            if claim.kind == "exclusive":
                groups.setdefault(claim.glob.specificity[0], []).append(claim)
            elif claim.kind == "forbidden":
                plan.forbidden.setdefault(claim.role, []).append(claim)
            else:
                plan.shared.setdefault(claim.role, []).append(claim)
        plan.exclusive = sorted(groups.items(), key=lambda item: item[0], reverse=True)
        self._plans[hits] = plan
        return plan


__all__ = ["AuthorityEngine", "Verdict"]
