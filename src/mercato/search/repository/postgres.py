"""PostgreSQL text matching: ``websearch_to_tsquery`` over the weighted ``search_vector``
(title A, attributes and seller B, description C; GIN index), ranked by ``ts_rank_cd``; the word
being typed also matches as a prefix.

Typos, when the exact query finds few listings: each unknown word is compared with the
vocabulary of indexed words (``search_term``), whose trigram index (pg_trgm) proposes the
candidates; the closest within one or two edits (Damerau-Levenshtein) are or'ed into the query.
When no word can be corrected, titles with a word similar to each query word (trigram word
similarity, served by the trigram index on the title) are the last resort.

The text search configurations ``search_english`` (stemming) and ``search_simple`` (exact words,
for prefixes and the vocabulary) both fold accents (unaccent); the migration creates them.
pg_trgm lives in ``public``, so its functions and operators are referred to unqualified.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Float,
    TableValuedAlias,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.search.models import SearchEntry
from mercato.search.repository._query import TextMatch
from mercato.search.rules import (
    Atom,
    allowed_typos,
    best_corrections,
    fold,
    is_plain,
    parse_query,
    words_of,
)

STEMMED: ColumnClause[Any] = literal_column("'search_english'::regconfig")
EXACT: ColumnClause[Any] = literal_column("'search_simple'::regconfig")
VECTOR: ColumnClause[Any] = literal_column("search_document.search_vector")
FACET_ATTRIBUTES: ColumnClause[Any] = literal_column(
    "search_document.attribute_facets", type_=JSONB
)
# ts_rank_cd normalization 32 maps a rank r to r / (r + 1): in [0, 1), so exact matches can be
# placed above approximate ones by adding 1.
RANK_NORMALIZATION = 32
# pg_trgm's default thresholds miss a swap of two letters in a short word ("iphnoe" scores 0.27
# similarity and 0.43 word similarity against "iphone"); these keep such candidates, and the
# edit distance then decides.
SIMILARITY_THRESHOLD = "0.2"
WORD_SIMILARITY_THRESHOLD = "0.4"
MIN_FUZZY_WORD = 3
CANDIDATES = text(
    "SELECT term, similarity(term, :word) AS closeness FROM search_term "
    "WHERE term % :word AND length(term) BETWEEN :shortest AND :longest "
    "ORDER BY closeness DESC LIMIT 50"
)
KNOWN = text("SELECT 1 FROM search_term WHERE term = :word")
# The words of a document as the vocabulary keeps them: folded, three letters or more, without
# digits (model numbers are not misspelt words, and would swamp the vocabulary).
DOCUMENT_TERMS = """
    SELECT DISTINCT word FROM search_document AS d,
        unnest(tsvector_to_array(to_tsvector('search_simple'::regconfig,
            d.title || ' ' || d.attributes_text || ' ' || d.seller_name))) AS word
    WHERE length(word) >= 3 AND word !~ '[0-9]'
"""
INDEX_TERMS = text(
    f"INSERT INTO search_term (term) {DOCUMENT_TERMS} AND d.id = :document_id "
    "ON CONFLICT DO NOTHING"
)
REBUILD_TERMS = (
    text("TRUNCATE search_term"),
    text(f"INSERT INTO search_term (term) {DOCUMENT_TERMS}"),
)


def _tsquery(query_text: str) -> ColumnElement[Any]:
    """The query as typed, or'ed with the same query whose last word is a prefix."""
    full = func.websearch_to_tsquery(STEMMED, literal(query_text, Text))
    parsed = parse_query(query_text)
    if not (parsed.prefix and is_plain(query_text)):
        return full
    words = words_of(query_text)
    # Only letters and digits reach to_tsquery, so no tsquery syntax can be injected.
    prefix: ColumnElement[Any] = func.to_tsquery(EXACT, literal(f"{words[-1]}:*", Text))
    if len(words) > 1:
        head = func.websearch_to_tsquery(STEMMED, literal(" ".join(words[:-1]), Text))
        prefix = head.op("&&")(prefix)
    return full.op("||")(prefix)


def _atom_query(atom: Atom, corrections: dict[str, list[str]]) -> ColumnElement[Any]:
    if atom.single is None:
        return func.phraseto_tsquery(STEMMED, literal(" ".join(atom.words), Text))
    query: ColumnElement[Any] = func.plainto_tsquery(STEMMED, literal(atom.single, Text))
    for term in corrections.get(fold(atom.single), []):
        query = query.op("||")(func.plainto_tsquery(STEMMED, literal(term, Text)))
    return query


