"""Arranging the claims that match a path into what decides it, for every role at once.

The engine learns what matches a folder and what matches a file name separately; `sort_kinds`
files each side's claims by kind once, and `combine` joins a folder's side with a name's
side, which happens once per new (folder, name) pair — so it is kept lean. The order of
reasoning is `reference.judge`'s: forbidden (unless excepted), then the most specific
exclusive claim, then shared; ties between claims of one kind go to the claim listed first
in the charters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from .claims import Claim

Rank = tuple[int, int, int]  # (literal segments, depth of the match, literal characters)
# (rule, pattern, owner, detail) with rule "single", "precedence" or "conflict"
Owner = tuple[str, str | None, str | None, str]


class Kinds:
    """The matching claims of one side (a folder's, a name's), filed by kind."""

    __slots__ = (
        "empty",
        "excepted",
        "exclusive",
        "forbidding",
        "shared",
    )

    def __init__(
        self,
        exclusive: tuple[tuple[Rank, int, Claim], ...],
        forbidding: tuple[Claim, ...],
        excepted: frozenset[tuple[str, int]],
        shared: dict[str, Claim],
        empty: bool,
    ) -> None:
        # (rank, -ident, claim), most specific first; equal ranks: first listed first
        self.exclusive = exclusive
        self.forbidding = forbidding
        self.excepted = excepted  # (role, forbidden rule) with an exception here
        self.shared = shared  # role -> its first shared claim that matches
        self.empty = empty


class Matches(NamedTuple):
    """Everything that matches one path (or every path alike), arranged per role."""

    forbidden: dict[str, Claim]  # role -> its first forbidden rule that holds
    # Who owns it, the same for every role not forbidden there: a role's own claims never
    # reach into its own forbidden area, so only other roles' void claims are skipped.
    owner: Owner | None
    shared: dict[str, Claim]


def rank_at(claim: Claim, path: str, end: int) -> Rank:
    """The rank of `claim` matching `path` up to `end`: (literal segments, depth of the
    match, literal characters); higher is more specific."""
    if path[end - 1] == "/":
        end -= 1
    literal_segments, literal_chars = claim.glob.specificity
    return (literal_segments, path.count("/", 0, end), literal_chars)


def sort_kinds(matched: Iterable[tuple[Rank, Claim]]) -> Kinds:
    exclusive: list[tuple[Rank, int, Claim]] = []
    forbidding: list[Claim] = []
    excepted: set[tuple[str, int]] = set()
    shared: dict[str, Claim] = {}
    count = 0
    for rank, claim in matched:
        count += 1
        kind = claim.kind
        if kind == "exclusive":
            exclusive.append((rank, -claim.ident, claim))
        elif kind == "forbidden":
            forbidding.append(claim)
        elif kind == "exception":
            excepted.add((claim.role, claim.rule_index))
        else:
            known = shared.get(claim.role)
            if known is None or claim.ident < known.ident:
                shared[claim.role] = claim
    # (rank, -ident) is unique per claim, so sorting never compares claims themselves
    exclusive.sort(reverse=True)
    return Kinds(tuple(exclusive), tuple(forbidding), frozenset(excepted), shared, count == 0)


def combine(first: Kinds, second: Kinds | None, precedence: frozenset[tuple[str, str]]) -> Matches:
    """What decides a path matched by both sides' claims."""
    if second is None or second.empty:
        exclusive = first.exclusive
        forbidding: Iterable[Claim] = first.forbidding
        excepted = first.excepted
        shared = first.shared
    else:
        exclusive = first.exclusive + second.exclusive
        if first.exclusive and second.exclusive:
            exclusive = tuple(sorted(exclusive, reverse=True))
        forbidding = first.forbidding + second.forbidding
        excepted = first.excepted | second.excepted
        shared = first.shared
        if second.shared:
            shared = dict(shared)
            for role, claim in second.shared.items():
                known = shared.get(role)
                if known is None or claim.ident < known.ident:
                    shared[role] = claim
    forbidden: dict[str, Claim] = {}
    for claim in forbidding:  # each role's first rule that holds (no exception)
        if (claim.role, claim.rule_index) not in excepted:
            known = forbidden.get(claim.role)
            if known is None or claim.ident < known.ident:
                forbidden[claim.role] = claim
    best: Rank | None = None
    hits: list[Claim] = []
    for rank, _, claim in exclusive:
        if best is not None and rank < best:
            break
        if claim.role in forbidden:
            continue  # reaching into its own forbidden area
        best = rank
        hits.append(claim)
    return Matches(forbidden, owner_of(hits, precedence) if hits else None, shared)


def owner_of(hits: list[Claim], precedence: frozenset[tuple[str, str]]) -> Owner:
    """Who owns a path that `hits` (equally specific exclusive claims) all match."""
    first = hits[0]
    if len(hits) == 1 or all(claim.role == first.role for claim in hits):
        return ("single", first.glob.source, first.role, "")
    settled = {
        (claim.role, claim.glob.source)
        for claim in hits
        if (claim.glob.source, claim.role) in precedence
    }
    tied = ", ".join(sorted({f"{c.role} {c.glob.source!r}" for c in hits}))
    if len({owner for owner, _ in settled}) == 1:
        owner, source = min(settled)
        return ("precedence", source, owner, tied)
    return ("conflict", None, None, tied)


__all__ = [
    "Kinds",
    "Matches",
    "Owner",
    "Rank",
    "combine",
    "owner_of",
    "rank_at",
    "sort_kinds",
]
