"""Demo catalog: a category tree with typed attributes and about thirty listings of the two demo
sellers, each with a generated picture. Idempotent: categories are found by slug, attributes by
code, listings by the SKU of their first variant.

Listings are written straight through the models with their final states (published, draft,
archived, hidden) so the demo does not depend on the sellers' admission having happened first;
buyers see them once the sellers are admitted (``can_publish``)."""

# ruff: noqa: E501  (the demo data reads best one record per line)

from __future__ import annotations

import colorsys
import hashlib
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

import structlog
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import find_user_id_by_email
from mercato.catalog import repository
from mercato.catalog.models import Attribute, Category, Image, Listing, ShippingProfile, Variant
from mercato.catalog.policy.attributes import check_attributes
from mercato.catalog.policy.images import THUMBNAIL_SIZES, render_thumbnail
from mercato.catalog.policy.listings import parse_price
from mercato.catalog.service._common import listing_changed
from mercato.catalog.service._tree import load_tree
from mercato.kit import clock
from mercato.kit.ids import new_id
from mercato.kit.storage import FileStore
from mercato.sellers.service import find_seller_of

log = structlog.get_logger(__name__)

# (slug, name, parent slug, [(code, name, kind, unit, allowed values, required)])
CATEGORIES: list[tuple[str, str, str | None, list[tuple[str, str, str, str | None, list[str], bool]]]] = [
    ("home-living", "Home & Living", None, [
        ("material", "Material", "enum", None,
         ["Stoneware", "Porcelain", "Terracotta", "Glass", "Linen", "Wood", "Brass", "Paper", "Beeswax"], True),
    ]),
    ("ceramics", "Ceramics", "home-living", [
        ("diameter", "Diameter", "number", "cm", [], False),
        ("dishwasher_safe", "Dishwasher safe", "boolean", None, [], False),
    ]),
    ("lighting", "Lighting", "home-living", [
        ("bulb", "Bulb fitting", "enum", None, ["E27", "E14", "GU10", "LED integrated"], False),
        ("height", "Height", "number", "cm", [], False),
    ]),
    ("outdoor", "Outdoor", None, [
        ("packed_weight", "Packed weight", "number", "kg", [], False),
    ]),
    ("tents", "Tents", "outdoor", [
        ("sleeps", "Sleeps", "number", "people", [], True),
        ("seasons", "Seasons", "enum", None, ["3-season", "4-season"], True),
    ]),
    ("backpacks", "Backpacks", "outdoor", [
        ("volume", "Volume", "number", "L", [], True),
    ]),
    ("services", "Services", None, []),
    ("repairs", "Repairs", "services", [
        ("turnaround", "Turnaround", "number", "days", [], True),
        ("on_site", "On site", "boolean", None, [], False),
    ]),
    ("workshops", "Workshops", "services", [
        ("level", "Level", "enum", None, ["Beginner", "Intermediate", "Advanced"], True),
        ("language", "Language", "enum", None, ["English", "French", "German"], False),
    ]),
]  # fmt: skip


@dataclass(frozen=True)
class DemoListing:
    seller: str  # the seller's user email
    category: str
    title: str
    description: str
    attributes: dict[str, Any]
    variants: list[tuple[str, dict[str, str], str, int]]  # sku, options, price, stock
    option_names: list[str] = field(default_factory=list)
    kind: str = "goods"
    weight_grams: int | None = None
    duration_minutes: int | None = None
    capacity: int | None = None
    status: str = "published"
    hidden_reason: str | None = None


ATELIER = "atelier@mercato.example"
NORDIC = "nordic@mercato.example"


def _sizes(
    prefix: str, values: list[tuple[str, str, int]]
) -> list[tuple[str, dict[str, str], str, int]]:
    return [(f"{prefix}-{code}", {"Size": code}, price, stock) for code, price, stock in values]


def _colours(
    prefix: str, values: list[tuple[str, str, int]]
) -> list[tuple[str, dict[str, str], str, int]]:
    return [
        (f"{prefix}-{name[:3].upper()}", {"Colour": name}, price, stock)
        for name, price, stock in values
    ]


