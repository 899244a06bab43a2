"""A seeded generator of a whole marketplace for the benchmark, bulk-loaded into PostgreSQL.

It writes what the application itself would have written, table by table: accounts (an admin,
one owner per seller, buyers), admitted sellers, the category tree with typed attributes,
listings (goods and services) with their variants, and the search index of those listings. The
vocabulary comes from :mod:`bench.search_dataset`. The same seed always yields the same rows (ids
included), so runs are comparable.

Loading is a list of steps (:data:`STEPS`), the last of them the past orders
(:mod:`bench.orders`). :func:`grow_search_index` and :func:`load_search_only` build the larger and
smaller sizes of the search scale curve.
"""

from __future__ import annotations

import json
import random
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from bench import search_dataset as vocabulary
from mercato.kit.crypto import KeyRing
from mercato.search.rules import price_key

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
CURRENCY = "EUR"
PASSWORD = "bench-password-2026"  # noqa: S105 (a throwaway password of generated accounts)
EMAIL_DOMAIN = "bench.mercato.test"
ADMIN_EMAIL = f"admin@{EMAIL_DOMAIN}"

# Bookable services beside the goods of the search vocabulary: (names, providers, price range).
SERVICE_TREE: dict[str, dict[str, tuple[list[str], list[str], tuple[int, int]]]] = {
    "Services": {
        "Repairs": (
            ["phone screen repair", "bike service", "laptop repair", "shoe repair", "watch repair"],
            ["FixIt", "Repair Café", "Mend & Co", "Second Life", "Toolbox"],
            (15, 180),
        ),
        "Lessons": (
            ["pottery class", "guitar lesson", "cooking class", "yoga session", "language lesson"],
            ["Atelier Lumière", "Studio Kiln", "Kitchen Lab", "Open Mat", "Polyglot"],
            (20, 120),
        ),
    }
}
SERVICE_FORMATS = ["In person", "Online"]


@dataclass(frozen=True)
class Scale:
    sellers: int
    listings: int
    buyers: int
    past_orders: int = 0  # completed and released long ago (see bench.orders)


FULL = Scale(sellers=1_000, listings=100_000, buyers=10_000, past_orders=50_000)
SMOKE = Scale(sellers=20, listings=2_000, buyers=200, past_orders=500)


@dataclass(frozen=True)
class CategoryRecord:
    id: uuid.UUID
    name: str
    slug: str
    parent: CategoryRecord | None
    kind: str  # goods | service
    nouns: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    price_range: tuple[int, int] = (1, 1)


@dataclass(frozen=True)
class SellerRecord:
    index: int
    id: uuid.UUID
    user_id: uuid.UUID
    business_name: str
    email: str


@dataclass(frozen=True)
class VariantRecord:
    id: uuid.UUID
    sku: str
    options: dict[str, str]
    price_minor: int
    stock: int
    weight_grams: int | None
    position: int


@dataclass(frozen=True)
class ListingRecord:
    index: int
    id: uuid.UUID
    seller: SellerRecord
    kind: str
    title: str
    description: str
    category: CategoryRecord
    attributes: dict[str, str]
    published_at: datetime
    duration_minutes: int | None
    capacity: int | None
    variants: tuple[VariantRecord, ...] = field(default=())

    @property
    def option_names(self) -> list[str]:
        return list(self.variants[0].options) if self.variants else []


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _id(kind: str, key: object) -> uuid.UUID:
    return uuid.uuid5(vocabulary.NAMESPACE, f"{kind}:{key}")


def categories() -> list[CategoryRecord]:
    """Every category, parents before their children; leaves carry their vocabulary. Ids match
    :mod:`bench.search_dataset`, so both generators file listings in the same tree."""
    records = []
    trees = [("goods", vocabulary.TREE), ("service", SERVICE_TREE)]
    for kind, tree in trees:
        for top_name, children in tree.items():
            top = CategoryRecord(_id("category", top_name), top_name, slugify(top_name), None, kind)
            records.append(top)
            for name, (nouns, brands, prices) in children.items():
                category_id = _id("category", f"{top_name}/{name}")
                leaf = CategoryRecord(
                    category_id, name, slugify(name), top, kind, tuple(nouns), tuple(brands), prices
                )
                records.append(leaf)
    return records


def leaves() -> list[CategoryRecord]:
    return [category for category in categories() if category.parent is not None]


