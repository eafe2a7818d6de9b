"""`AuthorityEngine`: the cached fast path of the authority gate.

A decision depends on two kinds of facts: what the folder says (patterns matching the
folder itself, so every file in it, and patterns that may still match through the file
name), and what the file name says (`names`). Folders and names with equal facts share one
object, what matches a (folder, name) pair is arranged once for every role, and the verdict
is cached per (role, path). Only patterns depending on folder *and* name (`{src}/**/test_*.py`)
see the whole path, and only when their last segment takes the name. `reference.judge` over
every pattern is what this must always equal; tests compare them.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from charter.protocols.errors import ConfigError

from ..paths import QUICK_CHARS, UNUSUAL, PathRefused, WorkspaceLinks, clean_path
from .claims import Claim, ClaimIndex
from .explain import steps_from_matches
from .matches import Kinds, Matches, combine, rank_at, sort_kinds
from .names import NameClassifier, NameFacts
from .reference import judge, make_plan
from .team_rules import TeamLike
from .verdict import Verdict

if TYPE_CHECKING:  # names only: pydantic loads when `decide` first runs
    from charter.protocols import AuthorityDecision, AuthorityRule

_unusual = UNUSUAL.search
_CACHE_LIMIT = 1_000_000  # entries per cache before it is cleared (bounded memory)
_AT_FILE = 1_000  # the depth rank of a match through the file name: deeper than any folder
_NO_HITS: frozenset[int] = frozenset()
_Rank = tuple[int, int, int]
_UNRANKED: _Rank = (0, 0, 0)  # the rank kept for forbidden, exception and shared claims
_new_verdict = tuple.__new__  # Verdict without its Python-level __new__ (hot path)


class _Folder:  # identity hashing: cache keys
    __slots__ = (
        "kinds",
        "matched",
        "pairs",
        "pending",
        "pending_mask",
    )

    def __init__(
        self,
        matched: tuple[tuple[_Rank, Claim], ...],
        pending: tuple[Claim, ...],
        pending_mask: int,
        kinds: Kinds,
        pairs: dict[NameFacts, list[Any]],
    ) -> None:
        self.matched = matched  # match every file here
        self.pending = pending  # may match through the file name: test each path
        self.pending_mask = pending_mask  # bits (1 << claim ident) of `pending`
        self.kinds = kinds  # `matched` filed by kind
        # name facts -> one slot per role for its verdict's fields, then the pair's matches
        # (see `AuthorityEngine._pair`); shared by all folders whose `matched` are alike
        self.pairs = pairs


class AuthorityEngine:
    """Decides writes for every role of `team` inside the workspace `root`."""

    def __init__(
        self,
        team: TeamLike,
        root: Path,
        *,
        case_sensitive: bool = True,
        normalise_unicode: bool = False,
        lazy_regex: bool = False,
    ) -> None:
        self.team = team
        self.case_sensitive = case_sensitive
        # On a file system that normalises names (macOS), two spellings of one name are
        # one file: judge the NFC spelling so they are one path to the gate too.
        self.normalise_unicode = normalise_unicode
        self._links = WorkspaceLinks(root)
        self._index = index = ClaimIndex(
            team, 0 if case_sensitive else re.IGNORECASE, lazy=lazy_regex
        )
        self._claims = index.claims
        self._names = NameClassifier(index)
        self._everything = make_plan(index, frozenset(range(len(index.claims))))
        self._roles = frozenset(team.roles)
        # role -> its slot in a pair's verdict fields (see `_pair`)
        self._role_numbers = {role: number for number, role in enumerate(team.roles)}
        if len(self._role_numbers) >= 1 << 16:
            raise ConfigError(f"a team of {len(team.roles)} roles; expected fewer than 65,536")
        # caches: segment -> its index hits; directory -> union of its segments' hits;
        # folder -> (link status, facts); facts -> the one object sharing them (which
        # caches what matches with each kind of name, per role)
        self._segment_hits: dict[str, frozenset[int]] = {}
        self._dir_hits: dict[str, frozenset[int]] = {"": index.always}
        self._folders: dict[str, tuple[bool | str, _Folder]] = {}
        self._folder_facts: dict[tuple[Any, Any], _Folder] = {}
        self._pairs_of: dict[tuple[tuple[_Rank, Claim], ...], dict[NameFacts, list[Any]]] = {}
        self._name_kinds: dict[NameFacts, Kinds] = {}
        self._precedence = frozenset(index.precedence)

    # ---- public --------------------------------------------------------------------

    def decide(self, role: str, path: str) -> AuthorityDecision:
        """The full decision record for `role` writing `path`. A bad path never raises: it
        is a denial with rule `invalid_path`. An unknown role raises ConfigError."""
        from charter.protocols import AuthorityDecision

        # Built without re-validation: every field comes from the engine's own values.
        return AuthorityDecision.model_construct(**self.decision_fields(role, path))

    def decision_fields(self, role: str, path: str) -> dict[str, Any]:
        """`decide`'s record as a plain dict (the `AuthorityDecision` fields): for callers
        that must not load pydantic, such as the Claude Code guard."""
        verdict = self.verdict(role, path)
        return {
            "role": role,
            "requested_path": path,
            "path": verdict.path,
            "allowed": verdict.allowed,
            "rule": verdict.rule,
            "pattern": verdict.pattern,
            "owner": verdict.owner,
            "reason": verdict.reason,
            "steps": self._steps(role, path, verdict.path),
        }

    def allowed(self, role: str, path: str) -> bool:
        return self.verdict(role, path).allowed

    def verdict(self, role: str, path: str) -> Verdict:
        """The decision as a small tuple. This is the hot path: for a path in a known
        folder with a known kind of file name, it is a few dictionary lookups; only a new
        folder, a new name or a pattern depending on folder *and* name costs more."""
        number = self._role_numbers.get(role)
        if number is None:
            known = ", ".join(self.team.roles)
            raise ConfigError(f"unknown role {role!r}; expected one of {known}")
        if self.normalise_unicode and not path.isascii():
            path = unicodedata.normalize("NFC", path)
        # `clean_path`'s own quick test (`is_plain`), inlined: most paths need no
        # normalising at all.
        if (
            path
            and len(path) <= QUICK_CHARS
            and path[0] != "/"
            and path[-1] != "/"
            and path[1:2] != ":"
            and "./" not in path
            and "//" not in path
            and "\\" not in path
            and _unusual(path) is None
        ):
            clean = path
        else:
            try:
                clean = clean_path(path)
            except PathRefused as refusal:
                return Verdict(False, "invalid_path", role, None, detail=str(refusal))
        directory, _, name = clean.rpartition("/")
        entry = self._folders.get(directory)
        if entry is None:
            entry = self._folder(directory)
        status, folder = entry
        if status is not False:
            try:
                self._links.check(clean)  # an existing folder: look at the file itself
            except PathRefused as refusal:
                return Verdict(False, "invalid_path", role, None, detail=str(refusal))
        file = self._names.names.get(name)
        if file is None:
            file = self._names.classify(name)
        if (folder.pending_mask | file.general_mask) & file.last_mask:
            fields = self._decide_with_regex(role, clean, name, folder, file)
            if fields is not None:
                allowed, rule, pattern, owner, detail = fields
                return _new_verdict(Verdict, (allowed, rule, role, clean, pattern, owner, detail))
        pair = folder.pairs.get(file)
        if pair is None:
            pair = self._pair(folder, file)
        fields = pair[number]
        if fields is None:
            fields = pair[number] = self._fields(role, pair[-1])
        allowed, rule, pattern, owner, detail = fields
        return _new_verdict(Verdict, (allowed, rule, role, clean, pattern, owner, detail))

    def _pair(self, folder: _Folder, file: NameFacts) -> list[Any]:
        """What matches any path of `folder`'s kind with a name of `file`'s kind: one slot
        per role for its verdict's fields (filled on first ask), then the matches."""
        pair: list[Any] = [None] * len(self._role_numbers)
        kinds = self._name_kinds.get(file)
        if kinds is None:
            kinds = self._name_kinds[file] = sort_kinds(self._at_file(file.matched))
        pair.append(combine(folder.kinds, kinds, self._precedence))
        folder.pairs[file] = pair
        return pair

    def forget(self) -> None:
        """Drop cached decisions and file-system facts (the workspace changed shape)."""
        self._folders.clear()
        self._links.forget()

    def explain(self, role: str, path: str) -> str:
        """Every step of the decision for `role` writing `path`, as printed by
        `charter authority explain`."""
        verdict = self.verdict(role, path)
        lines = [f"{role} writes {path!r}"]
        lines += [f"  {step}" for step in self._steps(role, path, verdict.path)]
        lines.append(f"=> {'ALLOWED' if verdict.allowed else 'DENIED'} ({verdict.rule})")
        lines.append(f"   {verdict.reason}")
        return "\n".join(lines)

    def reference_verdict(self, role: str, path: str) -> Verdict:
        """The decision computed against every pattern, bypassing the index and caches
        (the fast path must always agree with it; tests compare them)."""
        if role not in self._roles:
            raise ConfigError(f"unknown role {role!r}")
        try:
            clean = clean_path(path)
            self._links.check(clean)
        except PathRefused as refusal:
            return Verdict(False, "invalid_path", role, None, detail=str(refusal))
        return judge(self._index, role, clean, self._everything)

    # ---- deciding ------------------------------------------------------------------

    def _decide_with_regex(
        self, role: str, path: str, name: str, folder: _Folder, file: NameFacts
    ) -> tuple[Any, ...] | None:
        """The verdict's fields when a pattern depending on folder *and* name matches this
        path; None when none does, and the folder's and the name's facts decide."""
        extra = self._extra(path, name, folder, file)
        if not extra:
            return None
        matched = sort_kinds([*self._matched(folder, file), *extra])
        return self._fields(role, combine(matched, None, self._precedence))

    @staticmethod
    def _extra(path: str, name: str, folder: _Folder, file: NameFacts) -> list[tuple[_Rank, Claim]]:
        """Patterns depending on folder and name that match through the name (only those
        whose last segment takes this name need their whole-path regex)."""
        extra: list[tuple[_Rank, Claim]] = []
        name_starts = len(path) - len(name)
        for claims in (folder.pending, file.general):
            for claim in claims:
                if claim.last_match is None or claim.last_match(name) is not None:
                    match = claim.search(path)
                    # a match ending inside the folder is among the folder's facts already
                    if match is not None and match.end() > name_starts:
                        literal_segments, literal_chars = claim.glob.specificity
                        extra.append(((literal_segments, _AT_FILE, literal_chars), claim))
        return extra

    @classmethod
    def _matched(cls, folder: _Folder, file: NameFacts) -> list[tuple[_Rank, Claim]]:
        return [*folder.matched, *cls._at_file(file.matched)]

    @staticmethod
    def _at_file(claims: tuple[Claim, ...]) -> list[tuple[_Rank, Claim]]:
        # A match through the file name is the deepest one a claim can have, so it outranks
        # the claim's folder-level match (if any); keeping both is harmless.
        matched = []
        for claim in claims:
            literal_segments, literal_chars = claim.glob.specificity
            matched.append(((literal_segments, _AT_FILE, literal_chars), claim))
        return matched

    @staticmethod
    def _fields(role: str, facts: Matches) -> tuple[Any, ...]:
        """(allowed, rule, pattern, owner, detail) of `role`'s verdict."""
        forbidden = facts.forbidden.get(role)
        if forbidden is not None:
            return (False, "forbidden", forbidden.glob.source, None, "")
        if facts.owner is not None:
            kind, source, owner, detail = facts.owner
            if kind == "single":
                rule: AuthorityRule = "exclusive_owner" if owner == role else "owned_by_other"
                return (owner == role, rule, source, owner, "")
            if kind == "precedence":
                return (owner == role, "precedence", source, owner, detail)
            return (False, "conflict", None, None, detail)
        shared = facts.shared.get(role)
        if shared is not None:
            return (True, "shared", shared.glob.source, None, "")
        return (False, "unowned", None, None, "")

    # ---- folder facts --------------------------------------------------------------

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
            self._dir_hits[""] = self._index.always
        self._dir_hits[directory] = hits
        return hits

    def _hits_of_segment(self, segment: str) -> frozenset[int]:
        index = self._index
        key = index.fold(segment)
        hits = index.by_segment.get(key, _NO_HITS)
        if "." in key:
            hits = hits | index.by_extension.get(key.rpartition(".")[2], _NO_HITS)
        if len(self._segment_hits) >= _CACHE_LIMIT:
            self._segment_hits.clear()
        self._segment_hits[segment] = hits
        return hits

    def _folder(self, directory: str) -> tuple[bool | str, _Folder]:
        """What every file directly in `directory` has in common, and whether the folder
        exists (True), is missing (False) or leads outside the root (the reason)."""
        hits = self._hits_of_dir(directory) if directory else self._index.always
        probe = directory + "/" if directory else ""
        matched: list[tuple[_Rank, Claim]] = []
        pending: list[Claim] = []
        claims = self._claims
        depths: set[int] = set()
        for ident in sorted(hits):
            claim = claims[ident]
            match = claim.search(probe) if probe else None
            if match is not None:
                if claim.kind == "exclusive":
                    rank = rank_at(claim, probe, match.end())
                    depths.add(rank[1])
                    matched.append((rank, claim))
                else:  # only exclusive claims compete by rank
                    matched.append((_UNRANKED, claim))
            elif claim.reaches_files and not claim.floating:
                pending.append(claim)  # its last segment may still match the file name
        # Only the order of ranks matters, and a match through the file name is deeper than
        # any folder-level one: replace depths by their order, so that folders alike in
        # everything that decides share one facts object (and its cached verdicts).
        if len(depths) > 1 or (depths and 0 not in depths):
            order = {depth: position for position, depth in enumerate(sorted(depths))}
            normalised = tuple(
                ((r[0], order[r[1]], r[2]) if claim.kind == "exclusive" else r, claim)
                for r, claim in matched
            )
        else:
            normalised = tuple(matched)
        facts = (normalised, tuple(pending))
        folder = self._folder_facts.get(facts)
        if folder is None:
            mask = sum(1 << claim.ident for claim in pending)
            pairs = self._pairs_of.get(normalised)
            if pairs is None:
                pairs = self._pairs_of[normalised] = {}
            folder = _Folder(normalised, facts[1], mask, sort_kinds(normalised), pairs)
            if len(self._folder_facts) >= _CACHE_LIMIT:
                self._folder_facts.clear()
                self._pairs_of.clear()
            self._folder_facts[facts] = folder
        entry = (self._links.status(directory), folder)
        if len(self._folders) >= _CACHE_LIMIT:
            self._folders.clear()
        self._folders[directory] = entry
        return entry

    # ---- explanation ---------------------------------------------------------------

    def _steps(self, role: str, requested: str, clean: str | None) -> list[str]:
        if clean is None:
            try:
                self._links.check(clean_path(requested))
            except PathRefused as refusal:
                return [f"1. normalise: refused: {refusal}"]
            return ["1. normalise: refused"]  # unreachable: the verdict refused it
        fold = ", case folded" if not self.case_sensitive else ""
        head = f"1. normalise: {clean!r} relative to {self._links.root}{fold}"
        directory, _, name = clean.rpartition("/")
        entry = self._folders.get(directory)
        folder = (entry if entry is not None else self._folder(directory))[1]
        file = self._names.names.get(name)
        if file is None:
            file = self._names.classify(name)
        matched = [*self._matched(folder, file), *self._extra(clean, name, folder, file)]
        forbidden = combine(sort_kinds(matched), None, self._precedence).forbidden
        own = len(self._everything.forbidden.get(role, ()))
        claims = (claim for _, claim in matched)
        return [head, *steps_from_matches(role, clean, claims, forbidden, own)]


__all__ = ["AuthorityEngine", "Verdict"]
