"""A seeded generator of realistic search documents, bulk-loaded into PostgreSQL with COPY.

Used by the search benchmark (``make bench``): it fills the search index tables directly, as the
``ListingChanged`` handler would, so search can be measured on 100,000 listings without building
the catalog around them. The database must already have the schema (``mercato db upgrade``).

    python bench/search_dataset.py --url postgresql://postgres@127.0.0.1:5432/bench --count 100000

The same ``--seed`` always produces the same documents (ids included), so runs are comparable.
``QUERIES`` lists the queries the benchmark times, by kind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

NAMESPACE = uuid.UUID("6f1d9c8e-3b7a-4c2e-9a51-0d4e2b7c8f10")
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)

# Category tree: top level -> {subcategory: (nouns, brands, price range in euros)}
TREE: dict[str, dict[str, tuple[list[str], list[str], tuple[int, int]]]] = {
    "Electronics": {
        "Phones": (
            ["iPhone", "smartphone", "phone", "Galaxy", "Pixel"],
            ["Apple", "Samsung", "Google", "Nokia", "Fairphone"],
            (150, 1400),
        ),
        "Laptops": (
            ["laptop", "notebook", "ultrabook", "MacBook", "Chromebook"],
            ["Lenovo", "Dell", "Apple", "Asus", "HP"],
            (300, 3000),
        ),
        "Audio": (
            ["headphones", "earbuds", "speaker", "soundbar", "turntable"],
            ["Sony", "Bose", "JBL", "Sennheiser", "Marshall"],
            (20, 600),
        ),
        "Accessories": (
            ["charger", "cable", "phone case", "power bank", "screen protector"],
            ["Anker", "Belkin", "Spigen", "Ugreen", "Apple"],
            (5, 120),
        ),
    },
    "Home & Living": {
        "Kitchen": (
            ["mug", "teapot", "chef knife", "frying pan", "cutting board"],
            ["Le Creuset", "Opinel", "Hario", "Bodum", "Staub"],
            (8, 350),
        ),
        "Ceramics": (
            ["vase", "bowl", "plate", "planter", "espresso cup"],
            ["Atelier Lumière", "Studio Kiln", "Terra", "Clayworks", "Glaze & Co"],
            (12, 240),
        ),
        "Textiles": (
            ["blanket", "cushion", "throw", "rug", "tea towel"],
            ["Linea", "Woolly", "Nordic Loom", "Hemp House", "Fjord"],
            (15, 400),
        ),
        "Lighting": (
            ["lamp", "pendant light", "candle holder", "lantern", "string lights"],
            ["Lumen", "Muuto", "Ferm", "Hay", "Artek"],
            (18, 650),
        ),
    },
    "Fashion": {
        "Shoes": (
            ["sneakers", "boots", "sandals", "loafers", "walking boots"],
            ["Veja", "Birkenstock", "Dr. Martens", "Salomon", "Converse"],
            (40, 320),
        ),
        "Bags": (
            ["backpack", "tote bag", "wallet", "messenger bag", "weekender"],
            ["Fjällräven", "Herschel", "Rains", "Eastpak", "Bellroy"],
            (25, 280),
        ),
        "Jackets": (
            ["rain jacket", "parka", "denim jacket", "fleece", "down jacket"],
            ["Patagonia", "Arc'teryx", "Levi's", "Columbia", "Helly Hansen"],
            (60, 600),
        ),
    },
    "Outdoor": {
        "Camping": (
            ["tent", "sleeping bag", "camping stove", "headlamp", "sleeping mat"],
            ["MSR", "Vango", "Nordisk", "Petzl", "Therm-a-Rest"],
            (15, 700),
        ),
        "Cycling": (
            ["bike light", "helmet", "bike lock", "saddle bag", "cycling gloves"],
            ["Abus", "Giro", "Ortlieb", "Lezyne", "Knog"],
            (10, 250),
        ),
    },
    "Books": {
        "Fiction": (
            ["novel", "short stories", "crime novel", "poetry collection", "graphic novel"],
            ["Penguin", "Vintage", "Faber", "Picador", "Gallimard"],
            (6, 45),
        ),
        "Cookbooks": (
            ["cookbook", "baking book", "vegetarian cookbook", "recipe book", "bread book"],
            ["Phaidon", "Ten Speed", "Quadrille", "DK", "Hardie Grant"],
            (12, 60),
        ),
    },
}
ADJECTIVES = [
    "ceramic",
    "handmade",
    "vintage",
    "classic",
    "compact",
    "lightweight",
    "waterproof",
    "organic",
    "premium",
    "minimalist",
    "rustic",
    "wireless",
    "portable",
    "recycled",
    "signed",
    "limited",
    "hand-thrown",
    "ergonomic",
    "foldable",
    "insulated",
    "refurbished",
]
COLOURS = ["Black", "White", "Blue", "Red", "Green", "Grey", "Beige", "Brown", "Pink", "Yellow"]
MATERIALS = [
    "Cotton",
    "Wool",
    "Leather",
    "Stoneware",
    "Porcelain",
    "Steel",
    "Aluminium",
    "Oak",
    "Linen",
    "Recycled plastic",
]
SIZES = ["XS", "S", "M", "L", "XL"]
SELLER_WORDS = [
    "Atelier",
    "Studio",
    "Nordic",
    "Maison",
    "Urban",
    "Coastal",
    "Alpine",
    "Little",
    "Green",
    "Golden",
    "Old Town",
    "Harbour",
    "Meadow",
    "Copper",
    "Indigo",
]
SELLER_NOUNS = [
    "Goods",
    "Supply Co.",
    "Workshop",
    "Trading",
    "Market",
    "House",
    "Makers",
    "Outfitters",
    "Collective",
    "Store",
]
SENTENCES = [
    "Made in small batches by an independent workshop.",
    "Ships within two working days, carefully packed.",
    "Each piece is unique; small variations are part of its charm.",
    "Designed to last for years of everyday use.",
    "Comes with a two-year warranty from the seller.",
    "Sourced from responsible suppliers and plastic-free packaging.",
    "Perfect as a gift, with an optional handwritten note.",
    "Easy to clean and care for.",
    "Returns accepted within 30 days in original condition.",
    "Tested and checked by hand before it leaves the studio.",
]

# What the benchmark times: typical queries of each kind that match the generated vocabulary.
QUERIES: dict[str, list[str]] = {
    "one_word": ["iphone", "mug", "backpack", "tent", "headphones", "vase", "boots", "lamp"],
    "several_words": [
        "ceramic blue vase",
        "waterproof rain jacket",
        "wireless headphones sony",
        "vintage leather wallet",
        "organic cotton blanket",
        "lightweight camping stove",
    ],
    "typo": ["iphnoe", "ceramc vase", "hedphones", "backpak", "blankte", "sneakres"],
}


@dataclass(frozen=True)
class Category:
    id: uuid.UUID
    name: str
    parent: Category | None


def _id(kind: str, key: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{kind}:{key}")


def _categories() -> list[tuple[Category, tuple[list[str], list[str], tuple[int, int]]]]:
    leaves = []
    for top_name, children in TREE.items():
        top = Category(_id("category", top_name), top_name, None)
        for name, spec in children.items():
            leaves.append((Category(_id("category", f"{top_name}/{name}"), name, top), spec))
    return leaves


def _category_records() -> list[tuple[object, ...]]:
    records: dict[uuid.UUID, tuple[object, ...]] = {}
    for leaf, _spec in _categories():
        if leaf.parent is not None:
            records[leaf.parent.id] = (leaf.parent.id, None, 0, leaf.parent.name)
            records[leaf.id] = (leaf.id, leaf.parent.id, 1, leaf.name)
    return list(records.values())


def _sellers(rng: random.Random, count: int) -> list[tuple[uuid.UUID, str]]:
    names = set()
    while len(names) < count:
        names.add(f"{rng.choice(SELLER_WORDS)} {rng.choice(SELLER_NOUNS)} {len(names) + 1}")
    return [(_id("seller", name), name) for name in sorted(names)]


def documents(count: int, seed: int = 42) -> Iterator[tuple[tuple[object, ...], list, list]]:
    """``count`` documents as (search_document row, category rows, attribute rows); the rows
    follow the column order of :data:`DOCUMENT_COLUMNS` and friends."""
    rng = random.Random(seed)
    leaves = _categories()
    sellers = _sellers(rng, max(20, count // 200))
    now = datetime.now(UTC)
    for index in range(count):
        category, (nouns, brands, (low, high)) = rng.choice(leaves)
        noun, brand = rng.choice(nouns), rng.choice(brands)
        adjective = rng.choice(ADJECTIVES)
        colour, material = rng.choice(COLOURS), rng.choice(MATERIALS)
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
                *rng.sample(SENTENCES, 3),
            ]
        )
        attributes = {"colour": colour, "material": material}
        if category.parent and category.parent.name == "Fashion":
            attributes["size"] = rng.choice(SIZES)
        attributes["model"] = model  # free text: never a facet
        seller_id, seller_name = rng.choice(sellers)
        # Prices spread log-uniformly over the category's range, in cents.
        price = int(round(low * (high / low) ** rng.random(), 0)) * 100 + rng.choice([0, 50, 99])
        price_max = price + rng.choice([0, 0, 0, 500, 1500])
        published = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        path = [category.parent.name, category.name] if category.parent else [category.name]
        chain = [category.parent, category] if category.parent else [category]
        document_id = index + 1
        row = (
            document_id,
            _id("listing", f"{seed}:{index}"),
            seller_id,
            seller_name,
            title,
            description,
            " ".join(attributes.values()),
            json.dumps(attributes),
            "goods",
            category.id,
            json.dumps([str(node.id) for node in chain]),
            json.dumps(path),
            "EUR",
            price,
            price_max,
            price * 10,  # price_key: thousandths of a euro
            rng.random() > 0.08,
            None,
            published,
            now,
        )
        categories = [(document_id, node.id) for node in chain if node is not None]
        attribute_rows = [(document_id, code, value) for code, value in attributes.items()]
        yield row, categories, attribute_rows


DOCUMENT_COLUMNS = [
    "id",
    "listing_id",
    "seller_id",
    "seller_name",
    "title",
    "description",
    "attributes_text",
    "attributes",
    "kind",
    "category_id",
    "category_ids",
    "category_path",
    "currency",
    "price_min_minor",
    "price_max_minor",
    "price_key",
    "in_stock",
    "image_key",
    "published_at",
    "indexed_at",
]
CATEGORY_COLUMNS = ["document_id", "category_id"]
ATTRIBUTE_COLUMNS = ["document_id", "code", "value"]
BATCH = 5_000


async def load(url: str, count: int, seed: int = 42, *, schema: str | None = None) -> float:
    """Replace the index's contents with ``count`` generated documents; returns the seconds
    it took. ``url`` is a PostgreSQL URL (``postgresql://`` or SQLAlchemy's
    ``postgresql+asyncpg://``)."""
    started = time.perf_counter()
    settings = {"search_path": f'"{schema}", public'} if schema else {}
    connection = await asyncpg.connect(url.replace("+asyncpg", ""), server_settings=settings)
    try:
        async with connection.transaction():
            await connection.execute(
                "TRUNCATE search_document, search_document_category, search_document_attribute,"
                " search_category, search_term"
            )
            await connection.copy_records_to_table(
                "search_category",
                records=_category_records(),
                columns=["id", "parent_id", "depth", "name"],
            )
            documents_batch: list[tuple[object, ...]] = []
            categories_batch: list[tuple[object, ...]] = []
            attributes_batch: list[tuple[object, ...]] = []
            for row, categories, attributes in documents(count, seed):
                documents_batch.append(row)
                categories_batch += categories
                attributes_batch += attributes
                if len(documents_batch) >= BATCH:
                    await _copy(connection, documents_batch, categories_batch, attributes_batch)
                    documents_batch, categories_batch, attributes_batch = [], [], []
            await _copy(connection, documents_batch, categories_batch, attributes_batch)
            # The vocabulary typo correction chooses from, as the application maintains it.
            await connection.execute(
                "INSERT INTO search_term (term) SELECT DISTINCT word FROM search_document AS d,"
                " unnest(tsvector_to_array(to_tsvector('search_simple'::regconfig,"
                " d.title || ' ' || d.attributes_text || ' ' || d.seller_name))) AS word"
                " WHERE length(word) >= 3 AND word !~ '[0-9]'"
            )
            # Later inserts through the application continue after the generated ids.
            await connection.execute(
                "SELECT setval(pg_get_serial_sequence('search_document', 'id'),"
                " (SELECT coalesce(max(id), 1) FROM search_document))"
            )
        await connection.execute(
            "ANALYZE search_document, search_document_category, search_document_attribute,"
            " search_category, search_term"
        )
    finally:
        await connection.close()
    return time.perf_counter() - started


async def _copy(
    connection: asyncpg.Connection, documents_batch, categories_batch, attributes_batch
) -> None:  # type: ignore[no-untyped-def]
    if not documents_batch:
        return
    await connection.copy_records_to_table(
        "search_document", records=documents_batch, columns=DOCUMENT_COLUMNS
    )
    await connection.copy_records_to_table(
        "search_document_category", records=categories_batch, columns=CATEGORY_COLUMNS
    )
    await connection.copy_records_to_table(
        "search_document_attribute", records=attributes_batch, columns=ATTRIBUTE_COLUMNS
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="PostgreSQL URL of a migrated database")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--schema", default=None, help="schema holding the tables (optional)")
    arguments = parser.parse_args()
    seconds = asyncio.run(
        load(arguments.url, arguments.count, arguments.seed, schema=arguments.schema)
    )
    print(f"Loaded {arguments.count} search documents in {seconds:.1f} s")


if __name__ == "__main__":
    main()
