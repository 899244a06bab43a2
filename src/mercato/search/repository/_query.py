"""The engine-neutral part of a search: filters, facets, sorting and paging around the text
match that the engine's :class:`TextMatcher` provides.

A search is two statements. The first finds the matching listings once (a materialized CTE) and
computes from them, in one round trip, the total, the ids of the requested page and every facet
(each counted with the other filters applied). The second loads that page's rows by key.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import (
    CTE,
    ColumnElement,
    FromClause,
    Integer,
    Select,
    String,
    TableValuedAlias,
    case,
    cast,
    func,
    literal,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.search.models import (
    SearchCategory,
    SearchEntry,
    SearchEntryAttribute,
    SearchEntryCategory,
    SuppressedSeller,
)
from mercato.search.rules import (
    FEW_RESULTS,
    MAX_ATTRIBUTE_FACETS,
    MAX_FACET_DISTINCT_VALUES,
    MAX_FACET_VALUE_LENGTH,
    MAX_SELLER_FACETS,
    PRICE_BUCKETS,
    bucket_value,
    major_to_key,
)
from mercato.search.schemas import RATING_THRESHOLDS, SearchQuery

Doc = SearchEntry
Link = SearchEntryCategory
Attr = SearchEntryAttribute


@dataclass(frozen=True)
class TextMatch:
    """How the engine matches the query text: tables to join, the condition, a relevance
    score (higher is better) and what was done to the query to find more."""

    predicate: ColumnElement[bool]
    rank: ColumnElement[Any]
    joins: tuple[tuple[FromClause, ColumnElement[bool]], ...] = ()
    corrected_query: str | None = None
    fuzzy: bool = False


class TextMatcher(Protocol):
    async def match(self, session: AsyncSession, text: str) -> TextMatch | None:
        """The exact match of ``text``; None when it holds no searchable word."""
        ...

    async def widen(self, session: AsyncSession, text: str) -> TextMatch | None:
        """A match that also tolerates typos; None when there is nothing to widen."""
        ...

    def facet_attributes(self) -> ColumnElement[Any]:
        """The document's attributes in the form :meth:`json_pairs` reads fastest."""
        ...

    def json_pairs(self, document: ColumnElement[Any]) -> TableValuedAlias:
        """The (key, value) rows of the :meth:`facet_attributes` column."""
        ...

    def in_chain(
        self, chain: ColumnElement[Any], category_id: uuid.UUID
    ) -> ColumnElement[bool] | None:
        """Whether a text match's category chain (the JSON list of id strings) holds the
        category, read from the row; None to look it up in the category table instead."""
        ...

    async def index_terms(self, session: AsyncSession, document_id: int) -> None:
        """Record a newly written document's words where typo correction looks for them."""
        ...

    async def rebuild_terms(self, session: AsyncSession) -> None:
        """Rebuild that vocabulary from every indexed document."""
        ...


@dataclass(frozen=True)
class FacetCount:
    value: str
    label: str
    count: int


@dataclass
class Found:
    """What the repository found; the service turns it into :class:`SearchResults`."""

    rows: Sequence[SearchEntry]
    total: int
    categories: list[FacetCount] = field(default_factory=list)
    category_path: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    prices: list[FacetCount] = field(default_factory=list)
    currencies: list[str] = field(default_factory=list)
    sellers: list[FacetCount] = field(default_factory=list)
    attributes: dict[str, list[FacetCount]] = field(default_factory=dict)
    ratings: dict[int, int] = field(default_factory=dict)  # threshold stars -> listings
    corrected_query: str | None = None
    fuzzy: bool = False


@dataclass
class _Summary:
    total: int = 0
    page: list[tuple[int, int]] = field(default_factory=list)  # (position, document id)
    categories: dict[str, int] = field(default_factory=dict)
    prices: dict[str, int] = field(default_factory=dict)
    currencies: list[str] = field(default_factory=list)
    sellers: list[FacetCount] = field(default_factory=list)
    attributes: dict[str, list[FacetCount]] = field(default_factory=dict)
    ratings: dict[int, int] = field(default_factory=dict)


# --- filters ------------------------------------------------------------------------------------

# A facet leaves out its own filter (so the buyer sees what else they could pick).
SKIP_PRICE, SKIP_SELLER, SKIP_ATTRIBUTES, SKIP_RATING = "price", "seller", "attr", "rating"