def attribute_definitions(top: CategoryRecord) -> list[tuple[str, str, str, list[str]]]:
    """(code, name, kind, allowed values) of a top-level category, inherited by its children."""
    if top.kind == "service":
        return [("format", "Format", "enum", SERVICE_FORMATS)]
    definitions = [
        ("colour", "Colour", "enum", vocabulary.COLOURS),
        ("material", "Material", "enum", vocabulary.MATERIALS),
    ]
    if top.name == "Fashion":
        definitions.append(("size", "Size", "enum", vocabulary.SIZES))
    definitions.append(("model", "Model", "text", []))
    return definitions


def sellers(scale: Scale, seed: int = 42) -> list[SellerRecord]:
    rng = random.Random(f"{seed}:sellers")
    records = []
    for index in range(1, scale.sellers + 1):
        name = f"{rng.choice(vocabulary.SELLER_WORDS)} {rng.choice(vocabulary.SELLER_NOUNS)}"
        records.append(
            SellerRecord(
                index=index,
                id=_id("seller", f"{seed}:{index}"),
                user_id=_id("seller-owner", f"{seed}:{index}"),
                business_name=f"{name} {index}",
                email=seller_email(index),
            )
        )
    return records


def seller_email(index: int) -> str:
    return f"seller{index}@{EMAIL_DOMAIN}"


def buyer_email(index: int) -> str:
    return f"buyer{index}@{EMAIL_DOMAIN}"


def listings(scale: Scale, seed: int = 42) -> Iterator[ListingRecord]:
    """``scale.listings`` listings spread over the sellers; about one in eight is a service."""
    rng = random.Random(f"{seed}:listings")
    all_sellers = sellers(scale, seed)
    goods = [leaf for leaf in leaves() if leaf.kind == "goods"]
    services = [leaf for leaf in leaves() if leaf.kind == "service"]
    for index in range(scale.listings):
        category = rng.choice(services if rng.random() < 0.125 else goods)
        seller = rng.choice(all_sellers)
        if category.kind == "service":
            yield _service(rng, seed, index, seller, category)
        else:
            yield _goods(rng, seed, index, seller, category)


def _price(rng: random.Random, price_range: tuple[int, int]) -> int:
    low, high = price_range
    # Log-uniform over the category's range, in cents, with shop-like endings.
    return int(round(low * (high / low) ** rng.random(), 0)) * 100 + rng.choice([0, 50, 99])


def _published(rng: random.Random) -> datetime:
    return EPOCH - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))


def _goods(
    rng: random.Random, seed: int, index: int, seller: SellerRecord, category: CategoryRecord
) -> ListingRecord:
    noun, brand = rng.choice(category.nouns), rng.choice(category.brands)
    adjective = rng.choice(vocabulary.ADJECTIVES)
    colour, material = rng.choice(vocabulary.COLOURS), rng.choice(vocabulary.MATERIALS)
    model = f"{rng.choice('ABCDEFGHKMNPRSTX')}{rng.randint(1, 999)}"
    title = rng.choice(
        [
            f"{brand} {adjective} {noun}",
            f"{adjective.capitalize()} {colour.lower()} {noun} by {brand}",
            f"{brand} {noun} {model}",
            f"{adjective.capitalize()} {material.lower()} {noun}",
        ]
    )
    description = " ".join(
        [
            f"A {adjective} {noun} in {colour.lower()} {material.lower()}.",
            *rng.sample(vocabulary.SENTENCES, 3),
        ]
    )
    attributes = {"colour": colour, "material": material, "model": model}
    price = _price(rng, category.price_range)
    in_stock = rng.random() > 0.08
    weight = rng.randint(50, 5000)
    listing_id = _id("listing", f"{seed}:{index}")
    if category.parent is not None and category.parent.name == "Fashion":
        sizes = sorted(rng.sample(vocabulary.SIZES, rng.randint(2, 4)), key=vocabulary.SIZES.index)
        variants = tuple(
            VariantRecord(
                id=_id("variant", f"{seed}:{index}:{position}"),
                sku=f"L{index}-{size}",
                options={"Size": size},
                price_minor=price + position * 200,
                stock=rng.randint(1, 40) if in_stock else 0,
                weight_grams=weight,
                position=position,
            )
            for position, size in enumerate(sizes)
        )
        attributes = {"colour": colour, "material": material, "size": sizes[0], "model": model}
    else:
        variants = (
            VariantRecord(
                id=_id("variant", f"{seed}:{index}:0"),
                sku=f"L{index}",
                options={},
                price_minor=price,
                stock=rng.randint(1, 200) if in_stock else 0,
                weight_grams=weight,
                position=0,
            ),
        )
    return ListingRecord(
        index=index,
        id=listing_id,
        seller=seller,
        kind="goods",
        title=title,
        description=description,
        category=category,
        attributes=attributes,
        published_at=_published(rng),
        duration_minutes=None,
        capacity=None,
        variants=variants,
    )


