"""What a file name alone says: which name-level patterns it matches.

Most names in a tree are new (`load_orders_17.py`), so classifying one must be cheap. The
claims a name can select depend only on its extension (plus the claims indexed everywhere),
so each extension gets a bucket once: its floating one-segment claims, each with the
cheapest exact test available (implied by the extension itself, an `endswith`, a required
substring before the regex, or the regex alone), and the claims that depend on folder and
name together (tested per path by the engine). Names spelled like an indexed segment
(`pyproject.toml`) and, when case folding, non-ASCII names take the plain route: every
candidate's regex.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .claims import Claim, ClaimIndex, Search

_CACHE_LIMIT = 1_000_000  # entries before a cache is cleared (bounded memory)
_IMPLIED, _ENDSWITH, _NEEDLE, _REGEX = range(4)
_NO_HITS: frozenset[int] = frozenset()


class NameFacts:  # interned: identity hashing
    __slots__ = (
        "general",
        "general_mask",
        "last_mask",
        "matched",
    )

    def __init__(
        self,
        matched: tuple[Claim, ...],
        general: tuple[Claim, ...],
        last_mask: int,
        general_mask: int,
    ) -> None:
        self.matched = matched  # floating one-segment claims the name matches
        self.general = general  # other claims indexed under the name: test each path
        # Bits (1 << claim ident) of the claims depending on folder and name whose last
        # segment may take this name (set for claims without a last-segment matcher): a
        # folder's pending claims outside it cannot match through this name, so need no regex.
        self.last_mask = last_mask
        self.general_mask = general_mask  # bits of `general`


# (claim, how to test, its name matcher, the suffix or needle), and the general claims
_Test = tuple[Claim, int, Search, str]
_Bucket = tuple[tuple[_Test, ...], tuple[Claim, ...]]
_Finder = Callable[[str], "re.Match[str] | None"]
_Shortcut = tuple[_Finder | None, "NameFacts | None"]


class NameClassifier:
    """Name -> NameFacts, names with equal facts sharing one object."""

    def __init__(self, index: ClaimIndex) -> None:
        self._index = index
        self._buckets: dict[str, _Bucket] = {}
        self._plain: dict[frozenset[int], _Bucket] = {}
        self._facts: dict[tuple[tuple[Claim, ...], tuple[Claim, ...], int], NameFacts] = {}
        # Claims depending on folder and name: the tests of their last segment. Those
        # without a matcher are always candidates (their bit stays set).
        depending = [c for c in index.claims if c.reaches_files and not c.floating]
        self._all_bits = sum(1 << claim.ident for claim in depending)
        tests: list[_Test] = []
        for claim in depending:
            if claim.last_match is not None:
                mode = _ENDSWITH if claim.suffix else _NEEDLE if claim.needle else _REGEX
                tests.append((claim, mode, claim.last_match, claim.suffix or claim.needle))
        self._last_tests = tuple(tests)
        self._shortcuts: dict[str, _Shortcut] = {}
        self.names: dict[str, NameFacts] = {}

    def classify(self, name: str) -> NameFacts:
        index = self._index
        key = name if index.case_sensitive else name.lower()
        plain = not (index.case_sensitive or key.isascii())  # str.lower() may disagree with re
        if plain or key in index.by_segment:
            found = self._facts_of(name, key, None)
        else:
            extension = key.rpartition(".")[2] if "." in key else "/"  # "/": no extension
            shortcut = self._shortcuts.get(extension)
            if shortcut is None:
                shortcut = self._shortcut(extension)
            search, usual = shortcut
            if search is not None and search(key) is None:
                # None of the bucket's texts occurs in the name: every test but those the
                # extension implies fails, so its facts are the bucket's usual ones.
                if usual is None:
                    usual = self._facts_of(name, key, extension)
                    self._shortcuts[extension] = (search, usual)
                found = usual
            else:
                found = self._facts_of(name, key, extension)
        if len(self.names) >= _CACHE_LIMIT:
            self.names.clear()
        self.names[name] = found
        return found

    def _facts_of(self, name: str, key: str, extension: str | None) -> NameFacts:
        """Every test of the name's bucket (`extension` None: the plain route)."""
        plain = extension is None
        if extension is None:
            matched = self._plain_matches(name, key)
            general = self._plain_bucket(name, key)[1]
        else:
            bucket = self._buckets.get(extension)
            if bucket is None:
                bucket = self._bucket(extension)
            tests, general = bucket
            matched = []
            for claim, mode, test, text in tests:
                if mode == _IMPLIED:
                    matched.append(claim)
                elif mode == _ENDSWITH:
                    if key.endswith(text):
                        matched.append(claim)
                elif mode == _NEEDLE:
                    if text in key and test(name) is not None:
                        matched.append(claim)
                elif test(name) is not None:
                    matched.append(claim)
        last_mask = self._all_bits
        for claim, mode, test, text in self._last_tests:
            if plain:
                if test(name) is None:
                    last_mask ^= 1 << claim.ident
            elif mode == _ENDSWITH:
                if not key.endswith(text):
                    last_mask ^= 1 << claim.ident
            elif (mode == _NEEDLE and text not in key) or test(name) is None:
                last_mask ^= 1 << claim.ident
        facts = (tuple(matched), general, last_mask)
        found = self._facts.get(facts)
        if found is None:
            general_mask = sum(1 << claim.ident for claim in general)
            found = NameFacts(facts[0], general, last_mask, general_mask)
            self._facts[facts] = found
        return found

    def _shortcut(self, extension: str) -> _Shortcut:
        """A search for any text a test of the bucket needs (None when some test is a
        bare regex, so no shortcut is exact), and the facts of names containing none."""
        bucket = self._buckets.get(extension)
        if bucket is None:
            bucket = self._bucket(extension)
        tests = [*bucket[0], *self._last_tests]
        search: _Finder | None = None
        if all(mode != _REGEX for _, mode, _, _ in tests):
            texts = sorted({text for _, mode, _, text in tests if mode != _IMPLIED})
            pattern = "|".join(re.escape(text) for text in texts) if texts else "(?!)"
            search = re.compile(pattern).search
        shortcut: _Shortcut = (search, None)
        self._shortcuts[extension] = shortcut
        return shortcut

    def _bucket(self, extension: str) -> _Bucket:
        index = self._index
        hits = index.always | index.by_extension.get(extension, _NO_HITS)
        tests: list[_Test] = []
        for claim in self._candidates(hits):
            if not claim.floating or claim.name_match is None:
                continue
            if claim.suffix and claim.suffix == "." + extension:
                mode, text = _IMPLIED, ""  # every name in this bucket ends with ".<ext>"
            elif claim.suffix:
                mode, text = _ENDSWITH, claim.suffix
            elif claim.needle:
                mode, text = _NEEDLE, claim.needle
            else:
                mode, text = _REGEX, ""
            tests.append((claim, mode, claim.name_match, text))
        general = tuple(c for c in self._candidates(hits) if not c.floating and c.reaches_files)
        bucket = (tuple(tests), general)
        self._buckets[extension] = bucket
        return bucket

    def _candidates(self, hits: frozenset[int]) -> list[Claim]:
        return [self._index.claims[i] for i in sorted(hits)]

    def _plain_bucket(self, name: str, key: str) -> _Bucket:
        index = self._index
        hits = index.always | index.by_segment.get(key, _NO_HITS)
        if "." in key:
            hits = hits | index.by_extension.get(key.rpartition(".")[2], _NO_HITS)
        bucket = self._plain.get(hits)
        if bucket is None:
            claims = self._candidates(hits)
            tests = tuple(
                (c, _REGEX, c.name_match, "")
                for c in claims
                if c.floating and c.name_match is not None
            )
            general = tuple(c for c in claims if not c.floating and c.reaches_files)
            bucket = self._plain[hits] = (tests, general)
        return bucket

    def _plain_matches(self, name: str, key: str) -> list[Claim]:
        tests = self._plain_bucket(name, key)[0]
        return [claim for claim, _, test, _ in tests if test(name) is not None]


__all__ = ["NameClassifier", "NameFacts"]