def _conditions(
    source: FromClause, query: SearchQuery, skip: str | None = None, skip_code: str | None = None
) -> list[ColumnElement[bool]]:
    # The category is no facet's own filter (the category facet lists the children of the
    # selected one): the source already holds only listings in it.
    columns = source.c
    conditions: list[ColumnElement[bool]] = []
    if skip != SKIP_PRICE:
        if query.price_min is not None:
            conditions.append(columns.price_key >= major_to_key(query.price_min))
        if query.price_max is not None:
            conditions.append(columns.price_key <= major_to_key(query.price_max))
    if query.sellers and skip != SKIP_SELLER:
        conditions.append(columns.seller_id.in_(query.sellers))
    if query.rating_min is not None and skip != SKIP_RATING:
        conditions.append(columns.rating_tenths >= query.rating_min * 10)
    if skip != SKIP_ATTRIBUTES:
        for code, values in sorted(query.attributes.items()):
            if code != skip_code:
                conditions.append(_has_attribute(source, code, values))
    return conditions


def _has_attribute(source: FromClause, code: str, values: list[str]) -> ColumnElement[bool]:
    if isinstance(source, CTE):
        # The matches are already few and in hand: reading the value from each row beats
        # one index probe per row into the attribute table, repeated in every facet branch.
        value: ColumnElement[Any] = source.c.attributes[code].as_string()
        return value.in_(values)
    # Over every listing, the attribute index finds the few that have the value.
    having = select(Attr.document_id).where(Attr.code == code, Attr.value.in_(values))
    return source.c.id.in_(having)


def _source(match: TextMatch | None, query: SearchQuery, matcher: TextMatcher) -> FromClause:
    """The listings matching the text, in the selected category: computed once for every
    branch of the summary. Without text or category every listing matches: the branches
    then read the table itself (an inlined subquery), not a copy of it."""
    rank = match.rank if match is not None else literal(0.0)
    statement = select(
        Doc.id,
        Doc.seller_id,
        Doc.seller_name,
        Doc.price_key,
        Doc.currency,
        matcher.facet_attributes().label("attributes"),
        Doc.category_ids,
        Doc.published_at,
        Doc.rating_tenths,
        Doc.rating_count,
        rank.label("rank"),
    ).select_from(Doc)
    # A seller whose standing was lowered for poor performance is out of every result and
    # facet count; its listings stay reachable by direct link.
    statement = statement.where(Doc.seller_id.not_in(select(SuppressedSeller.seller_id)))
    if match is None and query.category is None:
        return statement.subquery("documents")
    if match is not None:
        for table, onclause in match.joins:
            statement = statement.join(table, onclause)
        statement = statement.where(match.predicate)
    if query.category is not None:
        # Among the few rows a text matched, reading each one's chain beats joining the
        # category's (possibly tens of thousands of) rows in the category table.
        in_row = matcher.in_chain(Doc.__table__.c.category_ids, query.category) if match else None
        in_category = select(Link.document_id).where(Link.category_id == query.category)
        statement = statement.where(in_row if in_row is not None else Doc.id.in_(in_category))
    return statement.cte("matches").prefix_with("MATERIALIZED")


def _order(query: SearchQuery, source: FromClause, ranked: bool) -> Sequence[ColumnElement[Any]]:
    # Every order ends on the row key so equal values never swap places between pages.
    columns = source.c
    if query.sort == "price_asc":
        return [columns.price_key.asc(), columns.id.asc()]
    if query.sort == "price_desc":
        return [columns.price_key.desc(), columns.id.desc()]
    if query.sort == "top_rated":
        # Unrated listings (0) come last; among equals, the better-attested rating first.
        return [columns.rating_tenths.desc(), columns.rating_count.desc(), columns.id.desc()]
    newest: list[ColumnElement[Any]] = [
        columns.published_at.desc().nulls_last(),
        columns.id.desc(),
    ]
    if query.sort == "newest" or not ranked:
        return newest
    return [columns.rank.desc(), *newest]


def _row(facet: str, value: Any, label: Any, count: Any) -> list[ColumnElement[Any]]:
    return [
        literal(facet, String).label("facet"),
        cast(value, String).label("value"),
        cast(label, String).label("label"),
        cast(count, Integer).label("n"),
    ]


# --- the summary: total, page, facets ------------------------------------------------------


def _total(source: FromClause, query: SearchQuery) -> Select[Any]:
    return (
        select(*_row("total", null(), null(), func.count()))
        .select_from(source)
        .where(*_conditions(source, query))
    )