LISTINGS: list[DemoListing] = [
    DemoListing(ATELIER, "ceramics", "Speckled stoneware mug",
                "Thrown on the wheel in our Lyon studio and dipped in a speckled oatmeal glaze. "
                "Holds a generous coffee and keeps it warm.",
                {"material": "Stoneware", "diameter": "8.5", "dishwasher_safe": True},
                [("AT-MUG-250", {"Size": "250 ml"}, "24.00", 14), ("AT-MUG-350", {"Size": "350 ml"}, "28.00", 9)],
                ["Size"], weight_grams=380),
    DemoListing(ATELIER, "ceramics", "Hand-thrown porcelain bowl",
                "Translucent porcelain with a clear glaze inside and a raw, satin foot. "
                "Each bowl is slightly different.",
                {"material": "Porcelain", "diameter": "15", "dishwasher_safe": True},
                _sizes("AT-BOWL", [("S", "32.00", 10), ("L", "45.00", 6)]), ["Size"], weight_grams=420),
    DemoListing(ATELIER, "ceramics", "Celadon tea cups, set of two",
                "Two small cups in a pale celadon glaze, made for green tea and quiet mornings.",
                {"material": "Porcelain", "diameter": "7", "dishwasher_safe": False},
                [("AT-CELADON-2", {}, "38.00", 8)], weight_grams=300),
    DemoListing(ATELIER, "ceramics", "Ash-glazed serving plate",
                "A wide plate fired with a wood-ash glaze that pools green in the centre.",
                {"material": "Stoneware", "diameter": "32", "dishwasher_safe": False},
                [("AT-PLATE-ASH", {}, "56.00", 4)], weight_grams=1400),
    DemoListing(ATELIER, "ceramics", "Terracotta herb pot",
                "Unglazed terracotta with a drainage hole and matching saucer, for the kitchen window.",
                {"material": "Terracotta", "diameter": "12"},
                _sizes("AT-POT", [("S", "18.00", 20), ("M", "26.00", 12), ("L", "34.00", 0)]), ["Size"],
                weight_grams=900),
    DemoListing(ATELIER, "ceramics", "Moon jar vase",
                "A round, softly asymmetric jar in milky white, inspired by Korean moon jars.",
                {"material": "Porcelain", "diameter": "24", "dishwasher_safe": False},
                [("AT-MOONJAR", {}, "120.00", 2)], weight_grams=2100),
    DemoListing(ATELIER, "ceramics", "Porcelain espresso cups, set of four",
                "Four thin-walled espresso cups with a glossy white glaze and a charcoal rim.",
                {"material": "Porcelain", "diameter": "6", "dishwasher_safe": True},
                [("AT-ESPRESSO-4", {}, "44.00", 11)], weight_grams=450),
    DemoListing(ATELIER, "ceramics", "Stoneware pitcher",
                "A one-litre pitcher with a pulled handle. Still testing the glaze: coming soon.",
                {"material": "Stoneware", "diameter": "11"},
                [("AT-PITCHER", {}, "62.00", 3)], weight_grams=1100, status="draft"),
    DemoListing(ATELIER, "lighting", "Brass pendant lamp",
                "A spun-brass shade on a fabric cord, ready for a warm E27 bulb.",
                {"material": "Brass", "bulb": "E27", "height": "32"},
                [("AT-PENDANT-BR", {"Finish": "Brushed"}, "189.00", 5),
                 ("AT-PENDANT-PO", {"Finish": "Polished"}, "199.00", 3)], ["Finish"], weight_grams=1800),
    DemoListing(ATELIER, "lighting", "Paper lantern floor lamp",
                "Washi paper over a bamboo frame: soft, diffuse light for a reading corner.",
                {"material": "Paper", "bulb": "E27", "height": "120"},
                [("AT-LANTERN", {}, "145.00", 4)], weight_grams=3200),
    DemoListing(ATELIER, "lighting", "Ceramic table lamp",
                "A stoneware base with a linen shade, in two glazes.",
                {"material": "Stoneware", "bulb": "E14", "height": "45"},
                _colours("AT-TABLELAMP", [("Sand", "160.00", 3), ("Charcoal", "160.00", 2)]), ["Colour"],
                weight_grams=2600),
    DemoListing(ATELIER, "lighting", "Linen lampshade",
                "A drum shade in natural linen. This collection has ended.",
                {"material": "Linen"},
                [("AT-SHADE-30", {"Size": "30 cm"}, "48.00", 0), ("AT-SHADE-40", {"Size": "40 cm"}, "58.00", 0)],
                ["Size"], weight_grams=500, status="archived"),
    DemoListing(ATELIER, "lighting", "Beeswax candle trio",
                "Three hand-dipped beeswax candles that burn slowly and smell faintly of honey.",
                {"material": "Beeswax", "height": "20"},
                [("AT-CANDLES-3", {}, "22.00", 25)], weight_grams=600),
    DemoListing(ATELIER, "workshops", "Wheel-throwing workshop for beginners",
                "Three hours at the wheel with a potter: centring, opening and pulling your first "
                "cylinders. Clay, tools and firing of two pieces included.",
                {"level": "Beginner", "language": "French"},
                [("AT-WS-0314", {"Date": "Sat 14 March, 10:00"}, "85.00", 6),
                 ("AT-WS-0321", {"Date": "Sat 21 March, 10:00"}, "85.00", 4)], ["Date"],
                kind="service", duration_minutes=180, capacity=1),
    DemoListing(ATELIER, "workshops", "Glazing masterclass",
                "Mix and test your own glazes, then glaze three bisque pieces for the next firing.",
                {"level": "Intermediate", "language": "English"},
                [("AT-GLAZE-CLASS", {}, "120.00", 4)], kind="service", duration_minutes=240, capacity=1),
    DemoListing(ATELIER, "workshops", "Private pottery lesson",
                "One-to-one (or bring a friend) at the wheel, at your pace.",
                {"level": "Beginner", "language": "English"},
                [("AT-PRIVATE", {}, "95.00", 8)], kind="service", duration_minutes=90, capacity=2),
    DemoListing(NORDIC, "tents", "Fjell 2 ultralight tent",
                "A two-person, three-season tent at 1.3 kg, pitched fly-first in five minutes.",
                {"packed_weight": "1.3", "sleeps": "2", "seasons": "3-season"},
                _colours("NO-FJELL2", [("Green", "349.00", 7), ("Sand", "349.00", 4)]), ["Colour"],
                weight_grams=1300),
    DemoListing(NORDIC, "tents", "Vidde 4 family tent",
                "Two bedrooms and a tall porch for rainy family holidays.",
                {"packed_weight": "8.9", "sleeps": "4", "seasons": "3-season"},
                [("NO-VIDDE4", {}, "529.00", 3)], weight_grams=8900),
    DemoListing(NORDIC, "tents", "Polar dome expedition tent",
                "A four-season geodesic dome with snow valances, built for high winds.",
                {"packed_weight": "4.6", "sleeps": "3", "seasons": "4-season"},
                [("NO-POLARDOME", {}, "899.00", 2)], weight_grams=4600),
    DemoListing(NORDIC, "tents", "Bivvy shelter",
                "A minimalist waterproof bivvy bag for one.",
                {"packed_weight": "0.5", "sleeps": "1", "seasons": "3-season"},
                [("NO-BIVVY", {}, "129.00", 10)], weight_grams=500,
                hidden_reason="The photos come from another brand's catalogue; send your own."),
    DemoListing(NORDIC, "backpacks", "Ridge 28 L daypack",
                "A daypack with a back-length harness, hip-belt pockets and a rain cover.",
                {"packed_weight": "0.9", "volume": "28"},
                _colours("NO-RIDGE28", [("Black", "89.00", 12), ("Moss", "89.00", 8), ("Rust", "89.00", 0)]),
                ["Colour"], weight_grams=900),
    DemoListing(NORDIC, "backpacks", "Trek 55 L backpack",
                "A trekking pack with an adjustable back system and a sleeping-bag compartment.",
                {"packed_weight": "1.9", "volume": "55"},
                _sizes("NO-TREK55", [("M", "219.00", 5), ("L", "229.00", 4)]), ["Size"], weight_grams=1900),
    DemoListing(NORDIC, "backpacks", "Summit 40 L alpine pack",
                "Stripped-down and tough, with ice-axe loops and a removable lid.",
                {"packed_weight": "1.2", "volume": "40"},
                [("NO-SUMMIT40", {}, "179.00", 6)], weight_grams=1200),
    DemoListing(NORDIC, "backpacks", "Roll-top commuter bag 20 L",
                "Waterproof roll-top with a padded laptop sleeve, for wet rides to work.",
                {"packed_weight": "0.8", "volume": "20"},
                _colours("NO-ROLLTOP", [("Black", "79.00", 15), ("Olive", "79.00", 6)]), ["Colour"],
                weight_grams=800),
    DemoListing(NORDIC, "backpacks", "Kids' trail pack 12 L",
                "A small pack with a chest strap and reflective details, for young hikers.",
                {"packed_weight": "0.4", "volume": "12"},
                [("NO-KIDS12", {}, "45.00", 9)], weight_grams=400),
    DemoListing(NORDIC, "outdoor", "Merino base layer",
                "A 200 g/m² merino long-sleeve that stays warm when wet and does not smell.",
                {"packed_weight": "0.2"},
                _sizes("NO-MERINO", [("S", "75.00", 6), ("M", "75.00", 10), ("L", "75.00", 7), ("XL", "75.00", 3)]),
                ["Size"], weight_grams=200),
    DemoListing(NORDIC, "outdoor", "Insulated camping mug",
                "A double-walled steel mug with a sliding lid: coffee stays hot at the summit.",
                {"packed_weight": "0.25"},
                [("NO-MUG", {}, "19.00", 30)], weight_grams=250),
    DemoListing(NORDIC, "repairs", "Tent repair and reproofing",
                "We patch tears, replace shock-corded poles and reproof the fly. Send the tent "
                "in; we confirm the quote before starting.",
                {"turnaround": "7", "on_site": False},
                [("NO-REP-TENT", {}, "65.00", 10)], kind="service", duration_minutes=120, capacity=1),
    DemoListing(NORDIC, "repairs", "Zip replacement",
                "A new YKK zip on a jacket, tent door or pack.",
                {"turnaround": "5", "on_site": False},
                [("NO-REP-ZIP-S", {"Zip": "Up to 40 cm"}, "35.00", 20),
                 ("NO-REP-ZIP-L", {"Zip": "Longer than 40 cm"}, "49.00", 20)], ["Zip"],
                kind="service", duration_minutes=60, capacity=1),
    DemoListing(NORDIC, "repairs", "Backpack strap repair",
                "Restitching or replacing worn shoulder straps and buckles, in our Oslo workshop.",
                {"turnaround": "3", "on_site": True},
                [("NO-REP-STRAP", {}, "40.00", 15)], kind="service", duration_minutes=45, capacity=1),
]  # fmt: skip


