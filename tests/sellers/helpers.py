"""Shared helpers of the sellers tests: a valid application, files, and API shortcuts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, text

from mercato.kit.db import Base
from mercato.kit.runtime import Runtime
from mercato.sellers.demo import logo_png, pdf_document

PDF = pdf_document("Extrait Kbis", "Test company")
PNG = logo_png((15, 118, 110), (251, 191, 36), "sun", size=32)
APPLICATION: dict[str, Any] = {
    "business_name": "Lumen & Co",
    "legal_form": "company",
    "country": "FR",
    "tax_id": "732 829 320 00074",
    "contact_name": "Lea Martin",
    "contact_email": "lea@example.com",
    "contact_phone": "+33 4 78 00 00 01",
    "sells_goods": True,
    "sells_services": False,
    "category_interests": "Lamps",
}
IBAN = "FR76 3000 6000 0112 3456 7890 189"


async def row_counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.database.reading() as session:
        counts = {}
        for table in Base.metadata.sorted_tables:
            statement = select(func.count()).select_from(table)
            counts[table.name] = (await session.execute(statement)).scalar_one()
        return counts


def stored_files(runtime: Runtime) -> set[Path]:
    root = runtime.files.root
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


async def snapshot(runtime: Runtime) -> tuple[dict[str, int], set[Path], list[Any]]:
    """Everything a refused request must leave untouched: row counts, stored files, and the
    seller rows themselves."""
    async with runtime.database.reading() as session:
        sellers = (await session.execute(text("SELECT * FROM sellers_seller ORDER BY id"))).all()
    return await row_counts(runtime), stored_files(runtime), [tuple(r) for r in sellers]


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    data: bytes = PDF,
    doc_type: str = "registration",
    name: str = "kbis.pdf",
    content_type: str = "application/pdf",
) -> httpx.Response:
    return await client.post(
        "/api/v1/sellers/me/application/documents",
        data={"doc_type": doc_type},
        files={"file": (name, data, content_type)},
        headers=headers,
    )


async def apply(
    client: httpx.AsyncClient, headers: dict[str, str], **changes: Any
) -> httpx.Response:
    response = await client.put(
        "/api/v1/sellers/me/application", json=APPLICATION | changes, headers=headers
    )
    assert response.status_code == 200, response.text
    return response


async def submitted(
    client: httpx.AsyncClient, headers: dict[str, str], **changes: Any
) -> dict[str, Any]:
    """Fill in, attach a document and submit: the application is then waiting for review."""
    await apply(client, headers, **changes)
    assert (await upload(client, headers)).status_code == 201
    response = await client.post("/api/v1/sellers/me/application/submit", headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def decide(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    seller_id: str,
    decision: str,
    reason: str | None = None,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/admin/sellers/{seller_id}/decisions",
        json={"decision": decision, "reason": reason},
        headers=admin,
    )