def _page(source: FromClause, query: SearchQuery, ranked: bool) -> Select[Any]:
    order = _order(query, source, ranked)
    ordered = (
        select(source.c.id, func.row_number().over(order_by=order).label("position"))
        .where(*_conditions(source, query))
        .order_by(*order)
        .offset((query.page - 1) * query.limit)
        .limit(query.limit)
        .subquery("page")
    )
    return select(*_row("hit", ordered.c.id, null(), ordered.c.position))


def _categories(source: FromClause, query: SearchQuery, depth: int) -> Select[Any]:
    """Listings per category one level below the selected one (or at the top): every
    listing carries its chain of categories, so this is a read, not a join."""
    level = source.c.category_ids[depth].as_string()
    return (
        select(*_row("category", level, null(), func.count()))
        .where(*_conditions(source, query), level.is_not(None))
        .group_by(level)
    )


def _prices(source: FromClause, query: SearchQuery) -> list[Select[Any]]:
    whens = [
        (source.c.price_key < major_to_key(high), index)
        for index, (_low, high) in enumerate(PRICE_BUCKETS)
        if high is not None
    ]
    bucket = case(*whens, else_=len(PRICE_BUCKETS) - 1)
    others = _conditions(source, query, SKIP_PRICE)
    return [
        select(*_row("price", bucket, null(), func.count())).where(*others).group_by(bucket),
        select(*_row("currency", source.c.currency, null(), func.count()))
        .where(*others)
        .group_by(source.c.currency),
    ]


def _ratings(source: FromClause, query: SearchQuery) -> list[Select[Any]]:
    """Listings averaging at least each threshold ("4★ & up"), the rating filter left out."""
    others = _conditions(source, query, SKIP_RATING)
    return [
        select(*_row("rating", literal(stars), null(), func.count())).where(
            *others, source.c.rating_tenths >= stars * 10
        )
        for stars in RATING_THRESHOLDS
    ]


def _sellers(source: FromClause, query: SearchQuery) -> Select[Any]:
    count = func.count().label("n")
    name = func.max(source.c.seller_name).label("name")
    top = (
        select(source.c.seller_id, name, count)
        .where(*_conditions(source, query, SKIP_SELLER))
        .group_by(source.c.seller_id)
        .order_by(count.desc(), name)
        .limit(MAX_SELLER_FACETS)
        .subquery("sellers")
    )
    return select(*_row("seller", top.c.seller_id, top.c.name, top.c.n))


def _attributes(source: FromClause, query: SearchQuery, matcher: TextMatcher) -> list[Select[Any]]:
    """Values of attributes that look like a short list of choices (colour, size), not free
    text; an attribute the buyer filters on is counted without that filter."""
    pairs = matcher.json_pairs(source.c.attributes)
    filtered = sorted(query.attributes)
    counted = (
        select(pairs.c.key.label("code"), pairs.c.value.label("value"), func.count().label("n"))
        .select_from(source)
        .join(pairs, true())
        .where(*_conditions(source, query), pairs.c.key.not_in(filtered))
        .group_by(pairs.c.key, pairs.c.value)
        .subquery("counted")
    )
    shaped = select(
        counted,
        func.count().over(partition_by=counted.c.code).label("choices"),
        func.max(func.length(counted.c.value)).over(partition_by=counted.c.code).label("longest"),
    ).subquery("shaped")
    branches = [
        select(*_row("attr", shaped.c.value, shaped.c.code, shaped.c.n)).where(
            shaped.c.choices <= MAX_FACET_DISTINCT_VALUES,
            shaped.c.longest <= MAX_FACET_VALUE_LENGTH,
        )
    ]
    for code in filtered:
        own = matcher.json_pairs(source.c.attributes)
        branches.append(
            select(*_row("attr", own.c.value, literal(code, String), func.count()))
            .select_from(source)
            .join(own, true())
            .where(*_conditions(source, query, skip_code=code), own.c.key == code)
            .group_by(own.c.value)
        )
    return branches


