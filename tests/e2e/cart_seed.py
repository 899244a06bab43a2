"""Seeds the browser tests' server for the cart journey: two admitted sellers, each with a
published listing with a picture and shipping profiles, and a buyer. Run as
``python -m tests.e2e.cart_seed`` with the server's environment; prints the two product ids."""

from __future__ import annotations

import asyncio
import io
import uuid

from PIL import Image, ImageDraw
from sqlalchemy import update

from mercato.accounts.service import create_user_with_role, find_user_id_by_email
from mercato.catalog import service as catalog
from mercato.catalog.schemas import CategoryIn, ListingIn, ShippingProfileIn, VariantIn
from mercato.config import get_settings
from mercato.kit.auth import Principal, Role
from mercato.kit.runtime import build_runtime
from mercato.sellers.models import Seller
from mercato.sellers.service import open_application
from mercato.tasks_registry import load_all_tasks

BUYER_EMAIL = "cart.buyer@example.com"
PASSWORD = "correct-horse-battery"
SHOPS = [
    # email, shop, title, colour, [(option, price, stock, grams)], profiles
    (
        "cart.potter@example.com",
        "Cart Pottery",
        "Cart journey teapot",
        "#0f766e",
        [("Small", "32.00", 6, 700), ("Large", "44.00", 4, 1100)],
        [
            ShippingProfileIn(name="Standard", currency="EUR", flat_rate="4.90"),
            ShippingProfileIn(
                name="Tracked", currency="EUR", method="weight", flat_rate="2.00", per_kg="1.50"
            ),
        ],
    ),
    (
        "cart.weaver@example.com",
        "Cart Weaving",
        "Cart journey wool scarf",
        "#b45309",
        [("One size", "29.00", 8, 200)],
        [
            ShippingProfileIn(
                name="Letter post",
                currency="EUR",
                method="free_above",
                flat_rate="3.50",
                free_above="50",
            )
        ],
    ),
]


def picture(colour: str) -> bytes:
    image = Image.new("RGB", (600, 600), "#f1f5f9")
    ImageDraw.Draw(image).rounded_rectangle((120, 120, 480, 480), radius=60, fill=colour)
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


async def seed() -> list[uuid.UUID]:
    load_all_tasks()
    runtime = build_runtime(get_settings())
    admin = Principal(user_id=uuid.uuid4(), role=Role.ADMIN, email="seed@example.com")
    listing_ids = []
    try:
        async with runtime.database.transaction() as session:
            if await find_user_id_by_email(session, BUYER_EMAIL) is None:
                await create_user_with_role(
                    session, BUYER_EMAIL, PASSWORD, "Cara Buyer", Role.BUYER
                )
            category = await catalog.create_category(
                session, admin, CategoryIn(name="Cart journey")
            )
        for index, (email, shop, title, colour, variants, profiles) in enumerate(SHOPS):
            async with runtime.database.transaction() as session:
                user = await create_user_with_role(session, email, PASSWORD, shop, Role.SELLER)
                seller = await open_application(session, user.id, shop)
                await session.execute(
                    update(Seller).where(Seller.id == seller.id).values(status="admitted")
                )
            principal = Principal(user_id=user.id, role=Role.SELLER, email=email)
            async with runtime.database.transaction() as session:
                for profile in profiles:
                    await catalog.create_shipping_profile(session, principal, profile)
                listing = await catalog.create_listing(
                    session,
                    principal,
                    ListingIn(
                        title=title,
                        description=f"{title}, made by {shop}.",
                        category_id=category.id,
                        currency="EUR",
                        option_names=["Size"] if len(variants) > 1 else [],
                        variants=[
                            VariantIn(
                                sku=f"CART-{index}-{number}",
                                options={"Size": label} if len(variants) > 1 else {},
                                price=price,
                                stock=stock,
                                weight_grams=grams,
                            )
                            for number, (label, price, stock, grams) in enumerate(variants)
                        ],
                    ),
                )
                await catalog.add_image(
                    session, principal, listing.id, picture(colour), runtime.files, alt_text=title
                )
            async with runtime.database.transaction() as session:
                await catalog.publish_listing(session, principal, listing.id)
            listing_ids.append(listing.id)
    finally:
        await runtime.close()
    return listing_ids


if __name__ == "__main__":
    print(" ".join(str(i) for i in asyncio.run(seed())))