def _service(
    rng: random.Random, seed: int, index: int, seller: SellerRecord, category: CategoryRecord
) -> ListingRecord:
    name, provider = rng.choice(category.nouns), rng.choice(category.brands)
    form = rng.choice(SERVICE_FORMATS)
    duration = rng.choice([30, 45, 60, 90, 120])
    title = rng.choice(
        [f"{name.capitalize()} with {provider}", f"{duration}-minute {name}", f"{form} {name}"]
    )
    description = " ".join(
        [f"A {duration}-minute {name}, {form.lower()}.", *rng.sample(vocabulary.SENTENCES, 2)]
    )
    variant = VariantRecord(
        id=_id("variant", f"{seed}:{index}:0"),
        sku=f"S{index}",
        options={},
        price_minor=_price(rng, category.price_range),
        stock=rng.randint(0, 30),
        weight_grams=None,
        position=0,
    )
    return ListingRecord(
        index=index,
        id=_id("listing", f"{seed}:{index}"),
        seller=seller,
        kind="service",
        title=title,
        description=description,
        category=category,
        attributes={"format": form},
        published_at=_published(rng),
        duration_minutes=duration,
        capacity=rng.choice([1, 1, 2, 4, 8]),
        variants=(variant,),
    )


# --- rows ------------------------------------------------------------------------------------


def listing_row(listing: ListingRecord) -> tuple[object, ...]:
    return (
        listing.id,
        listing.seller.id,
        listing.kind,
        listing.title,
        listing.description,
        listing.category.id,
        json.dumps(listing.attributes),
        json.dumps(listing.option_names),
        CURRENCY,
        "published",
        listing.published_at,
        listing.duration_minutes,
        listing.capacity,
        listing.published_at,
        listing.published_at,
    )


LISTING_COLUMNS = [
    "id",
    "seller_id",
    "kind",
    "title",
    "description",
    "category_id",
    "attributes",
    "option_names",
    "currency",
    "status",
    "published_at",
    "duration_minutes",
    "capacity",
    "created_at",
    "updated_at",
]
VARIANT_COLUMNS = [
    "id",
    "listing_id",
    "seller_id",
    "sku",
    "options",
    "price_minor",
    "stock",
    "weight_grams",
    "position",
    "created_at",
    "updated_at",
]


def variant_rows(listing: ListingRecord) -> list[tuple[object, ...]]:
    return [
        (
            variant.id,
            listing.id,
            listing.seller.id,
            variant.sku,
            json.dumps(variant.options),
            variant.price_minor,
            variant.stock,
            variant.weight_grams,
            variant.position,
            listing.published_at,
            listing.published_at,
        )
        for variant in listing.variants
    ]


