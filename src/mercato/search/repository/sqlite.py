"""SQLite text matching with FTS5: the external-content table ``search_fts`` (title,
attributes_text, seller_name, description; unicode61 folding case and accents) ranked by bm25
with the title weighted highest. The word being typed also matches as a prefix and English
plurals match their singular. FTS5 has no fuzzy matching, so typos are corrected against the
index's own vocabulary (``search_fts_vocab``): unknown or rare words are or'ed with the closest
indexed words within one or two edits (Damerau-Levenshtein).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Float,
    Integer,
    TableValuedAlias,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.search.models import SearchEntry
from mercato.search.repository._query import TextMatch
from mercato.search.rules import (
    FEW_RESULTS,
    Atom,
    ParsedQuery,
    best_corrections,
    fold,
    parse_query,
    plural_variants,
)

FTS = table("search_fts", column("rowid", Integer))
FTS_COLUMN: ColumnClause[Any] = literal_column("search_fts")
# bm25 weights per FTS column, in declaration order: title, attributes, seller, description.
BM25_WEIGHTS = (10.0, 4.0, 4.0, 1.0)
# Candidates for a correction share the word's first letter; typos there are rare and this keeps
# the scan of the vocabulary short.
VOCABULARY_CANDIDATES = text(
    "SELECT term, doc FROM search_fts_vocab "
    "WHERE term >= :low AND term < :high AND length(term) BETWEEN :shortest AND :longest"
)
TERM_DOCUMENTS = text("SELECT doc FROM search_fts_vocab WHERE term = :term")


def _quoted(words: tuple[str, ...] | list[str]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def _atom(atom: Atom, *, prefix: bool, corrections: dict[str, list[str]]) -> list[str]:
    word = atom.single
    if word is None:
        return [_quoted(atom.words)]
    folded = fold(word)
    alternatives = [_quoted([word])]
    alternatives += [_quoted([variant]) for variant in plural_variants(folded)]
    alternatives += [_quoted([term]) for term in corrections.get(folded, [])]
    if prefix:
        alternatives.append(_quoted([word]) + "*")
    return alternatives


def fts_expression(parsed: ParsedQuery, corrections: dict[str, list[str]] | None = None) -> str:
    """The FTS5 query for ``parsed``: every word quoted, so nothing the buyer types is read as
    FTS5 syntax."""
    corrections = corrections or {}
    last = parsed.groups[-1][-1] if parsed.groups else None
    groups = []
    for group in parsed.groups:
        alternatives = [
            option
            for atom in group
            for option in _atom(
                atom, prefix=parsed.prefix and atom is last, corrections=corrections
            )
        ]
        groups.append("(" + " OR ".join(dict.fromkeys(alternatives)) + ")")
    return " AND ".join(groups)


def _negation(parsed: ParsedQuery) -> str:
    return " OR ".join(_quoted(atom.words) for atom in parsed.negated)


def _text_match(parsed: ParsedQuery, expression: str, **extra: Any) -> TextMatch:
    if not expression:
        # Only exclusions: everything except the documents that match them.
        excluded = select(FTS.c.rowid).where(FTS_COLUMN.op("MATCH")(_negation(parsed)))
        return TextMatch(predicate=SearchEntry.id.not_in(excluded), rank=literal(0.0), **extra)
    if parsed.negated:
        expression = f"({expression}) NOT ({_negation(parsed)})"
    return TextMatch(
        predicate=FTS_COLUMN.op("MATCH")(expression),
        # bm25 is lower for better matches; negated, higher is better like every other rank.
        rank=-func.bm25(FTS_COLUMN, *BM25_WEIGHTS, type_=Float),
        joins=((FTS, FTS.c.rowid == SearchEntry.id),),
        **extra,
    )


class SqliteMatcher:
    async def match(self, session: AsyncSession, text: str) -> TextMatch | None:
        parsed = parse_query(text)
        if parsed.is_empty and not parsed.negated:
            return None
        return _text_match(parsed, fts_expression(parsed))

    async def widen(self, session: AsyncSession, text: str) -> TextMatch | None:
        parsed = parse_query(text)
        corrections: dict[str, list[str]] = {}
        for word in parsed.single_words():
            folded = fold(word)
            if folded in corrections:
                continue
            found = await self._corrections(session, folded)
            if found:
                corrections[folded] = found
        if not corrections:
            return None
        corrected = " ".join(
            corrections[fold(word)][0] if fold(word) in corrections else word
            for word in text.split()
        )
        return _text_match(
            parsed,
            fts_expression(parsed, corrections),
            corrected_query=corrected,
            fuzzy=True,
        )

    async def _corrections(self, session: AsyncSession, word: str) -> list[str]:
        known = (await session.execute(TERM_DOCUMENTS, {"term": word})).scalar_one_or_none()
        if known is not None and known >= FEW_RESULTS:
            return []
        low = word[0]
        candidates = await session.execute(
            VOCABULARY_CANDIDATES,
            {
                "low": low,
                "high": chr(ord(low) + 1),
                "shortest": len(word) - 2,
                "longest": len(word) + 2,
            },
        )
        pairs = [
            (term, documents) for term, documents in candidates.all() if documents > (known or 0)
        ]
        return best_corrections(word, pairs)

    def facet_attributes(self) -> ColumnElement[Any]:
        return SearchEntry.__table__.c.attributes

    def in_chain(self, chain: ColumnElement[Any], category_id: uuid.UUID) -> None:
        """The category table's index serves SQLite well enough."""
        return None

    def json_pairs(self, document: ColumnElement[Any]) -> TableValuedAlias:
        return func.json_each(document).table_valued("key", "value")

    async def index_terms(self, session: AsyncSession, document_id: int) -> None:
        """Nothing to do: FTS5 keeps its vocabulary (``search_fts_vocab``) itself."""

    async def rebuild_terms(self, session: AsyncSession) -> None:
        # Merge the index's segments: a full re-index leaves many behind.
        await session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))


MATCHER = SqliteMatcher()
