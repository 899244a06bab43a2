"""Seeds the browser tests' server with a small shop to search: run as
``python -m tests.e2e.search_seed`` with the server's environment, before any search is made
(this process has its own cache). Prints nothing; exits non-zero on failure."""

from __future__ import annotations

import asyncio
import contextlib
import io
import uuid

from PIL import Image, ImageDraw
from sqlalchemy import update

from mercato.accounts.service import create_user_with_role
from mercato.catalog import service as catalog
from mercato.catalog.schemas import AttributeIn, AttributeKind, CategoryIn, ListingIn, VariantIn
from mercato.config import get_settings
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import MercatoError
from mercato.kit.runtime import build_runtime
from mercato.sellers.models import Seller
from mercato.sellers.service import open_application
from mercato.tasks_registry import load_all_tasks

SELLER_EMAIL = "gadgets@example.com"
PASSWORD = "correct-horse-battery"
COLOURS = {"Black": "#1f2937", "Blue": "#2563eb", "Silver": "#cbd5e1", "White": "#f8fafc"}
LISTINGS = [
    # title, category, colour, [(variant label, price, stock)]
    ("Apple iPhone 15 Pro", "phones", "Black", [("128 GB", "999.00", 4), ("256 GB", "1129.00", 0)]),
    ("Apple iPhone 15", "phones", "Blue", [("128 GB", "829.00", 12)]),
    ("Apple iPhone 14", "phones", "Silver", [("128 GB", "699.00", 3)]),
    ("Samsung Galaxy S24", "phones", "Black", [("256 GB", "899.00", 7)]),
    ("iPhone leather case", "phones", "Blue", [("One size", "49.00", 30)]),
    ("Handmade ceramic mug", "kitchen", "White", [("One size", "24.00", 15)]),
    ("Ceramic espresso cups, set of 2", "kitchen", "Blue", [("One size", "32.00", 6)]),
]


def picture(colour: str, accent: str) -> bytes:
    image = Image.new("RGB", (800, 800), "#f1f5f9")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (230, 110, 570, 690), radius=60, fill=COLOURS[colour], outline="#0f172a", width=6
    )
    draw.rounded_rectangle((262, 150, 538, 600), radius=24, fill=accent)
    draw.ellipse((375, 625, 425, 675), fill="#0f172a")
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


async def seed() -> None:
    load_all_tasks()  # so the search index follows every change made here
    runtime = build_runtime(get_settings())
    admin = Principal(user_id=uuid.uuid4(), role=Role.ADMIN, email="seed@example.com")
    try:
        async with runtime.database.transaction() as session:
            # Other journeys share this server: reuse what exists, add what is missing.
            existing = {c.name: c.id for c in await catalog.list_categories_flat(session)}

            async def category(name: str, parent: uuid.UUID | None = None) -> uuid.UUID:
                if name in existing:
                    return existing[name]
                created = await catalog.create_category(
                    session, admin, CategoryIn(name=name, parent_id=parent)
                )
                return created.id

            electronics = await category("Electronics")
            phones = await category("Phones", electronics)
            dining = await category("Kitchen & Dining")
            kitchen = await category("Cups & Mugs", dining)
            for top in (electronics, dining):
                with contextlib.suppress(MercatoError):
                    await catalog.add_attribute(
                        session,
                        admin,
                        top,
                        AttributeIn(
                            code="colour",
                            name="Colour",
                            kind=AttributeKind.ENUM,
                            allowed_values=list(COLOURS),
                        ),
                    )
            user = await create_user_with_role(
                session, SELLER_EMAIL, PASSWORD, "Nora Gadget", Role.SELLER
            )
            seller = await open_application(session, user.id, "Nordic Gadgets")
            await session.execute(
                update(Seller).where(Seller.id == seller.id).values(status="admitted")
            )
        principal = Principal(user_id=user.id, role=Role.SELLER, email=SELLER_EMAIL)
        categories = {"phones": phones, "kitchen": kitchen}
        accents = ["#99f6e4", "#fde68a", "#c7d2fe", "#fbcfe8", "#bbf7d0", "#fed7aa", "#e9d5ff"]
        for index, (title, category, colour, variants) in enumerate(LISTINGS):
            async with runtime.database.transaction() as session:
                listing = await catalog.create_listing(
                    session,
                    principal,
                    ListingIn(
                        title=title,
                        description=f"{title}, {colour.lower()}. Sold by an independent shop.",
                        category_id=categories[category],
                        attributes={"colour": colour},
                        currency="EUR",
                        option_names=["Option"] if len(variants) > 1 else [],
                        variants=[
                            VariantIn(
                                sku=f"SKU-{index}-{number}",
                                options={"Option": label} if len(variants) > 1 else {},
                                price=price,
                                stock=stock,
                            )
                            for number, (label, price, stock) in enumerate(variants)
                        ],
                    ),
                )
                await catalog.add_image(
                    session,
                    principal,
                    listing.id,
                    picture(colour, accents[index % len(accents)]),
                    runtime.files,
                    alt_text=title,
                )
            async with runtime.database.transaction() as session:
                await catalog.publish_listing(session, principal, listing.id)
    finally:
        await runtime.close()


if __name__ == "__main__":
    asyncio.run(seed())
