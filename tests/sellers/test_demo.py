"""The demo sellers: every state of the admission process, seeded idempotently."""

from __future__ import annotations

import struct
import zlib

from sqlalchemy import select

from mercato.kit.auth import Principal, Role
from mercato.kit.storage import sniff_content_type
from mercato.notifications.models import Mail
from mercato.sellers import service
from mercato.sellers.demo import DEMO_SELLERS, logo_png, pdf_document, seed_sellers_demo
from mercato.sellers.models import Seller, SellerDocument
from tests.sellers.helpers import row_counts, stored_files


async def _seed(runtime) -> None:
    async with runtime.database.transaction() as session:
        await seed_sellers_demo(session, runtime.files)


async def test_demo_sellers_cover_every_state_and_seeding_twice_changes_nothing(runtime):
    await _seed(runtime)
    counts, files = await row_counts(runtime), stored_files(runtime)
    await _seed(runtime)
    assert await row_counts(runtime) == counts
    assert stored_files(runtime) == files

    async with runtime.database.reading() as session:
        sellers = {s.business_name: s for s in (await session.execute(select(Seller))).scalars()}
        assert {name: s.status for name, s in sellers.items()} == {
            "Atelier Lumière": "admitted",
            "Nordic Outdoor Co.": "admitted",
            "Maison Verte": "submitted",
            "Bergström Design": "info_requested",
            "QuickDeals LLC": "rejected",
        }
        documents = (await session.execute(select(SellerDocument))).scalars().all()
        assert len(documents) == sum(len(d.documents) for d in DEMO_SELLERS)
        assert "Handelsregisterauszug" in (sellers["Bergström Design"].status_reason or "")
        for demo in DEMO_SELLERS[:2]:
            seller = sellers[demo.application.business_name]
            principal = Principal(user_id=seller.owner_user_id, role=Role.SELLER, email=demo.email)
            checklist = await service.get_checklist(session, principal)
            assert [i.status.value for i in checklist.items] == [
                "complete",
                "complete",
                "complete",
                "pending",
            ]
            assert checklist.can_publish
            assert seller.logo_key is not None
            assert runtime.files.read(seller.logo_key).startswith(b"\x89PNG")
        subjects = (await session.execute(select(Mail.subject))).scalars().all()
        assert subjects.count("Welcome to Mercato: your shop is admitted") == 2


def test_generated_files_are_valid_pdf_and_png():
    pdf = pdf_document("Hello (world)")
    assert sniff_content_type(pdf[:16]) == "application/pdf"
    assert pdf.rstrip().endswith(b"%%EOF")
    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    assert pdf[xref:].startswith(b"xref")

    png = logo_png((0, 0, 0), (255, 255, 255), "peak", size=20)
    assert sniff_content_type(png[:16]) == "image/png"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (20, 20)
    idat_length = struct.unpack(">I", png[33:37])[0]
    raw = zlib.decompress(png[41 : 41 + idat_length])
    assert len(raw) == 20 * (1 + 20 * 3)
