"""The performance pages: the seller sees its standing with the reason and appeals; the admin
sees the table, the appeal queue, decides, and a bad threshold re-renders with the error."""

from __future__ import annotations

from sqlalchemy import func, select

from mercato.performance.models import ThresholdVersion
from mercato.performance.tasks import evaluate_sellers
from tests.orders.test_seller_pages import post, sign_in_as
from tests.performance.conftest import shipped_orders


async def test_a_warned_seller_appeals_and_the_admin_rejects(runtime, client, market, clock):
    await shipped_orders(runtime, client, market, clock, on_time=4, late=1)
    await evaluate_sellers()
    client.headers["accept"] = "text/html"
    await sign_in_as(client, market, "seller")
    page = await client.get("/seller/performance")
    assert page.status_code == 200
    assert "Warning" in page.text and "Late shipment rate 20%" in page.text
    sent = await post(client, "/seller/performance/appeal", {"text": "Storm closed the depot."})
    assert sent.status_code == 303
    await sign_in_as(client, market, "admin")
    admin = await client.get("/admin/performance?sort=late_shipment")
    assert admin.status_code == 200 and "Storm closed the depot." in admin.text
    bad = await post(
        client,
        "/admin/performance/thresholds",
        {
            "defect_max_bp": "20000",
            "late_shipment_max_bp": "400",
            "cancellation_max_bp": "250",
            "valid_tracking_min_bp": "9500",
            "min_orders": "5",
            "cooldown_days": "7",
            "protection_days": "14",
            "reason": "Typo",
        },
    )
    assert bad.status_code == 422 and "10000 basis points" in bad.text
    async with runtime.database.reading() as session:
        total = await session.execute(select(func.count()).select_from(ThresholdVersion))
        assert total.scalar_one() == 0
