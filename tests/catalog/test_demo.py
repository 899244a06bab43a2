"""The demo catalog: idempotent, valid, and visible once its sellers are admitted."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from mercato.catalog import service
from mercato.catalog.demo import LISTINGS, picture, seed_catalog_demo
from mercato.catalog.models import Category, Listing, Variant
from mercato.catalog.models import Image as ImageRow
from mercato.kit.auth import Role
from tests.fixtures.accounts import create_user
from tests.fixtures.catalog import admit


async def totals(runtime) -> tuple[int, int, int, int]:
    async with runtime.database.reading() as session:
        found = []
        for model in (Category, Listing, Variant, ImageRow):
            found.append(
                (await session.execute(select(func.count()).select_from(model))).scalar_one()
            )
        return tuple(found)  # type: ignore[return-value]


async def test_demo_catalog_is_idempotent_and_complete(runtime):
    atelier = await create_user(runtime, "atelier@mercato.example", Role.SELLER, "Lea")
    nordic = await create_user(runtime, "nordic@mercato.example", Role.SELLER, "Erik")
    for _ in range(2):
        async with runtime.database.transaction() as session:
            await seed_catalog_demo(session, runtime.files)
    variants = sum(len(item.variants) for item in LISTINGS)
    assert await totals(runtime) == (9, len(LISTINGS), variants, len(LISTINGS))
    async with runtime.database.reading() as session:
        states = dict(
            (
                await session.execute(select(Listing.status, func.count()).group_by(Listing.status))
            ).all()
        )
        kinds = dict(
            (await session.execute(select(Listing.kind, func.count()).group_by(Listing.kind))).all()
        )
        hidden = (
            await session.execute(select(func.count()).where(Listing.hidden_at.is_not(None)))
        ).scalar_one()
        assert await service.list_featured_listings(session, 48) == []  # sellers not admitted yet
    assert states == {"published": 28, "draft": 1, "archived": 1}
    assert kinds["service"] == 6
    assert hidden == 1
    await admit(runtime, atelier)
    await admit(runtime, nordic)
    async with runtime.database.reading() as session:
        featured = await service.list_featured_listings(session, 48)
        assert len(featured) == 27
        assert all(
            item.thumbnail_url and item.thumbnail_url.endswith("-400.webp") for item in featured
        )
        document = await service.search_document(session, featured[0].id)
        assert document is not None and document.visible and document.image_key


def test_each_demo_picture_is_a_distinct_image():
    first, second = picture("Speckled stoneware mug", "ceramics"), picture("Fjell 2", "tents")
    assert first != second
    with Image.open(io.BytesIO(first)) as image:
        assert (image.format, image.size) == ("PNG", (900, 900))
