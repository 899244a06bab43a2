"""Pure rules of search: the query syntax, typo tolerance, price scales and buckets, limits.

No I/O, and nothing from the rest of the domain: schemas, the repository and the service all
build on these rules, so the module sits below them all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from mercato.kit.money import exponent

# Deep pages cost an OFFSET scan and nobody reads them: like most search engines, results past
# this window are not served (narrow the query or the filters instead).
MAX_RESULT_WINDOW = 10_000
DEFAULT_PAGE_SIZE = 24
# Below this many full-text matches the engines widen the query to tolerate typos.
FEW_RESULTS = 3
# Prices are compared on one scale: thousandths of a major unit (KWD has 3 decimals).
PRICE_SCALE_EXPONENT = 3
# Price facet boundaries in major units; the last range is open-ended.
PRICE_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (0, 10),
    (10, 25),
    (25, 50),
    (50, 100),
    (100, 250),
    (250, 500),
    (500, None),
)
# Attributes become facets only while they look like a short list of choices (colour, size),
# not free text (a model number): at most this many distinct values among the results…
MAX_FACET_DISTINCT_VALUES = 15
MAX_FACET_VALUE_LENGTH = 60
MAX_ATTRIBUTE_FACETS = 6
MAX_SELLER_FACETS = 12

_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


def price_key(amount_minor: int, currency: str) -> int:
    """``amount_minor`` on the shared scale (thousandths of a major unit)."""
    return int(amount_minor * 10 ** (PRICE_SCALE_EXPONENT - exponent(currency)))


def major_to_key(amount: Decimal | int) -> int:
    """A major-unit amount (a price filter, a bucket boundary) on the shared scale."""
    return int(Decimal(amount) * 10**PRICE_SCALE_EXPONENT)


def bucket_label(low: int, high: int | None, symbol: str = "") -> str:
    if low == 0 and high is not None:
        return f"Under {symbol}{high}"
    if high is None:
        return f"{symbol}{low} and above"
    return f"{symbol}{low} to {symbol}{high}"


def bucket_value(low: int, high: int | None) -> str:
    """The facet value of a price bucket: ``"10-25"``, ``"500-"``."""
    return f"{low}-{'' if high is None else high}"


# --- text ------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without diacritics, as both engines index words (``Crème`` → ``creme``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words_of(text: str) -> list[str]:
    """The words of ``text`` as the tokenizers see them: runs of letters and digits."""
    return _WORD.findall(text)


@dataclass(frozen=True)
class Atom:
    """A word, or a quoted phrase of several words."""

    words: tuple[str, ...]
    quoted: bool = False

    @property
    def single(self) -> str | None:
        return self.words[0] if len(self.words) == 1 and not self.quoted else None


@dataclass
class ParsedQuery:
    """A web-search style query: every group must match (AND); inside a group any atom may
    (``OR``); a negated atom must not. ``prefix`` marks the last word as still being typed."""

    groups: list[list[Atom]] = field(default_factory=list)
    negated: list[Atom] = field(default_factory=list)
    prefix: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def single_words(self) -> list[str]:
        return [atom.single for group in self.groups for atom in group if atom.single]


def parse_query(text: str) -> ParsedQuery:
    """Parse the syntax of PostgreSQL's ``websearch_to_tsquery``: words, ``"quoted phrases"``,
    ``or`` between alternatives and ``-word`` to exclude. Anything else is just text."""
    parsed = ParsedQuery()
    pending_or = False
    for match in _TOKEN.finditer(text):
        phrase, raw = match.group(1), match.group(2)
        if raw is not None and raw.lower() == "or":
            pending_or = bool(parsed.groups)
            continue
        negate = raw is not None and raw.startswith("-") and len(raw) > 1
        words = words_of(raw[1:] if negate and raw else (phrase if raw is None else raw))
        if not words:
            continue
        atom = Atom(tuple(words), quoted=phrase is not None)
        if negate:
            parsed.negated.append(atom)
        elif pending_or:
            parsed.groups[-1].append(atom)
        else:
            parsed.groups.append([atom])
        pending_or = False
    last = parsed.groups[-1][-1] if parsed.groups else None
    parsed.prefix = bool(
        last is not None
        and last.single is not None
        and len(last.single) >= 2
        and not text.rstrip().endswith('"')
    )
    return parsed


def is_plain(text: str) -> bool:
    """Only words: no quotes, exclusions or ``or`` (so the last word may be a prefix)."""
    parsed = parse_query(text)
    return (
        '"' not in text
        and not parsed.negated
        and all(len(group) == 1 and group[0].single for group in parsed.groups)
    )


def plural_variants(word: str) -> list[str]:
    """Singular forms of an English plural, for the engine without a stemmer (SQLite)."""
    if len(word) > 4 and word.endswith("ies"):
        return [word[:-3] + "y"]
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return [word[:-2]]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return [word[:-1]]
    return []


# --- typo tolerance -----------------------------------------------------------------------------


def allowed_typos(word: str) -> int:
    """Edits tolerated in a word: none in short words (too many false friends), one from four
    letters, two from eight."""
    if len(word) < 4 or word.isdigit():
        return 0
    return 1 if len(word) < 8 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment: a swap of two neighbouring
    letters is one edit), or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1] if previous[-1] <= limit else limit + 1


def best_corrections(word: str, candidates: list[tuple[str, int]], *, keep: int = 3) -> list[str]:
    """The vocabulary terms closest to a misspelled ``word``: fewest edits first, then the most
    common. ``candidates`` are ``(term, number of listings)`` pairs."""
    limit = allowed_typos(word)
    if limit == 0:
        return []
    scored = []
    for term, documents in candidates:
        if term == word:
            continue
        distance = edit_distance(word, term, limit)
        if distance <= limit:
            scored.append((distance, -documents, term))
    scored.sort()
    if not scored:
        return []
    best = scored[0][0]
    return [term for distance, _, term in scored[:keep] if distance == best]