async def _summarize(
    session: AsyncSession,
    match: TextMatch | None,
    query: SearchQuery,
    matcher: TextMatcher,
    category_depth: int | None,
) -> _Summary:
    source = _source(match, query, matcher)
    branches = [_total(source, query), _page(source, query, match is not None)]
    if category_depth is not None:
        branches.append(_categories(source, query, category_depth))
    branches += _prices(source, query)
    branches += _ratings(source, query)
    branches.append(_sellers(source, query))
    branches += _attributes(source, query, matcher)
    summary = _Summary()
    for facet, value, label, count in (await session.execute(union_all(*branches))).all():
        if facet == "total":
            summary.total = count
        elif facet == "hit":
            summary.page.append((count, int(value)))
        elif facet == "category":
            summary.categories[value] = count
        elif facet == "price":
            low, high = PRICE_BUCKETS[int(value)]
            summary.prices[bucket_value(low, high)] = count
        elif facet == "currency":
            summary.currencies.append(value)
        elif facet == "rating":
            if count:
                summary.ratings[int(value)] = count
        elif facet == "seller":
            summary.sellers.append(FacetCount(str(uuid.UUID(value)), label, count))
        elif facet == "attr":
            summary.attributes.setdefault(label, []).append(FacetCount(value, value, count))
    summary.sellers.sort(key=lambda facet: (-facet.count, facet.label.casefold()))
    return summary


# --- the search ----------------------------------------------------------------------------


async def _selected_category(
    session: AsyncSession, category_id: uuid.UUID | None
) -> list[SearchCategory]:
    """The selected category and its ancestors, root first (empty when none is selected or it
    holds no listing)."""
    chain: list[SearchCategory] = []
    current = await session.get(SearchCategory, category_id) if category_id else None
    while current is not None and len(chain) < 32:
        chain.append(current)
        current = (
            await session.get(SearchCategory, current.parent_id) if current.parent_id else None
        )
    return list(reversed(chain))


async def run_search(session: AsyncSession, query: SearchQuery, matcher: TextMatcher) -> Found:
    chain = await _selected_category(session, query.category)
    # Children of the selected category sit one level below it in every listing's chain.
    depth = len(chain) if query.category is None or chain else None
    match = await matcher.match(session, query.text) if query.text else None
    summary = await _summarize(session, match, query, matcher, depth)
    if match is not None and summary.total < FEW_RESULTS:
        wider = await matcher.widen(session, query.text)
        if wider is not None:
            widened = await _summarize(session, wider, query, matcher, depth)
            if widened.total > summary.total:
                match, summary = wider, widened
    return Found(
        rows=await _rows(session, summary),
        total=summary.total,
        categories=await _category_facet(session, summary),
        category_path=[(category.id, category.name) for category in chain],
        prices=[FacetCount(value, "", count) for value, count in summary.prices.items()],
        currencies=sorted(summary.currencies),
        sellers=summary.sellers,
        ratings=summary.ratings,
        attributes=_choose_attributes(summary.attributes, query),
        corrected_query=match.corrected_query if match else None,
        fuzzy=match.fuzzy if match else False,
    )


async def _rows(session: AsyncSession, summary: _Summary) -> list[SearchEntry]:
    ids = [document_id for _, document_id in sorted(summary.page)]
    if not ids:
        return []
    found = {
        row.id: row for row in (await session.execute(select(Doc).where(Doc.id.in_(ids)))).scalars()
    }
    return [found[document_id] for document_id in ids if document_id in found]


async def _category_facet(session: AsyncSession, summary: _Summary) -> list[FacetCount]:
    if not summary.categories:
        return []
    ids = [uuid.UUID(value) for value in summary.categories]
    names = {
        category.id: category.name
        for category in (
            await session.execute(select(SearchCategory).where(SearchCategory.id.in_(ids)))
        ).scalars()
    }
    facets = [
        FacetCount(str(category_id), names.get(category_id, "?"), summary.categories[value])
        for value, category_id in zip(summary.categories, ids, strict=True)
    ]
    return sorted(facets, key=lambda facet: (-facet.count, facet.label.casefold()))


def _choose_attributes(
    counted: dict[str, list[FacetCount]], query: SearchQuery
) -> dict[str, list[FacetCount]]:
    """The attributes buyers filter on, then the ones covering most listings."""
    coverage = {code: sum(value.count for value in values) for code, values in counted.items()}
    others = sorted(
        (code for code in counted if code not in query.attributes),
        key=lambda code: (-coverage[code], code),
    )[:MAX_ATTRIBUTE_FACETS]
    chosen = [code for code in sorted(query.attributes) if code in counted] + others
    return {
        code: sorted(counted[code], key=lambda value: (-value.count, value.value.casefold()))
        for code in chosen
    }


def pages_for(total: int, limit: int) -> int:
    return max(1, math.ceil(total / limit))