@dataclass(frozen=True)
class DemoProfile:
    name: str
    method: str
    flat_rate: str
    handling_days: int
    per_kg: str | None = None
    free_above: str | None = None


# A flat rate, a price by weight and one that is free above an amount, for every demo seller.
PROFILES = [
    DemoProfile("Standard", "flat", "4.90", 2),
    DemoProfile("Bulky items", "flat", "14.90", 4),
    DemoProfile("Tracked, by weight", "weight", "2.90", 3, per_kg="1.50"),
    DemoProfile("Free over 60", "free_above", "5.90", 2, free_above="60.00"),
]


# --- pictures ----------------------------------------------------------------------------------

PICTURE_SIZE = 900


def _palette(title: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    hue = int(hashlib.sha256(title.encode()).hexdigest()[:4], 16) / 0xFFFF
    light = colorsys.hls_to_rgb(hue, 0.86, 0.55)
    dark = colorsys.hls_to_rgb((hue + 0.05) % 1, 0.38, 0.5)
    return (
        tuple(int(c * 255) for c in light),  # type: ignore[return-value]
        tuple(int(c * 255) for c in dark),
    )


def _draw_object(draw: ImageDraw.ImageDraw, category: str, colour: tuple[int, int, int]) -> None:
    """A simple silhouette per category, in the picture's dark colour."""
    c, s = PICTURE_SIZE // 2, PICTURE_SIZE
    if category in ("tents",):
        draw.polygon([(c, s * 0.22), (s * 0.14, s * 0.78), (s * 0.86, s * 0.78)], fill=colour)
    elif category in ("backpacks", "outdoor"):
        draw.rounded_rectangle([s * 0.28, s * 0.24, s * 0.72, s * 0.8], radius=70, fill=colour)
        draw.rounded_rectangle(
            [s * 0.38, s * 0.14, s * 0.62, s * 0.3], radius=40, outline=colour, width=22
        )
    elif category == "lighting":
        draw.line([(c, 0), (c, s * 0.3)], fill=colour, width=10)
        draw.polygon(
            [(s * 0.3, s * 0.62), (s * 0.7, s * 0.62), (s * 0.58, s * 0.3), (s * 0.42, s * 0.3)],
            fill=colour,
        )
    elif category in ("repairs", "workshops", "services"):
        draw.ellipse([s * 0.2, s * 0.2, s * 0.8, s * 0.8], fill=colour)
        draw.ellipse([s * 0.25, s * 0.25, s * 0.75, s * 0.75], outline=(255, 255, 255), width=8)
    else:  # ceramics: a bowl
        draw.chord([s * 0.16, s * 0.18, s * 0.84, s * 0.78], 0, 180, fill=colour)
        draw.rectangle([s * 0.4, s * 0.76, s * 0.6, s * 0.8], fill=colour)


def picture(title: str, category: str) -> bytes:
    """A distinct square PNG: the category's silhouette and the title's initial."""
    light, dark = _palette(title)
    image = PILImage.new("RGB", (PICTURE_SIZE, PICTURE_SIZE), light)
    draw = ImageDraw.Draw(image)
    for band in range(0, PICTURE_SIZE, 6):  # a soft vertical gradient
        shade = tuple(max(0, v - band // 40) for v in light)
        draw.line([(0, band), (PICTURE_SIZE, band)], fill=shade, width=6)  # type: ignore[arg-type]
    _draw_object(draw, category, dark)
    font = ImageFont.load_default(size=260)
    draw.text(
        (PICTURE_SIZE / 2, PICTURE_SIZE * 0.5),
        title[:1].upper(),
        font=font,
        fill=light,
        anchor="mm",
    )
    output = io.BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()


# --- seeding -----------------------------------------------------------------------------------


async def _seed_categories(session: AsyncSession) -> dict[str, uuid.UUID]:
    ids: dict[str, uuid.UUID] = {}
    for position, (slug, name, parent, attributes) in enumerate(CATEGORIES):
        category = await repository.get_category_by_slug(session, slug)
        if category is None:
            category = Category(
                id=new_id(),
                slug=slug,
                name=name,
                parent_id=ids.get(parent or ""),
                position=position,
            )
            session.add(category)
            await session.flush()
        ids[slug] = category.id
        existing = await repository.list_attribute_codes(session, category.id)
        for index, (code, label, kind, unit, allowed, required) in enumerate(attributes):
            if code not in existing:
                session.add(
                    Attribute(
                        id=new_id(),
                        category_id=category.id,
                        code=code,
                        name=label,
                        kind=kind,
                        unit=unit,
                        allowed_values=allowed,
                        required=required,
                        position=index,
                    )
                )
    await session.flush()
    return ids


async def _seller_id(session: AsyncSession, email: str) -> uuid.UUID | None:
    user_id = await find_user_id_by_email(session, email)
    seller = await find_seller_of(session, user_id) if user_id else None
    return seller.id if seller else None


async def _seed_profiles(session: AsyncSession, seller_id: uuid.UUID) -> uuid.UUID:
    existing = {p.name: p for p in await repository.list_shipping_profiles(session, seller_id)}
    for demo in PROFILES:
        if demo.name not in existing:
            profile = ShippingProfile(
                id=new_id(),
                seller_id=seller_id,
                name=demo.name,
                currency="EUR",
                method=demo.method,
                flat_rate_minor=parse_price(demo.flat_rate, "EUR"),
                per_kg_minor=parse_price(demo.per_kg, "EUR") if demo.per_kg else 0,
                free_above_minor=parse_price(demo.free_above, "EUR") if demo.free_above else None,
                handling_days=demo.handling_days,
            )
            session.add(profile)
            existing[demo.name] = profile
    await session.flush()
    return existing["Standard"].id


def _store_picture(files: FileStore, demo: DemoListing, listing_id: uuid.UUID) -> Image:
    data = picture(demo.title, demo.category)
    stored = files.save(data, allowed=frozenset({"image/png"}), max_bytes=8 * 1024 * 1024)
    base = stored.key.rsplit(".", 1)[0]
    keys = {}
    for name, side in THUMBNAIL_SIZES.items():
        keys[name] = f"{base}-{side}.webp"
        files.save_derived(keys[name], render_thumbnail(data, side))
    return Image(
        id=new_id(),
        listing_id=listing_id,
        file_key=stored.key,
        content_type=stored.content_type,
        size_bytes=stored.size,
        width=PICTURE_SIZE,
        height=PICTURE_SIZE,
        position=0,
        alt_text=demo.title,
        status="ready",
        small_key=keys["small"],
        large_key=keys["large"],
    )


async def seed_catalog_demo(session: AsyncSession, files: FileStore) -> None:
    """Load the demo categories and listings (idempotent). Sellers missing from the database
    are skipped: run the accounts and sellers demo first."""
    category_ids = await _seed_categories(session)
    tree = await load_tree(session)
    sellers: dict[str, tuple[uuid.UUID, uuid.UUID] | None] = {}
    for email in (ATELIER, NORDIC):
        seller_id = await _seller_id(session, email)
        sellers[email] = (
            (seller_id, await _seed_profiles(session, seller_id)) if seller_id else None
        )
        if seller_id is None:
            log.warning("catalog_demo_seller_missing", email=email)
    now = clock.now()
    for demo in LISTINGS:
        owner = sellers[demo.seller]
        if owner is None or await repository.sku_owner(session, owner[0], demo.variants[0][0]):
            continue
        category_id = category_ids[demo.category]
        values, problems = check_attributes(tree.specs(category_id), demo.attributes)
        assert not problems, (demo.title, problems)  # the demo data itself must be valid
        listing_id = new_id()
        listing = Listing(
            id=listing_id,
            seller_id=owner[0],
            kind=demo.kind,
            title=demo.title,
            description=demo.description,
            category_id=category_id,
            attributes=values,
            option_names=demo.option_names,
            currency="EUR",
            status=demo.status,
            published_at=now if demo.status != "draft" else None,
            hidden_at=now if demo.hidden_reason else None,
            hidden_reason=demo.hidden_reason,
            shipping_profile_id=owner[1] if demo.kind == "goods" else None,
            duration_minutes=demo.duration_minutes,
            capacity=demo.capacity,
            variants=[
                Variant(
                    id=new_id(),
                    seller_id=owner[0],
                    sku=sku,
                    options=options,
                    price_minor=parse_price(price, "EUR"),
                    stock=stock,
                    weight_grams=demo.weight_grams,
                    position=index,
                )
                for index, (sku, options, price, stock) in enumerate(demo.variants)
            ],
            images=[_store_picture(files, demo, listing_id)],
        )
        session.add(listing)
        await session.flush()
        listing_changed(session, listing_id)
