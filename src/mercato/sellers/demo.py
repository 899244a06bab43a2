"""Demo sellers: two admitted shops with complete onboarding, and three applications waiting in
other states (submitted with documents, more information requested, rejected).

Idempotent: each seller is found by its owner's email and only moved forward from the state it
is in, so seeding twice changes nothing. Every step goes through the real use cases, so the demo
also fills the audit trail, the check results and the mail outbox as real sellers would.
"""

from __future__ import annotations

import struct
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts.service import create_user_with_role, find_user_id_by_email
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.storage import FileStore
from mercato.sellers import repository
from mercato.sellers.models import Seller
from mercato.sellers.schemas import (
    ApplicationIn,
    CriterionIn,
    Decision,
    DocumentType,
    LegalForm,
    PayoutAccountIn,
    SellerStatus,
    StorefrontIn,
    TermsIn,
)
from mercato.sellers.service import (
    accept_terms,
    open_application,
    save_application,
    save_payout_account,
    save_storefront_profile,
    submit_application,
    upload_document,
)
from mercato.sellers.service._common import SYSTEM
from mercato.sellers.service.review import add_criterion, apply_decision, publish_terms

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (published demo login)
ADMIN_EMAIL = "admin@mercato.example"

# --- generated files (no image library needed) ---------------------------------------------


Rgb = tuple[int, int, int]