def _corrected_tsquery(query_text: str, corrections: dict[str, list[str]]) -> ColumnElement[Any]:
    """The query with each misspelt word or'ed with its corrections."""
    parsed = parse_query(query_text)
    groups = []
    for group in parsed.groups:
        alternatives = [_atom_query(atom, corrections) for atom in group]
        combined = alternatives[0]
        for alternative in alternatives[1:]:
            combined = combined.op("||")(alternative)
        groups.append(combined)
    query = groups[0]
    for group_query in groups[1:]:
        query = query.op("&&")(group_query)
    for atom in parsed.negated:
        # tsquery_not is the function behind the !! operator.
        unwanted = func.phraseto_tsquery(STEMMED, literal(" ".join(atom.words), Text))
        query = query.op("&&")(func.tsquery_not(unwanted))
    return query


async def _set_threshold(session: AsyncSession, name: str, value: str) -> None:
    # is_local keeps the setting to the transaction (one request).
    await session.execute(select(func.set_config(f"pg_trgm.{name}", value, True)))


class PostgresMatcher:
    async def match(self, session: AsyncSession, query_text: str) -> TextMatch | None:
        if not words_of(query_text):
            return None
        query = _tsquery(query_text)
        return TextMatch(
            predicate=VECTOR.op("@@")(query),
            rank=func.ts_rank_cd(VECTOR, query, RANK_NORMALIZATION, type_=Float),
        )

    async def widen(self, session: AsyncSession, query_text: str) -> TextMatch | None:
        parsed = parse_query(query_text)
        if parsed.is_empty:
            return None
        corrections: dict[str, list[str]] = {}
        for word in parsed.single_words():
            folded = fold(word)
            if folded not in corrections and allowed_typos(folded):
                found = await self._corrections(session, folded)
                if found:
                    corrections[folded] = found
        if corrections:
            query = _corrected_tsquery(query_text, corrections)
            corrected = " ".join(
                corrections[fold(word)][0] if fold(word) in corrections else word
                for word in query_text.split()
            )
            return TextMatch(
                predicate=VECTOR.op("@@")(query),
                rank=func.ts_rank_cd(VECTOR, query, RANK_NORMALIZATION, type_=Float),
                corrected_query=corrected,
                fuzzy=True,
            )
        return await self._similar_titles(session, query_text)

    async def _corrections(self, session: AsyncSession, word: str) -> list[str]:
        if (await session.execute(KNOWN, {"word": word})).first() is not None:
            return []
        await _set_threshold(session, "similarity_threshold", SIMILARITY_THRESHOLD)
        rows = await session.execute(
            CANDIDATES, {"word": word, "shortest": len(word) - 2, "longest": len(word) + 2}
        )
        return best_corrections(word, [(term, int(closeness * 1000)) for term, closeness in rows])

    async def _similar_titles(self, session: AsyncSession, query_text: str) -> TextMatch | None:
        """Full-text matches first, then titles with, for every word of the query, a similar
        word ("iphnoe" finds "iPhone")."""
        parsed = parse_query(query_text)
        needles = list(
            dict.fromkeys(
                word.lower()
                for group in parsed.groups
                for atom in group
                for word in atom.words
                if len(word) >= MIN_FUZZY_WORD
            )
        )
        if not needles:
            return None
        await _set_threshold(session, "word_similarity_threshold", WORD_SIMILARITY_THRESHOLD)
        exact = _tsquery(query_text)
        in_text = VECTOR.op("@@")(exact)
        similar = and_(*(literal(word, Text).op("<%")(SearchEntry.title) for word in needles))
        if parsed.negated:
            # Exclusions still hold: "-red" keeps red listings out of the approximate matches.
            excluded = " or ".join(" ".join(atom.words) for atom in parsed.negated)
            unwanted = func.websearch_to_tsquery(STEMMED, literal(excluded, Text))
            similar = and_(similar, ~VECTOR.op("@@")(unwanted))
        closeness = sum(
            (
                func.word_similarity(literal(word, Text), SearchEntry.title, type_=Float)
                for word in needles
            ),
            start=literal(0.0),
        ) / len(needles)
        rank = case(
            (in_text, 1 + func.ts_rank_cd(VECTOR, exact, RANK_NORMALIZATION, type_=Float)),
            else_=closeness,
        )
        return TextMatch(predicate=or_(in_text, similar), rank=rank, fuzzy=True)

    def facet_attributes(self) -> ColumnElement[Any]:
        # The jsonb copy of the attributes that the migration generates: no JSON parsing per
        # matching row (``attributes`` stays json, which keeps the seller's order).
        return FACET_ATTRIBUTES

    def json_pairs(self, document: ColumnElement[Any]) -> TableValuedAlias:
        return func.jsonb_each_text(document).table_valued("key", "value")

    def in_chain(self, chain: ColumnElement[Any], category_id: uuid.UUID) -> ColumnElement[bool]:
        return cast(chain, JSONB).contains([str(category_id)])

    async def index_terms(self, session: AsyncSession, document_id: int) -> None:
        await session.execute(INDEX_TERMS, {"document_id": document_id})

    async def rebuild_terms(self, session: AsyncSession) -> None:
        for statement in REBUILD_TERMS:
            await session.execute(statement)


MATCHER = PostgresMatcher()