def search_rows(
    listing: ListingRecord, document_id: int
) -> tuple[tuple[object, ...], list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The listing as the search index holds it (what ``ListingChanged`` would write): the
    document row in :data:`bench.search_dataset.DOCUMENT_COLUMNS` order, its category rows
    and its attribute rows."""
    prices = [variant.price_minor for variant in listing.variants]
    parent = listing.category.parent
    chain = [parent, listing.category] if parent is not None else [listing.category]
    document = (
        document_id,
        listing.id,
        listing.seller.id,
        listing.seller.business_name,
        listing.title,
        listing.description,
        " ".join(listing.attributes.values()),
        json.dumps(listing.attributes),
        listing.kind,
        listing.category.id,
        json.dumps([str(node.id) for node in chain]),
        json.dumps([node.name for node in chain]),
        CURRENCY,
        min(prices),
        max(prices),
        price_key(min(prices), CURRENCY),
        any(variant.stock > 0 for variant in listing.variants),
        None,
        listing.published_at,
        EPOCH,
    )
    category_rows: list[tuple[object, ...]] = [(document_id, node.id) for node in chain]
    attribute_rows: list[tuple[object, ...]] = [
        (document_id, code, value) for code, value in listing.attributes.items()
    ]
    return document, category_rows, attribute_rows


# --- loading ---------------------------------------------------------------------------------


@dataclass
class LoadContext:
    """What every loading step needs: the connection, the size, and how to protect secrets."""

    connection: asyncpg.Connection
    scale: Scale
    seed: int
    keyring: KeyRing
    password_hash: str
    pricing: Any = None  # bench.fees.Pricing: the commission rules the past orders paid


Step = Callable[[LoadContext], Awaitable[None]]
BATCH = 5_000


async def _copy(
    connection: asyncpg.Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[object, ...]],
) -> None:
    if rows:
        await connection.copy_records_to_table(table, records=rows, columns=list(columns))


async def load_accounts(context: LoadContext) -> None:
    """The admin, one owner per seller and the buyers; all share one password hash (hashing
    11,000 passwords with Argon2 would dominate the set-up for nothing)."""
    rows: list[tuple[object, ...]] = []
    encrypt = context.keyring.encrypt

    def user(user_id: uuid.UUID, email: str, role: str, name: str) -> tuple[object, ...]:
        return (
            user_id,
            email,
            context.password_hash,
            role,
            encrypt(name),
            EPOCH,
            True,
            EPOCH,
            EPOCH,
        )

    rows.append(user(_id("admin", context.seed), ADMIN_EMAIL, "admin", "Bench Admin"))
    for seller in sellers(context.scale, context.seed):
        rows.append(
            user(seller.user_id, seller.email, "seller", f"Owner of {seller.business_name}")
        )
    for index in range(1, context.scale.buyers + 1):
        buyer_id = _id("buyer", f"{context.seed}:{index}")
        rows.append(user(buyer_id, buyer_email(index), "buyer", f"Buyer {index}"))
    columns = [
        "id",
        "email",
        "password_hash",
        "role",
        "display_name",
        "email_verified_at",
        "is_active",
        "created_at",
        "updated_at",
    ]
    await _copy(context.connection, "accounts_user", columns, rows)


async def load_sellers(context: LoadContext) -> None:
    rows = [
        (
            seller.id,
            seller.user_id,
            seller.business_name,
            seller.business_name,
            "admitted",
            True,
            True,
            "FR",
            1,
            EPOCH,
            EPOCH,
            EPOCH,
            EPOCH,
            EPOCH,
            EPOCH,
        )
        for seller in sellers(context.scale, context.seed)
    ]
    columns = [
        "id",
        "owner_user_id",
        "business_name",
        "display_name",
        "status",
        "sells_goods",
        "sells_services",
        "country",
        "submission_count",
        "submitted_at",
        "decided_at",
        "admitted_at",
        "first_listing_at",
        "created_at",
        "updated_at",
    ]
    await _copy(context.connection, "sellers_seller", columns, rows)


async def load_categories(context: LoadContext) -> None:
    category_rows: list[tuple[object, ...]] = []
    attribute_rows: list[tuple[object, ...]] = []
    for position, category in enumerate(categories()):
        parent_id = category.parent.id if category.parent else None
        category_rows.append(
            (category.id, parent_id, category.name, category.slug, position, EPOCH, EPOCH)
        )
        if category.parent is None:
            for order, (code, name, kind, allowed) in enumerate(attribute_definitions(category)):
                attribute_rows.append(
                    (
                        _id("attribute", f"{category.slug}:{code}"),
                        category.id,
                        code,
                        name,
                        kind,
                        json.dumps(allowed),
                        False,
                        order,
                        EPOCH,
                        EPOCH,
                    )
                )
    columns = ["id", "parent_id", "name", "slug", "position", "created_at", "updated_at"]
    await _copy(context.connection, "catalog_category", columns, category_rows)
    await _copy(
        context.connection,
        "catalog_attribute",
        [
            "id",
            "category_id",
            "code",
            "name",
            "kind",
            "allowed_values",
            "required",
            "position",
            "created_at",
            "updated_at",
        ],
        attribute_rows,
    )


async def load_listings(context: LoadContext) -> None:
    """Listings with their variants, and the search index of them in the same pass."""
    batch = _Batch()
    for document_id, listing in enumerate(listings(context.scale, context.seed), start=1):
        batch.listings.append(listing_row(listing))
        batch.variants += variant_rows(listing)
        document, category_rows, attribute_rows = search_rows(listing, document_id)
        batch.documents.append(document)
        batch.document_categories += category_rows
        batch.document_attributes += attribute_rows
        if len(batch.listings) >= BATCH:
            await batch.flush(context.connection)
    await batch.flush(context.connection)


@dataclass
class _Batch:
    listings: list[tuple[object, ...]] = field(default_factory=list)
    variants: list[tuple[object, ...]] = field(default_factory=list)
    documents: list[tuple[object, ...]] = field(default_factory=list)
    document_categories: list[tuple[object, ...]] = field(default_factory=list)
    document_attributes: list[tuple[object, ...]] = field(default_factory=list)

    async def flush(self, connection: asyncpg.Connection) -> None:
        await _copy(connection, "catalog_listing", LISTING_COLUMNS, self.listings)
        await _copy(connection, "catalog_variant", VARIANT_COLUMNS, self.variants)
        await _copy(connection, "search_document", vocabulary.DOCUMENT_COLUMNS, self.documents)
        await _copy(
            connection,
            "search_document_category",
            vocabulary.CATEGORY_COLUMNS,
            self.document_categories,
        )
        await _copy(
            connection,
            "search_document_attribute",
            vocabulary.ATTRIBUTE_COLUMNS,
            self.document_attributes,
        )
        for rows in vars(self).values():
            rows.clear()


async def load_search_categories(context: LoadContext) -> None:
    """The category names the search facets show, and the typo-correction vocabulary."""
    rows = [
        (category.id, category.parent.id if category.parent else None, depth, category.name)
        for category in categories()
        for depth in [0 if category.parent is None else 1]
    ]
    await _copy(context.connection, "search_category", ["id", "parent_id", "depth", "name"], rows)
    await rebuild_vocabulary(context.connection)


async def rebuild_vocabulary(connection: asyncpg.Connection) -> None:
    """The words typo correction chooses from, as the application maintains them."""
    await connection.execute("TRUNCATE search_term")
    await connection.execute(
        "INSERT INTO search_term (term) SELECT DISTINCT word FROM search_document AS d,"
        " unnest(tsvector_to_array(to_tsvector('search_simple'::regconfig,"
        " d.title || ' ' || d.attributes_text || ' ' || d.seller_name))) AS word"
        " WHERE length(word) >= 3 AND word !~ '[0-9]'"
    )
    await connection.execute(
        "SELECT setval(pg_get_serial_sequence('search_document', 'id'),"
        " (SELECT coalesce(max(id), 1) FROM search_document))"
    )


PAST_ORDERS_SERIES = "past"  # order numbers start with "P"


async def load_past_orders(context: LoadContext) -> None:
    """``scale.past_orders`` orders paid over the year before the last two months, completed
    and released: orders, payments, fees, escrows and both journals (see :mod:`bench.orders`)."""
    from bench import orders  # bench.orders builds on this module

    if not context.scale.past_orders:
        return
    now = datetime.now(UTC)
    generated = orders.completed_orders(
        context.scale,
        context.scale.past_orders,
        series=PAST_ORDERS_SERIES,
        first_paid=now - timedelta(days=425),
        last_paid=now - timedelta(days=60),
        released=True,
        seed=context.seed,
    )
    writer = orders.CopyWriter(context.connection)
    await orders.write_orders(writer, generated, context.pricing, now)


STEPS: list[tuple[str, Step]] = [
    ("accounts", load_accounts),
    ("sellers", load_sellers),
    ("categories", load_categories),
    ("listings and search index", load_listings),
    ("search categories and vocabulary", load_search_categories),
    ("past orders", load_past_orders),
]


async def load_marketplace(
    url: str, scale: Scale, *, keyring: KeyRing, password_hash: str, seed: int = 42
) -> dict[str, float]:
    """Run every step in one transaction on a freshly migrated database; returns each step's
    seconds."""
    from bench.fees import pricing_in  # bench.fees builds on this module

    timings: dict[str, float] = {}
    pricing = await pricing_in(url)
    connection = await asyncpg.connect(_plain(url))
    try:
        context = LoadContext(connection, scale, seed, keyring, password_hash, pricing)
        async with connection.transaction():
            for name, step in STEPS:
                started = time.perf_counter()
                await step(context)
                timings[name] = time.perf_counter() - started
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return timings


def _plain(url: str) -> str:
    return url.replace("+asyncpg", "")


# --- the search scale curve ------------------------------------------------------------------


SEARCH_TABLES = ("search_document", "search_document_category", "search_document_attribute")


async def _secondary_indexes(connection: asyncpg.Connection) -> list[tuple[str, str]]:
    """(name, definition) of the search tables' indexes that back no constraint: these are
    dropped for a bulk load and rebuilt after it."""
    rows = await connection.fetch(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i"
        " WHERE i.schemaname = current_schema() AND i.tablename = ANY($1::text[])"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        list(SEARCH_TABLES),
    )
    return [(row["indexname"], row["indexdef"]) for row in rows]


async def grow_search_index(url: str, factor: int) -> dict[str, float]:
    """Multiply the search index ``factor`` times in SQL (``INSERT … SELECT`` over
    ``generate_series``): each copy of a document gets a new listing id, a shifted price and
    model number, so sizes differ while the vocabulary stays realistic. Secondary indexes are
    dropped first and rebuilt after; returns the seconds of the load and of the rebuild."""
    connection = await asyncpg.connect(_plain(url))
    try:
        await connection.execute("SET maintenance_work_mem = '1GB'")
        indexes = await _secondary_indexes(connection)
        started = time.perf_counter()
        for name, _definition in indexes:
            await connection.execute(f'DROP INDEX "{name}"')
        offset = await connection.fetchval("SELECT max(id) FROM search_document")
        await connection.execute(_GROW_SQL, factor, offset)
        loaded = time.perf_counter()
        for _name, definition in indexes:
            await connection.execute(definition)
        await rebuild_vocabulary(connection)
        await connection.execute("VACUUM ANALYZE search_document")
        await connection.execute("ANALYZE search_document_category, search_document_attribute")
        rebuilt = time.perf_counter()
    finally:
        await connection.close()
    return {"load": loaded - started, "index rebuild": rebuilt - loaded}


# $1: the factor, $2: the largest existing document id (copies are numbered after it).
_GROW_SQL = """
WITH copies AS (SELECT generate_series(1, $1::int - 1) AS copy),
documents AS (
    INSERT INTO search_document (id, listing_id, seller_id, seller_name, title, description,
        attributes_text, attributes, kind, category_id, category_ids, category_path, currency,
        price_min_minor, price_max_minor, price_key, in_stock, image_key, published_at,
        indexed_at)
    SELECT d.id + c.copy * $2::bigint, md5(d.listing_id::text || c.copy)::uuid, d.seller_id,
        d.seller_name, regexp_replace(d.title, '([A-Z])([0-9]+)$', '\\1' || c.copy || '\\2'),
        d.description, d.attributes_text, d.attributes, d.kind, d.category_id, d.category_ids,
        d.category_path, d.currency, d.price_min_minor + c.copy * 100,
        d.price_max_minor + c.copy * 100, d.price_key + c.copy * 1000, d.in_stock, d.image_key,
        d.published_at - make_interval(days => c.copy), d.indexed_at
    FROM search_document d CROSS JOIN copies c
    WHERE d.id <= $2::bigint
    RETURNING id
),
categories AS (
    INSERT INTO search_document_category (document_id, category_id)
    SELECT dc.document_id + c.copy * $2::bigint, dc.category_id
    FROM search_document_category dc CROSS JOIN copies c
    WHERE dc.document_id <= $2::bigint
)
INSERT INTO search_document_attribute (document_id, code, value)
SELECT da.document_id + c.copy * $2::bigint, da.code, da.value
FROM search_document_attribute da CROSS JOIN copies c
WHERE da.document_id <= $2::bigint
"""


async def load_search_only(url: str, count: int, seed: int = 42) -> float:
    """Replace the index with ``count`` generated documents (the small end of the curve)."""
    return await vocabulary.load(url, count, seed)


async def search_document_count(url: str) -> int:
    connection = await asyncpg.connect(_plain(url))
    try:
        count: int = await connection.fetchval("SELECT count(*) FROM search_document")
    finally:
        await connection.close()
    return count