def png_image(width: int, height: int, pixel: Callable[[int, int], Rgb]) -> bytes:
    """A valid RGB PNG; ``pixel(x, y)`` returns an (r, g, b) tuple."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            rows.extend(pixel(x, y))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def logo_png(background: Rgb, ink: Rgb, shape: str, size: int = 128) -> bytes:
    """A simple square logo: a sun ("sun") or a mountain ("peak") on a coloured ground."""
    half = size / 2

    def pixel(x: int, y: int) -> Rgb:
        if shape == "sun":
            distance = ((x - half) ** 2 + (y - half) ** 2) ** 0.5
            ray = abs(x - half) < 4 or abs(y - half) < 4 or abs(abs(x - half) - abs(y - half)) < 4
            if distance < size * 0.22 or (size * 0.3 < distance < size * 0.42 and ray):
                return ink
        elif y > size * 0.25 and abs(x - half) < (y - size * 0.25) * 0.9 and y < size * 0.8:
            return ink if y > size * 0.42 or abs(x - half) > 6 else (255, 255, 255)
        return background

    return png_image(size, size, pixel)


def pdf_document(*lines: str) -> bytes:
    """A valid one-page PDF showing ``lines`` in Helvetica (accents are dropped: the standard
    fonts only promise ASCII)."""
    ascii_lines = (
        unicodedata.normalize("NFKD", line).encode("ascii", "ignore").decode() for line in lines
    )
    text = "BT /F1 14 Tf 72 770 Td 18 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for line in ascii_lines
    )
    stream = text + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out.extend(f"{number} 0 obj\n{body}\nendobj\n".encode("ascii"))
    xref = len(out)
    out.extend(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii"))
    for offset in offsets:
        out.extend(f"{offset:010d} 00000 n \n".encode("ascii"))
    out.extend(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode(
            "ascii"
        )
    )
    return bytes(out)


# --- the demo sellers ------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSeller:
    email: str
    owner_name: str
    application: ApplicationIn
    documents: tuple[DocumentType, ...]
    target: SellerStatus
    reason: str | None = None
    iban: str | None = None
    storefront: StorefrontIn | None = None
    logo: tuple[Rgb, Rgb, str] | None = None


DEMO_TERMS = TermsIn(
    title="Mercato seller terms",
    body=(
        "1. Who may sell. Mercato admits registered businesses after reviewing their "
        "application. You keep your business details, documents and payout account up to "
        "date.\n\n"
        "2. Listings. You describe what you sell honestly, with its real price, stock and "
        "delivery time. Counterfeit, dangerous and illegal items are forbidden.\n\n"
        "3. Orders and payments. Buyers pay Mercato; the money is held in escrow and released "
        "to you once the buyer has received the order, minus the commission for the category.\n"
        "\n4. Returns. You publish a return policy and honour it; buyers may always return an "
        "item that does not match its description.\n\n"
        "5. Suspension. Mercato may suspend a shop that breaks these terms; you are told why "
        "and may appeal."
    ),
    reason="First version of the seller terms.",
)

# A second version published for a later date: the admin console lists it as scheduled, and
# every shop is asked to accept it once it applies.
DEMO_NEXT_TERMS_AFTER = timedelta(days=30)
DEMO_NEXT_TERMS = DEMO_TERMS.model_copy(
    update={
        "body": DEMO_TERMS.body
        + "\n\n6. Delivery promises. The delivery time you show is a promise: late orders "
        "count against your shop's service levels.",
        "reason": "Delivery times shown on listings become a commitment.",
    }
)

DEMO_CRITERIA = (
    CriterionIn(country="FR", doc_type=DocumentType.REGISTRATION),
    CriterionIn(country="FR", doc_type=DocumentType.IDENTITY),
    CriterionIn(country="DE", doc_type=DocumentType.REGISTRATION),
)

DEMO_SELLERS = (
    DemoSeller(
        email="atelier@mercato.example",
        owner_name="Lea Martin",
        application=ApplicationIn(
            business_name="Atelier Lumière",
            legal_form=LegalForm.COMPANY,
            country="FR",
            tax_id="732 829 320 00074",
            contact_name="Lea Martin",
            contact_email="atelier@mercato.example",
            contact_phone="+33 4 78 00 00 01",
            sells_goods=True,
            category_interests="Lamps, lighting, home decor",
        ),
        documents=(DocumentType.REGISTRATION, DocumentType.IDENTITY),
        target=SellerStatus.ADMITTED,
        iban="FR76 3000 6000 0112 3456 7890 189",
        storefront=StorefrontIn(
            display_name="Atelier Lumière",
            description=(
                "Hand-made lamps and lighting from our workshop in Lyon: turned wood, blown "
                "glass and linen shades, each piece signed."
            ),
            return_policy=(
                "Returns within 30 days of delivery, in the original packaging. We pay the "
                "return shipping of any item that arrives damaged."
            ),
        ),
        logo=((15, 118, 110), (251, 191, 36), "sun"),
    ),
    DemoSeller(
        email="nordic@mercato.example",
        owner_name="Erik Berg",
        application=ApplicationIn(
            business_name="Nordic Outdoor Co.",
            legal_form=LegalForm.COMPANY,
            country="GB",
            tax_id="GB980780684",
            contact_name="Erik Berg",
            contact_email="nordic@mercato.example",
            contact_phone="+44 20 7946 0001",
            sells_goods=True,
            sells_services=True,
            category_interests="Tents, backpacks, outdoor clothing, guided hikes",
        ),
        documents=(DocumentType.REGISTRATION,),
        target=SellerStatus.ADMITTED,
        iban="GB82 WEST 1234 5698 7654 32",
        storefront=StorefrontIn(
            display_name="Nordic Outdoor",
            description=(
                "Gear we test on Scottish and Norwegian trails: tents, packs and layers that "
                "last, plus guided weekend hikes."
            ),
            return_policy=(
                "60-day returns on unused gear. Guided hikes: free cancellation up to 7 days "
                "before."
            ),
        ),
        logo=((30, 58, 138), (226, 232, 240), "peak"),
    ),
    DemoSeller(
        email="verte@mercato.example",
        owner_name="Camille Roux",
        application=ApplicationIn(
            business_name="Maison Verte",
            legal_form=LegalForm.SOLE_TRADER,
            country="FR",
            tax_id="FR40303265045",
            contact_name="Camille Roux",
            contact_email="verte@mercato.example",
            contact_phone="+33 6 12 34 56 78",
            sells_goods=True,
            sells_services=True,
            category_interests="House plants, planters, garden design visits",
        ),
        documents=(DocumentType.REGISTRATION, DocumentType.IDENTITY),
        target=SellerStatus.SUBMITTED,
        iban="FR14 2004 1010 0505 0001 3M02 606",
    ),
    DemoSeller(
        email="bergstrom@mercato.example",
        owner_name="Jonas Bergström",
        application=ApplicationIn(
            business_name="Bergström Design",
            legal_form=LegalForm.COMPANY,
            country="DE",
            tax_id="DE136695976",
            contact_name="Jonas Bergström",
            contact_email="bergstrom@mercato.example",
            contact_phone="+49 30 901820",
            sells_goods=True,
            category_interests="Furniture, shelving",
        ),
        documents=(DocumentType.REGISTRATION,),
        target=SellerStatus.INFO_REQUESTED,
        reason=(
            "The trade register extract is older than three months. Please upload a current "
            "one (Handelsregisterauszug) and the ID of the managing director."
        ),
    ),
    DemoSeller(
        email="quickdeals@mercato.example",
        owner_name="Max Quick",
        application=ApplicationIn(
            business_name="QuickDeals LLC",
            legal_form=LegalForm.COMPANY,
            country="US",
            tax_id="12-3456789",
            contact_name="Max Quick",
            contact_email="quickdeals@mercato.example",
            contact_phone="+1 212 555 0147",
            sells_goods=True,
            category_interests="Electronics, phone accessories",
        ),
        documents=(DocumentType.REGISTRATION,),
        target=SellerStatus.REJECTED,
        reason=(
            "The registration document is for another company, and the products announced "
            "(branded phone accessories) need an authorised-reseller certificate."
        ),
    ),
)


async def seed_sellers_demo(session: AsyncSession, files: FileStore) -> None:
    """Seed admission criteria, the seller terms and the five demo sellers (idempotent)."""
    admin = await _admin(session)
    existing = {
        (c.country, c.doc_type, c.applies_to) for c in await repository.list_criteria(session)
    }
    for criterion in DEMO_CRITERIA:
        if (criterion.country, criterion.doc_type.value, criterion.applies_to) not in existing:
            await add_criterion(session, admin, criterion)
    version = await _seed_terms(session, admin)
    for demo in DEMO_SELLERS:
        await _seed_seller(session, files, demo, version)


async def _seed_terms(session: AsyncSession, admin: Principal) -> int:
    """Publish the first version, then the second for a later date (each once); the version
    in force is the one the demo shops accept."""
    latest = await repository.latest_terms(session)
    if latest is None:
        latest_version = (await publish_terms(session, admin, DEMO_TERMS)).version
    else:
        latest_version = latest.version
    if latest_version == 1:
        later = clock.now() + DEMO_NEXT_TERMS_AFTER
        await publish_terms(
            session, admin, DEMO_NEXT_TERMS.model_copy(update={"effective_from": later})
        )
    in_force = await repository.terms_in_force(session, clock.now())
    assert in_force is not None  # the first version applies from its publication
    return in_force.version


async def _admin(session: AsyncSession) -> Principal:
    """The demo admin (created with the other demo users); criteria and terms are recorded
    under their name."""
    user_id = await find_user_id_by_email(session, ADMIN_EMAIL)
    if user_id is None:
        user = await create_user_with_role(
            session, ADMIN_EMAIL, DEMO_PASSWORD, "Ada Admin", Role.ADMIN
        )
        user_id = user.id
    return Principal(user_id=user_id, role=Role.ADMIN, email=ADMIN_EMAIL)


async def _seller_principal(session: AsyncSession, demo: DemoSeller) -> tuple[Principal, Seller]:
    user_id = await find_user_id_by_email(session, demo.email)
    if user_id is None:
        user = await create_user_with_role(
            session, demo.email, DEMO_PASSWORD, demo.owner_name, Role.SELLER
        )
        user_id = user.id
    if await repository.get_by_owner(session, user_id) is None:
        await open_application(session, user_id, demo.application.business_name)
    seller = await repository.get_by_owner(session, user_id)
    assert seller is not None
    return Principal(user_id=user_id, role=Role.SELLER, email=demo.email), seller


async def _seed_seller(
    session: AsyncSession, files: FileStore, demo: DemoSeller, terms_version: int
) -> None:
    principal, seller = await _seller_principal(session, demo)
    if seller.status == SellerStatus.APPLYING:
        await save_application(session, principal, demo.application)
        for doc_type in demo.documents:
            pdf = pdf_document(
                f"{demo.application.business_name}",
                f"Demo document: {doc_type.value.replace('_', ' ')}",
                "Generated for the Mercato demo marketplace.",
            )
            await upload_document(session, principal, files, doc_type, pdf, f"{doc_type.value}.pdf")
        if demo.iban:
            # Before submitting, so the duplicate bank account check has something to compare.
            await _payout(session, principal, demo)
        await submit_application(session, principal)
    if seller.status == SellerStatus.SUBMITTED and demo.target is not SellerStatus.SUBMITTED:
        decision = {
            SellerStatus.ADMITTED: Decision.APPROVE,
            SellerStatus.INFO_REQUESTED: Decision.REQUEST_INFO,
            SellerStatus.REJECTED: Decision.REJECT,
        }[demo.target]
        await apply_decision(session, seller, decision, demo.reason, SYSTEM)
    if demo.target is SellerStatus.ADMITTED:
        await _complete_onboarding(session, files, principal, seller, demo, terms_version)


async def _payout(session: AsyncSession, principal: Principal, demo: DemoSeller) -> None:
    assert demo.iban is not None
    holder = demo.application.business_name
    await save_payout_account(
        session, principal, PayoutAccountIn(account_holder=holder, iban=demo.iban)
    )


async def _complete_onboarding(
    session: AsyncSession,
    files: FileStore,
    principal: Principal,
    seller: Seller,
    demo: DemoSeller,
    terms_version: int,
) -> None:
    accepted = await repository.latest_acceptance(session, seller.id)
    if accepted is None or accepted[1].version != terms_version:
        await accept_terms(session, principal, terms_version, "127.0.0.1")
    if seller.payout_iban is None and demo.iban:
        await _payout(session, principal, demo)
    if seller.display_name is None and demo.storefront is not None:
        logo = logo_png(*demo.logo) if demo.logo else None
        await save_storefront_profile(session, principal, demo.storefront, files=files, logo=logo)
