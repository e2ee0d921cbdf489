"""Finding a region from the name (or code) a spreadsheet gives it.

    find_region("Kec. Sakra Timur", level=3, parent="52.03")           # one lookup, a few queries
    index = RegionIndex.for_areas(["52.03"])                            # one query, then in memory
    index.resolve("DESA PRINGGABAYA", level=4, parent="52.03.08")

A name matches when its key matches `Region.name_key` (see `names.normalise_name`): case, accents,
punctuation, repeated spaces and leading level words ("Kec.", "Desa", "Kel.") do not matter.
When several regions under the same parent share the key, the way the name is written decides:
first a candidate whose full name is written out ("Kampung Gelgel" rather than "Gelgel"), then
the "Desa"/"Kel." prefix (Nusaniwe in Kota Ambon is both a desa and a kelurahan); if that does
not leave one, the result is AMBIGUOUS and lists them. With no exact match the result lists the
closest siblings (rapidfuzz ratio over the keys without spaces), and takes the best as a FUZZY
match when it is close enough and clearly ahead of the next.

A code is accepted in the dotted Kemendagri form of the level asked for ("52.03.07"). Digits
without dots ("520307") are not read as codes: BPS writes its own, different codes that way
(Jerowaru is 52.03.20 at Kemendagri and 5203011 at BPS), and guessing would pick wrong regions.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz import fuzz, process

from lindung.regions.loaders import TREE_FILES
from lindung.regions.models import Region, RegionType
from lindung.regions.names import name_words, normalise_name, village_type_hint, written_forms

# A suggestion scoring at least this (0-100, rapidfuzz ratio) may be taken as a fuzzy match…
FUZZY_ACCEPT_SCORE = 90.0
# …when the next suggestion scores at least this much less (two close siblings: ask a person).
FUZZY_MARGIN = 5.0
# Suggestions listed when nothing matches exactly, and the lowest score worth listing.
SUGGESTION_LIMIT = 5
SUGGESTION_MIN_SCORE = 60.0

CODE_PATTERNS = {level: pattern for _file, _columns, level, pattern in TREE_FILES}
_FIELDS = ("code", "name", "name_key", "level", "type", "parent_id")
_ANY_PARENT = "*"

RegionRow = tuple[str, str, str, int, str, str | None]  # the values of _FIELDS


class Match(StrEnum):
    CODE = "code"  # the text was the region's code
    EXACT = "exact"  # the name matched, written in some accepted way
    FUZZY = "fuzzy"  # no exact match, but the best suggestion is close and clearly ahead
    AMBIGUOUS = "ambiguous"  # several regions match; `candidates` lists them
    NOT_FOUND = "not_found"  # `candidates` holds the closest names, best first (maybe none)


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    type: str
    parent: str | None
    score: float  # 100 for an exact match; the rapidfuzz ratio for a suggestion


@dataclass(frozen=True)
class LookupResult:
    query: str
    match: Match
    region: Candidate | None = None  # set for CODE, EXACT and FUZZY
    candidates: tuple[Candidate, ...] = ()  # AMBIGUOUS: the matches; else suggestions

    @property
    def code(self) -> str | None:
        return self.region.code if self.region else None

    @property
    def found(self) -> bool:
        """True for CODE, EXACT and FUZZY: callers that want no guesses also check `match`."""
        return self.region is not None


@dataclass(frozen=True)
class _Entry:
    code: str
    name: str
    key: str
    level: int
    type: str
    parent: str | None
    full: str  # every word of the name, no prefix dropped: tells "Kampung Gelgel" from "Gelgel"
    compact: str  # the key without spaces: what fuzzy scores compare

    @classmethod
    def from_row(cls, row: RegionRow) -> "_Entry":
        code, name, key, level, type_, parent = row
        full = " ".join(name_words(name))
        return cls(code, name, key, level, type_, parent, full, key.replace(" ", ""))

    def candidate(self, score: float) -> Candidate:
        return Candidate(self.code, self.name, self.type, self.parent, score)


@dataclass
class _Siblings:
    """The regions of one level under one parent (or under any parent)."""

    entries: list[_Entry] = field(default_factory=list)
    compacts: list[str] = field(default_factory=list)
    by_key: dict[str, list[_Entry]] = field(default_factory=dict)

    def add(self, entry: _Entry) -> None:
        self.entries.append(entry)
        self.compacts.append(entry.compact)
        self.by_key.setdefault(entry.key, []).append(entry)


class RegionIndex:
    """Regions held in memory, to resolve many names (an import's rows) without a query each."""

    def __init__(self, rows: Iterable[RegionRow]) -> None:
        self._by_code: dict[str, _Entry] = {}
        self._siblings: dict[tuple[int, str], _Siblings] = {}
        self._cache: dict[tuple[str, int, str | None], LookupResult] = {}
        for row in rows:
            entry = _Entry.from_row(row)
            self._by_code[entry.code] = entry
            self._group(entry.level, _ANY_PARENT).add(entry)
            if entry.parent is not None:
                self._group(entry.level, entry.parent).add(entry)

    @classmethod
    def for_areas(cls, codes: list[str]) -> "RegionIndex":
        """The regions at and below `codes` (e.g. the deployment's kabupaten), in one query."""
        return cls(Region.objects.within(codes).values_list(*_FIELDS))

    def resolve(self, text: str, *, level: int, parent: str | None = None) -> LookupResult:
        """The region of `level` (under `parent`, if given) that `text` names or codes."""
        cache_key = (text, level, parent)
        if cache_key not in self._cache:
            self._cache[cache_key] = self._resolve(text.strip(), level, parent)
        return self._cache[cache_key]

    def suggest(
        self, text: str, *, level: int, parent: str | None = None, limit: int = SUGGESTION_LIMIT
    ) -> list[Candidate]:
        """The closest names among the siblings, best first, scoring SUGGESTION_MIN_SCORE up."""
        compact = normalise_name(text, level).replace(" ", "")
        siblings = self._siblings.get((level, parent or _ANY_PARENT))
        if not compact or siblings is None:
            return []
        matches = process.extract(
            compact,
            siblings.compacts,
            scorer=fuzz.ratio,
            limit=limit,
            score_cutoff=SUGGESTION_MIN_SCORE,
        )
        return [siblings.entries[index].candidate(score) for _choice, score, index in matches]

    def _group(self, level: int, parent: str) -> _Siblings:
        return self._siblings.setdefault((level, parent), _Siblings())

    def _resolve(self, text: str, level: int, parent: str | None) -> LookupResult:
        if level in CODE_PATTERNS and CODE_PATTERNS[level].match(text):
            return self._resolve_code(text, level, parent)
        forms = written_forms(text, level)
        siblings = self._siblings.get((level, parent or _ANY_PARENT))
        matches = siblings.by_key.get(forms[-1], []) if siblings and forms[-1] else []
        if matches:
            narrowed = _narrow(matches, forms, text, level)
            if len(narrowed) == 1:
                return LookupResult(text, Match.EXACT, narrowed[0].candidate(100.0))
            candidates = tuple(entry.candidate(100.0) for entry in narrowed)
            return LookupResult(text, Match.AMBIGUOUS, None, candidates)
        suggestions = tuple(self.suggest(text, level=level, parent=parent))
        if _clear_winner(suggestions):
            return LookupResult(text, Match.FUZZY, suggestions[0], suggestions)
        return LookupResult(text, Match.NOT_FOUND, None, suggestions)

    def _resolve_code(self, code: str, level: int, parent: str | None) -> LookupResult:
        entry = self._by_code.get(code)
        if entry is None or entry.level != level or parent not in (None, entry.parent):
            return LookupResult(code, Match.NOT_FOUND)
        return LookupResult(code, Match.CODE, entry.candidate(100.0))


def find_region(
    name: str, *, level: int, parent: str | None = None, within: list[str] | None = None
) -> LookupResult:
    """The region of `level` that `name` names (or codes), under `parent` and within `within`.

    `parent` is the code of the region directly above (the kecamatan of a desa); `within` limits
    the search to these codes' subtrees (e.g. the deployment's ["52.03"]; an empty list finds
    nothing). For many lookups build a RegionIndex once instead.
    """
    scope = Region.objects.filter(level=level)
    if parent is not None:
        scope = scope.filter(parent_id=parent)
    if within is not None:
        scope = scope.within(within)
    text = name.strip()
    if level in CODE_PATTERNS and CODE_PATTERNS[level].match(text):
        rows = list(scope.filter(code=text).values_list(*_FIELDS))
    else:
        # The (parent, name_key) index answers this; siblings are read only to suggest names.
        rows = list(scope.filter(name_key=normalise_name(text, level)).values_list(*_FIELDS))
        rows = rows or list(scope.values_list(*_FIELDS))
    return RegionIndex(rows).resolve(text, level=level, parent=parent)


def _narrow(matches: list[_Entry], forms: list[str], text: str, level: int) -> list[_Entry]:
    """Of the regions sharing a key, those the written name points at; all of them if none."""
    for form in forms:  # longest first: "Kampung Gelgel" picks Kampung Gelgel over Gelgel
        written_out = [entry for entry in matches if entry.full == form]
        if written_out:
            matches = written_out
            break
    hint = village_type_hint(text) if level == 4 and len(matches) > 1 else None
    if hint is not None:
        typed = [entry for entry in matches if _village_kind(entry.type) == hint]
        matches = typed or matches
    return matches


def _village_kind(region_type: str) -> str:
    return "kelurahan" if region_type == RegionType.KELURAHAN else "desa"


def _clear_winner(suggestions: tuple[Candidate, ...]) -> bool:
    if not suggestions or suggestions[0].score < FUZZY_ACCEPT_SCORE:
        return False
    return len(suggestions) == 1 or suggestions[0].score - suggestions[1].score >= FUZZY_MARGIN
