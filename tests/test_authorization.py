"""The authorization matrix: every API endpoint against every role.

Each case states the status each role gets. A refused call (401/403/404) must write nothing. A
test below fails when an API route exists that the matrix does not cover.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from mercato.kit.db import Base
from mercato.sellers.demo import logo_png, pdf_document
from tests.audit import matrix as audit_matrix
from tests.disputes import matrix as disputes_matrix
from tests.fixtures.accounts import PASSWORD, ROLES, actors
from tests.fixtures.catalog import MATRIX_CSV, image_bytes, matrix_placeholders
from tests.fixtures.matrix import (
    ADMIN,
    ANON,
    BUYER,
    OTHER,
    SELLER,
    SUPPORT,
    Case,
    buyers_only,
    everyone,
    sellers_only,
    signed_in,
    staff_only,
)
from tests.fixtures.orders import matrix_orders
from tests.governance import matrix as governance_matrix
from tests.orders import matrix as orders_matrix
from tests.performance import matrix as performance_matrix
from tests.reviews import matrix as reviews_matrix

ADDRESS = {
    "label": "Matrix",
    "full_name": "Matrix Person",
    "line1": "1 Test Street",
    "city": "Paris",
    "postal_code": "75001",
    "country": "FR",
}

ORDER_ADDRESS = {k: v for k, v in ADDRESS.items() if k != "label"}

SELLER_PDF = pdf_document("Matrix")
SELLER_PNG = logo_png((0, 0, 0), (255, 255, 255), "sun", size=16)
SELLER_APPLICATION = {
    "business_name": "Matrix Shop",
    "legal_form": "company",
    "country": "FR",
    "tax_id": "732829320",
    "contact_name": "Matrix Person",
    "contact_email": "matrix@example.com",
    "contact_phone": "+33 1 23 45 67 89",
    "sells_goods": True,
}

CATALOG_PNG = image_bytes(size=(64, 64))
CATALOG_LISTING = {
    "title": "Matrix mug",
    "category_id": "{catalog_category}",
    "attributes": {"material": "Glass"},
    "currency": "EUR",
    "variants": [{"sku": "MTX-1", "price": "12.00", "stock": 4}],
}

PAYMENT = {"amount_minor": 1250, "currency": "EUR", "method": "card"}

# A day already over (a day to come is a 422), for reconciling the sandbox.
RECONCILE_DAY = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()

# The matrix's commission plans: "free" is the default (no listing limit, so the fixtures can
# still publish), "pro" is the one a seller moves to.
COMMISSION_PLANS = (
    {"code": "free", "name": "Free", "is_default": True},
    {"code": "pro", "name": "Pro", "monthly_fee_minor": 1900, "discount_bps": 300},
)

CASES = [
    Case("GET", "/api/v1", everyone(200)),
    Case(
        "POST",
        "/api/v1/auth/signup",
        everyone(201),
        json={"email": "fresh@example.com", "password": "a-long-passphrase", "display_name": "F"},
    ),
    Case("POST", "/api/v1/auth/verify-email", everyone(422), json={"token": "x" * 43}),
    Case("POST", "/api/v1/auth/resend-verification", signed_in(409)),
    Case("POST", "/api/v1/auth/password-reset", everyone(202), json={"email": "a@example.com"}),
    Case(
        "POST",
        "/api/v1/auth/password-reset/confirm",
        everyone(422),
        json={"token": "x" * 43, "password": "a-long-passphrase"},
    ),
    Case(
        "POST",
        "/api/v1/auth/token",
        everyone(200),
        form={"username": "buyer@example.com", "password": PASSWORD},
    ),
    Case(
        "POST",
        "/api/v1/auth/token/mfa",
        everyone(422),
        json={"mfa_token": "x" * 43, "code": "123456"},
    ),
    Case("POST", "/api/v1/auth/token/refresh", everyone(401), json={"refresh_token": "x" * 43}),
    Case("POST", "/api/v1/auth/logout", everyone(204), json={"refresh_token": "x" * 43}),
    Case("GET", "/api/v1/me", signed_in(200)),
    Case("PATCH", "/api/v1/me", signed_in(200), json={"display_name": "Renamed"}),
    Case(
        "POST",
        "/api/v1/me/password",
        signed_in(204),
        json={"current_password": PASSWORD, "new_password": "another-passphrase"},
    ),
    Case("POST", "/api/v1/me/2fa/setup", signed_in(200)),
    Case("POST", "/api/v1/me/2fa/confirm", signed_in(409), json={"code": "123456"}),
    Case("POST", "/api/v1/me/2fa/recovery-codes", signed_in(409), json={"code": "123456"}),
    Case("POST", "/api/v1/me/2fa/disable", signed_in(409), form={"password": PASSWORD}),
    Case("GET", "/api/v1/me/addresses", signed_in(200)),
    Case("POST", "/api/v1/me/addresses", signed_in(201), json=ADDRESS),
    # Object level: only the buyer owns this address; everyone else is told it does not exist.
    Case("PUT", "/api/v1/me/addresses/{buyer_address}", signed_in(404, buyer=200), json=ADDRESS),
    Case("DELETE", "/api/v1/me/addresses/{buyer_address}", signed_in(404, buyer=204)),
    Case("GET", "/api/v1/sellers/me", {**staff_only(403), SELLER: 200, OTHER: 200}),
    # Sellers: "seller" is admitted (its application can no longer change), "other_seller" is
    # a fresh applicant. Each touches only its own application; documents are private.
    Case("GET", "/api/v1/sellers/me/application", sellers_only(200)),
    Case(
        "PUT",
        "/api/v1/sellers/me/application",
        sellers_only(409, other=200),
        json=SELLER_APPLICATION,
    ),
    Case("POST", "/api/v1/sellers/me/application/submit", sellers_only(409, other=422)),
    Case(
        "POST",
        "/api/v1/sellers/me/application/documents",
        sellers_only(409, other=201),
        form={"doc_type": "identity"},
        files={"file": ("id.pdf", SELLER_PDF, "application/pdf")},
    ),
    Case(
        "DELETE",
        "/api/v1/sellers/me/application/documents/{seller_document}",
        sellers_only(409, other=404),
    ),
    Case(
        "GET",
        "/api/v1/sellers/documents/{seller_document}",
        {ANON: 401, BUYER: 404, SELLER: 200, OTHER: 404, SUPPORT: 200, ADMIN: 200},
    ),
    Case("GET", "/api/v1/sellers/me/onboarding", sellers_only(200)),
    Case("GET", "/api/v1/sellers/me/terms-acceptance", sellers_only(200)),
    Case("GET", "/api/v1/sellers/me/terms-status", sellers_only(200)),
    Case("POST", "/api/v1/sellers/me/terms-acceptance", sellers_only(200), json={"version": 1}),
    Case("GET", "/api/v1/sellers/me/payout-account", sellers_only(200)),
    Case(
        "PUT",
        "/api/v1/sellers/me/payout-account",
        sellers_only(200),
        json={"account_holder": "Matrix Shop", "iban": "DE89 3704 0044 0532 0130 00"},
    ),
    Case("GET", "/api/v1/sellers/me/storefront", sellers_only(200)),
    Case(
        "PUT",
        "/api/v1/sellers/me/storefront",
        sellers_only(200),
        json={"display_name": "Matrix", "description": "Hi", "return_policy": "30 days"},
    ),
    Case(
        "PUT",
        "/api/v1/sellers/me/storefront/logo",
        sellers_only(200),
        files={"file": ("logo.png", SELLER_PNG, "image/png")},
    ),
    Case("GET", "/api/v1/sellers/terms/current", everyone(200)),
    Case("GET", "/api/v1/sellers/{seller_id}/storefront", everyone(200)),
    Case("GET", "/api/v1/sellers/{seller_id}/logo", everyone(200)),
    Case("GET", "/api/v1/admin/sellers", staff_only(200)),
    Case("GET", "/api/v1/admin/sellers/{seller_id}", staff_only(200)),
    Case(
        "POST",
        "/api/v1/admin/sellers/{seller_id}/decisions",
        staff_only(200, support=403),
        json={"decision": "suspend", "reason": "Matrix check"},
    ),
    Case("GET", "/api/v1/admin/sellers/criteria", staff_only(200)),
    Case(
        "POST",
        "/api/v1/admin/sellers/criteria",
        staff_only(201, support=403),
        json={"country": "DE", "doc_type": "registration"},
    ),
    Case("DELETE", "/api/v1/admin/sellers/criteria/{criterion_id}", staff_only(204, support=403)),
    Case("GET", "/api/v1/admin/sellers/terms", staff_only(200)),
    Case(
        "POST",
        "/api/v1/admin/sellers/terms",
        staff_only(201, support=403),
        json={
            "title": "Terms v2",
            "body": "Sell fairly and ship on time, always.",
            "reason": "Clearer wording.",
        },
    ),
    Case("GET", "/api/v1/admin/users", staff_only(200)),
    Case("GET", "/api/v1/admin/users/{buyer_id}", staff_only(200)),
    Case(
        "PATCH",
        "/api/v1/admin/users/{buyer_id}",
        staff_only(200, support=403),
        json={"role": "seller"},
    ),
    Case("GET", "/api/v1/admin/mail", staff_only(200, support=403)),
    Case("GET", "/api/v1/admin/mail/{mail_id}", staff_only(200, support=403)),
    # Search is public: everyone gets the same answer, and a bad parameter is everyone's 422.
    Case("GET", "/api/v1/search", everyone(200)),
    Case("GET", "/api/v1/search?q=mug&attr.colour=Blue&sort=price_asc", everyone(200)),
    Case("GET", "/api/v1/search?price_min=abc", everyone(422)),
    # Catalog: "seller" owns the listings (a draft with two variants and an image, a published
    # one, a hidden one) and an import; another seller is told they do not exist.
    Case("GET", "/api/v1/catalog/categories", everyone(200)),
    Case("GET", "/api/v1/catalog/categories/{catalog_category}", everyone(200)),
    Case("GET", "/api/v1/catalog/listings/{catalog_public}", everyone(200)),
    Case("GET", "/api/v1/catalog/listings/{catalog_hidden}", everyone(404)),
    Case("GET", "/api/v1/catalog/featured", everyone(200)),
    Case("GET", "/api/v1/catalog/sellers/{seller_id}/listings", everyone(200)),
    Case("GET", "/api/v1/catalog/import-template.csv", everyone(200)),
    Case("GET", "/api/v1/catalog/my/listings", sellers_only(200)),
    Case("POST", "/api/v1/catalog/my/listings", sellers_only(201), json=CATALOG_LISTING),
    Case("GET", "/api/v1/catalog/my/listings/{catalog_listing}", sellers_only(200, other=404)),
    Case(
        "PATCH",
        "/api/v1/catalog/my/listings/{catalog_listing}",
        sellers_only(200, other=404),
        json={"title": "Renamed"},
    ),
    Case("DELETE", "/api/v1/catalog/my/listings/{catalog_listing}", sellers_only(204, other=404)),
    Case(
        "POST",
        "/api/v1/catalog/my/listings/{catalog_listing}/publish",
        sellers_only(200, other=404),
    ),
    Case(
        "POST",
        "/api/v1/catalog/my/listings/{catalog_listing}/archive",
        sellers_only(200, other=404),
    ),
    Case(
        "POST",
        "/api/v1/catalog/my/listings/{catalog_listing}/variants",
        sellers_only(201, other=404),
        json={"sku": "MUG-XL", "options": {"Size": "XL"}, "price": "25", "stock": 1},
    ),
    Case(
        "PATCH",
        "/api/v1/catalog/my/variants/{catalog_variant}",
        sellers_only(200, other=404),
        json={"price": "19.90", "stock": 9},
    ),
    Case("DELETE", "/api/v1/catalog/my/variants/{catalog_variant}", sellers_only(204, other=404)),
    Case(
        "POST",
        "/api/v1/catalog/my/listings/{catalog_listing}/images",
        sellers_only(201, other=404),
        files={"file": ("b.png", CATALOG_PNG, "image/png")},
    ),
    Case(
        "PATCH",
        "/api/v1/catalog/my/images/{catalog_image}",
        sellers_only(200, other=404),
        json={"alt_text": "A mug", "position": 0},
    ),
    Case("DELETE", "/api/v1/catalog/my/images/{catalog_image}", sellers_only(204, other=404)),
    Case("GET", "/api/v1/catalog/my/shipping-profiles", sellers_only(200)),
    Case(
        "POST",
        "/api/v1/catalog/my/shipping-profiles",
        sellers_only(201),
        json={"name": "Standard", "currency": "EUR", "flat_rate": "4.90", "handling_days": 2},
    ),
    Case(
        "POST",
        "/api/v1/catalog/my/imports",
        sellers_only(202),
        files={"file": ("m.csv", MATRIX_CSV, "text/csv")},
    ),
    Case("GET", "/api/v1/catalog/my/imports", sellers_only(200)),
    Case("GET", "/api/v1/catalog/my/imports/{catalog_import}", sellers_only(200, other=404)),
    Case(
        "GET",
        "/api/v1/catalog/my/imports/{catalog_import}/errors.csv",
        sellers_only(200, other=404),
    ),
    Case(
        "POST",
        "/api/v1/catalog/admin/categories",
        staff_only(201, support=403),
        json={"name": "Matrix category", "parent_id": "{catalog_category}"},
    ),
    Case(
        "PATCH",
        "/api/v1/catalog/admin/categories/{catalog_category}",
        staff_only(200, support=403),
        json={"name": "Renamed"},
    ),
    Case(
        "DELETE",
        "/api/v1/catalog/admin/categories/{catalog_leaf}",
        staff_only(204, support=403),
    ),
    Case(
        "POST",
        "/api/v1/catalog/admin/categories/{catalog_category}/attributes",
        staff_only(201, support=403),
        json={"code": "glaze", "name": "Glaze", "kind": "text"},
    ),
    Case(
        "PATCH",
        "/api/v1/catalog/admin/attributes/{catalog_attribute}",
        staff_only(200, support=403),
        json={"name": "Width", "unit": "mm"},
    ),
    Case(
        "DELETE",
        "/api/v1/catalog/admin/attributes/{catalog_attribute}",
        staff_only(204, support=403),
    ),
    Case("GET", "/api/v1/catalog/admin/listings", staff_only(200)),
    Case("GET", "/api/v1/catalog/admin/listings/{catalog_hidden}", staff_only(200)),
    Case(
        "POST",
        "/api/v1/catalog/admin/listings/{catalog_public}/hide",
        staff_only(200, support=403),
        json={"reason": "Matrix check"},
    ),
    Case(
        "POST",
        "/api/v1/catalog/admin/listings/{catalog_hidden}/unhide",
        staff_only(200, support=403),
    ),
    # Payments: only buyers pay; a payment is seen by its payer and staff; the ledger by staff;
    # webhooks need a signature.
    Case(
        "POST",
        "/api/v1/payments",
        {ANON: 401, BUYER: 201, SELLER: 403, OTHER: 403, SUPPORT: 403, ADMIN: 403},
        json=PAYMENT,
        headers={"Idempotency-Key": "matrix-case"},
    ),
    Case("GET", "/api/v1/payments", signed_in(200)),
    Case(
        "GET", "/api/v1/payments/{buyer_payment}", signed_in(404, buyer=200, support=200, admin=200)
    ),
    Case("POST", "/api/v1/payments/webhooks/{webhook_provider}", everyone(400), json={"id": "x"}),
    Case("GET", "/api/v1/payments/ledger/journals", staff_only(200)),
    Case("GET", "/api/v1/payments/ledger/balances", staff_only(200)),
    Case("GET", "/api/v1/payments/ledger/finance", staff_only(200)),
    # Reconciliation: staff read the runs; only an admin starts one.
    Case("GET", "/api/v1/payments/ledger/reconciliations", staff_only(200)),
    Case(
        "GET",
        "/api/v1/payments/ledger/reconciliations/{payments_reconciliation}",
        staff_only(200),
    ),
    Case(
        "POST",
        "/api/v1/payments/ledger/reconciliations",
        staff_only(201, support=403),
        json={"day": RECONCILE_DAY, "provider": "sandbox"},
    ),
    # Orders: buyers check out; a buyer sees their orders, a seller its shop's, staff all; each
    # move only by the role the state machine names (another seller: "not found").
    Case(
        "POST",
        "/api/v1/checkout",
        {ANON: 401, BUYER: 201, SELLER: 403, OTHER: 403, SUPPORT: 403, ADMIN: 403},
        json={"address": ORDER_ADDRESS, "payment_method": "card"},
        headers={"Idempotency-Key": "matrix-checkout"},
    ),
    Case("GET", "/api/v1/order-groups", signed_in(403, buyer=200)),
    Case(
        "GET",
        "/api/v1/order-groups/{orders_group}",
        signed_in(404, buyer=200, support=200, admin=200),
    ),
    Case(
        "POST",
        "/api/v1/order-groups/{orders_unpaid_group}/payments",
        signed_in(403, buyer=201),
        json={"payment_method": "card"},
        headers={"Idempotency-Key": "matrix-retry"},
    ),
    Case("GET", "/api/v1/orders", signed_in(200)),
    Case("GET", "/api/v1/orders/{orders_paid}", signed_in(200, other_seller=404)),
    Case("GET", "/api/v1/orders/{orders_paid}/ledger", staff_only(200)),
    Case(
        "POST",
        "/api/v1/orders/{orders_paid}/accept",
        signed_in(403, seller=200, other_seller=404),
    ),
    Case(
        "POST",
        "/api/v1/orders/{orders_accepted}/ship",
        signed_in(403, seller=200, other_seller=404),
        json={"carrier": "DHL", "tracking_number": "MTX-9"},
    ),
    Case(
        "POST",
        "/api/v1/orders/{orders_shipped}/deliver",
        signed_in(403, buyer=200, admin=200, other_seller=404),
    ),
    Case(
        "POST",
        "/api/v1/orders/{orders_service_paid}/schedule",
        signed_in(403, seller=200, other_seller=404),
        json={"scheduled_for": "2027-02-01T09:00:00+01:00"},
    ),
    Case(
        "POST",
        "/api/v1/orders/{orders_scheduled}/perform",
        signed_in(403, seller=200, other_seller=404),
    ),
    Case(
        "POST",
        "/api/v1/orders/{orders_performed}/confirm",
        signed_in(403, buyer=200, admin=200, other_seller=404),
    ),
    Case(
        "POST",
        "/api/v1/orders/{orders_paid}/cancel",
        signed_in(200, support=403, other_seller=404),
        json={"reason": "Matrix cancel"},
    ),
    Case(
        "POST",
        "/api/v1/orders/bulk/{bulk_action}",
        signed_in(403, seller=200, other_seller=200),
        json={"order_ids": ["{orders_paid}"]},
    ),
    # Settlement: refunds by an admin (any order) or the owning seller; escrow is staff's.
    Case(
        "POST",
        "/api/v1/settlement/orders/{orders_paid}/refunds",
        signed_in(403, seller=201, admin=201, other_seller=404),
        json={"amount_minor": 100, "reason": "Matrix refund"},
        headers={"Idempotency-Key": "matrix-refund"},
    ),
    Case(
        "GET",
        "/api/v1/settlement/orders/{orders_paid}/refunds",
        signed_in(200, other_seller=404),
    ),
    Case("GET", "/api/v1/settlement/refunds", signed_in(200, buyer=403)),
    Case("GET", "/api/v1/settlement/escrows", staff_only(200)),
    Case("GET", "/api/v1/settlement/escrows/{orders_paid}", staff_only(200)),
    Case(
        "POST",
        "/api/v1/settlement/escrows/{orders_paid}/release",
        staff_only(409, support=403),  # the admin may, once the order completes
    ),
    Case(
        "POST",
        "/api/v1/settlement/escrows/{orders_paid}/freeze",
        staff_only(200, support=403),
        json={"reason": "Matrix dispute"},
    ),
    Case(
        "POST",
        "/api/v1/settlement/escrows/{orders_paid}/unfreeze",
        staff_only(200, support=403),
    ),
    Case(
        "PUT",
        "/api/v1/settlement/sellers/{seller_id}/hold",
        staff_only(200, support=403),
        json={"hold_days": 3, "reason": "Matrix risk review"},
    ),
    Case(
        "PUT",
        "/api/v1/admin/sellers/{seller_id}/provider-account",
        staff_only(200, support=403),
        json={"account_id": "acct_1MatrixSeller"},
    ),
    # The category periods are the escrow hold policy's (governance's matrix).
    Case("GET", "/api/v1/settlement/holds", staff_only(200)),
    # Payouts: a seller's own balance, schedule and payouts; staff read all, admins act. The
    # matrix sellers have no available money (409); "{buyer_id}" is no payout (404).
    Case("GET", "/api/v1/payouts/balance", sellers_only(200)),
    Case("GET", "/api/v1/payouts/schedule", sellers_only(200)),
    Case(
        "PUT",
        "/api/v1/payouts/schedule",
        sellers_only(200),
        json={"interval": "weekly", "weekly_anchor": 2},
    ),
    Case("GET", "/api/v1/payouts/schedules/{seller_id}", staff_only(200)),
    Case(
        "PUT",
        "/api/v1/payouts/schedules/{seller_id}",
        staff_only(200, support=403),
        json={"interval": "manual"},
    ),
    Case("GET", "/api/v1/payouts", signed_in(200, buyer=403)),
    Case(
        "POST",
        "/api/v1/payouts",
        sellers_only(409),
        json={"amount_minor": 1000, "currency": "EUR"},
        headers={"Idempotency-Key": "matrix-payout"},
    ),
    Case(
        "POST",
        "/api/v1/payouts/admin",
        staff_only(409, support=403),
        json={"seller_id": "{seller_id}", "amount_minor": 1000, "currency": "EUR"},
        headers={"Idempotency-Key": "matrix-admin-payout"},
    ),
    Case("GET", "/api/v1/payouts/{buyer_id}", signed_in(404, buyer=403)),
    Case("GET", "/api/v1/payouts/{buyer_id}/statement", signed_in(404, buyer=403)),
    Case("GET", "/api/v1/payouts/{buyer_id}/statement.csv", signed_in(404, buyer=403)),
    Case("POST", "/api/v1/payouts/{buyer_id}/retry", staff_only(403, support=403) | {ADMIN: 404}),
    Case("POST", "/api/v1/payouts/{buyer_id}/cancel", staff_only(403, support=403) | {ADMIN: 404}),
    # Commission: admins manage rules, plans and incentives (support too is refused); sellers
    # read the plans on offer and manage their own plan; an order's fees are its seller's and
    # the admin's (another seller: "not found"); the quote prices only the caller's listings.
    Case("GET", "/api/v1/commission/rules", staff_only(200, support=403)),
    Case(
        "POST",
        "/api/v1/commission/rules",
        staff_only(201, support=403),
        json={
            "name": "Matrix ceramics",
            "scope": "category",
            "category_id": "{catalog_category}",
            "rate_bps": 800,
        },
    ),
    Case("GET", "/api/v1/commission/rules/{commission_rule}", staff_only(200, support=403)),
    Case(
        "POST",
        "/api/v1/commission/rules/{commission_rule}/versions",
        staff_only(201, support=403),
        json={"rate_bps": 900},
    ),
    Case(
        "POST",
        "/api/v1/commission/rules/{commission_rule}/end",
        staff_only(200, support=403),
    ),
    Case(
        "GET",
        "/api/v1/commission/plans",
        {ANON: 401, BUYER: 403, SELLER: 200, OTHER: 200, SUPPORT: 403, ADMIN: 200},
    ),
    Case(
        "POST",
        "/api/v1/commission/plans",
        staff_only(201, support=403),
        json={"code": "matrix", "name": "Matrix", "listing_limit": 10},
    ),
    Case(
        "PUT",
        "/api/v1/commission/plans/{commission_plan}",
        staff_only(200, support=403),
        json=COMMISSION_PLANS[1] | {"name": "Pro+"},
    ),
    Case("GET", "/api/v1/commission/incentives", staff_only(200, support=403)),
    Case(
        "POST",
        "/api/v1/commission/incentives",
        staff_only(201, support=403),
        json={"name": "Welcome", "kind": "new_seller", "rate_bps": 0, "new_seller_days": 30},
    ),
    Case(
        "PATCH",
        "/api/v1/commission/incentives/{commission_incentive}",
        staff_only(200, support=403),
        json={"active": False},
    ),
    Case("GET", "/api/v1/commission/my/plan", sellers_only(200)),
    # The other seller is still an applicant: no paid plan before it may sell.
    Case(
        "PUT", "/api/v1/commission/my/plan", sellers_only(200, other=409), json={"plan_code": "pro"}
    ),
    Case(
        "GET",
        "/api/v1/commission/orders/{orders_paid}",
        signed_in(403, seller=200, other_seller=404, admin=200),
    ),
    Case(
        "GET",
        "/api/v1/commission/quote?listing_id={catalog_public}&price_minor=1000&quantity=2",
        sellers_only(200, other=404),
    ),
    # Shipping profiles: the owning seller edits and deletes; another seller's is "not found".
    Case(
        "PATCH",
        "/api/v1/catalog/my/shipping-profiles/{catalog_shipping_profile}",
        sellers_only(200, other=404),
        json={"name": "Renamed post", "method": "free_above", "free_above": "50"},
    ),
    Case(
        "DELETE",
        "/api/v1/catalog/my/shipping-profiles/{catalog_shipping_profile}",
        sellers_only(204, other=404),
    ),
    # Cart: buyers only. The matrix's buyer has an empty cart: any id (theirs, here) is no line.
    Case("GET", "/api/v1/cart", buyers_only(200)),
    Case(
        "POST",
        "/api/v1/cart/lines",
        buyers_only(201),
        json={"variant_id": "{catalog_public_variant}", "quantity": 1},
    ),
    Case("PATCH", "/api/v1/cart/lines/{buyer_id}", buyers_only(404), json={"quantity": 2}),
    Case("DELETE", "/api/v1/cart/lines/{buyer_id}", buyers_only(404)),
    Case(
        "PUT",
        "/api/v1/cart/shipping/{seller_id}",
        buyers_only(404),
        json={"shipping_profile_id": "{catalog_shipping_profile}"},
    ),
    Case("POST", "/api/v1/cart/acknowledge", buyers_only(200)),
]


# Newer domains keep their rows beside their tests: each module has ``PREFIX`` (the API path its
# cases start with), ``CASES`` and ``placeholders`` (the rows those cases name, made on demand).
DOMAIN_MATRICES: tuple[Any, ...] = (
    audit_matrix,
    disputes_matrix,
    governance_matrix,
    orders_matrix,
    performance_matrix,
    reviews_matrix,
)
CASES += [case for matrix in DOMAIN_MATRICES for case in matrix.CASES]


def _case_id(case: Case) -> str:
    return f"{case.method} {case.path}"


async def _row_counts(runtime) -> dict[str, int]:
    async with runtime.database.reading() as session:
        counts = {}
        for table in Base.metadata.sorted_tables:
            counts[table.name] = (
                await session.execute(select(func.count()).select_from(table))
            ).scalar_one()
        return counts


async def _seller_placeholders(client, people) -> dict[str, str]:
    """An admitted "seller" with a document and a logo, terms v1 and one admission criterion."""
    seller, admin = people[SELLER].headers, people[ADMIN].headers
    await client.put("/api/v1/sellers/me/application", json=SELLER_APPLICATION, headers=seller)
    document = await client.post(
        "/api/v1/sellers/me/application/documents",
        data={"doc_type": "registration"},
        files={"file": ("kbis.pdf", SELLER_PDF, "application/pdf")},
        headers=seller,
    )
    await client.put(
        "/api/v1/sellers/me/storefront/logo",
        files={"file": ("logo.png", SELLER_PNG, "image/png")},
        headers=seller,
    )
    submitted = await client.post("/api/v1/sellers/me/application/submit", headers=seller)
    seller_id = submitted.json()["id"]
    await client.post(
        f"/api/v1/admin/sellers/{seller_id}/decisions",
        json={"decision": "approve"},
        headers=admin,
    )
    await client.post(
        "/api/v1/admin/sellers/terms",
        json={
            "title": "Terms",
            "body": "Sell fairly and ship on time, always.",
            "reason": "First version.",
        },
        headers=admin,
    )
    criterion = await client.post(
        "/api/v1/admin/sellers/criteria",
        json={"country": "ES", "doc_type": "identity"},
        headers=admin,
    )
    return {
        "seller_document": document.json()["id"],
        "seller_id": seller_id,
        "criterion_id": criterion.json()["id"],
    }


async def _commission_placeholders(client, admin: dict[str, str]) -> dict[str, str]:
    """The matrix's plans ("free" the default, "pro"), a rule of its own and an incentive."""
    plans = []
    for body in COMMISSION_PLANS:
        plan = await client.post("/api/v1/commission/plans", json=body, headers=admin)
        assert plan.status_code == 201, plan.text
        plans.append(plan.json()["id"])
    rule = await client.post(
        "/api/v1/commission/rules", json={"name": "Matrix rule", "rate_bps": 700}, headers=admin
    )
    incentive = await client.post(
        "/api/v1/commission/incentives",
        json={"name": "Matrix welcome", "kind": "new_seller", "rate_bps": 0, "new_seller_days": 7},
        headers=admin,
    )
    assert rule.status_code == 201 and incentive.status_code == 201, (rule.text, incentive.text)
    return {
        "commission_plan": plans[1],
        "commission_rule": rule.json()["id"],
        "commission_incentive": incentive.json()["id"],
    }


async def _placeholders(
    client, people, runtime, *, catalog: bool, orders: str = "", commission: bool = False
) -> dict[str, str]:
    buyer, admin = people[BUYER].headers, people[ADMIN].headers
    sellers = await _seller_placeholders(client, people)
    address = await client.post(
        "/api/v1/me/addresses", json=ADDRESS | {"label": "B"}, headers=buyer
    )
    mail = await client.get("/api/v1/admin/mail", headers=people[ADMIN].headers)
    await client.post("/api/v1/auth/password-reset", json={"email": "buyer@example.com"})
    mail = await client.get("/api/v1/admin/mail", headers=people[ADMIN].headers)
    payment = await client.post(
        "/api/v1/payments", json=PAYMENT, headers={**buyer, "Idempotency-Key": "matrix"}
    )
    catalog_rows = (
        await matrix_placeholders(runtime, client, people[SELLER].headers, people[ADMIN].headers)
        if catalog
        else {}
    )
    order_rows = await matrix_orders(runtime, client, people, orders) if orders else {}
    # After the catalog and the orders: the plans the sellers are on would limit their listings.
    commission_rows = await _commission_placeholders(client, admin) if commission else {}
    reconciliation = await client.post(
        "/api/v1/payments/ledger/reconciliations", json={"day": RECONCILE_DAY}, headers=admin
    )
    assert reconciliation.status_code == 201, reconciliation.text
    return {
        **catalog_rows,
        **order_rows,
        **commission_rows,
        "payments_reconciliation": reconciliation.json()["id"],
        "bulk_action": "accept",
        "buyer_address": address.json()["id"],
        "buyer_payment": payment.json()["id"],
        "webhook_provider": "sandbox",
        "buyer_id": people[BUYER].user_id or "",
        "mail_id": mail.json()["items"][0]["id"],
        **sellers,
    }


def _filled(body: Any, values: dict[str, str]) -> Any:
    """The JSON body with placeholders such as "{catalog_category}" replaced by their ids."""
    if isinstance(body, dict):
        return {key: _filled(value, values) for key, value in body.items()}
    if isinstance(body, list):
        return [_filled(item, values) for item in body]
    if isinstance(body, str) and body.startswith("{") and body.endswith("}"):
        return values.get(body[1:-1], body)
    return body


@pytest.mark.parametrize("case", CASES, ids=_case_id)
async def test_authorization_matrix(client, runtime, case: Case):
    """Every role against one endpoint. The rows the case needs are made once; each role's call
    runs in a savepoint rolled back afterwards (and with no cookie left by the one before), so
    no role sees another's writes."""
    extra = tuple(role for role in case.expected if role not in ROLES)
    people = await actors(runtime, client, extra=extra)
    # The catalog's rows cost a few requests: made only for the cases that name them.
    values = await _placeholders(
        client,
        people,
        runtime,
        catalog="{catalog_" in repr(case),
        # Orders (and the buyer's filled cart) only for the cases that use them.
        orders=repr(case) if "{orders_" in repr(case) or "/checkout" in case.path else "",
        # The plans (a seller's plan is the default until chosen), a rule and an incentive.
        commission="/commission/" in case.path,
    )
    for matrix in DOMAIN_MATRICES:
        if case.path.startswith(matrix.PREFIX):
            values |= await matrix.placeholders(client, people, runtime, values)
    connection = runtime.database.bind
    assert connection is not None, "the matrix needs the test database's own connection"
    outcomes: dict[str, str] = {}
    for role in (*ROLES, *extra):
        client.cookies.clear()
        savepoint = await connection.begin_nested()
        try:
            outcomes[role] = await _outcome(client, runtime, case, values, people[role].headers)
        finally:
            await savepoint.rollback()
    expected = {role: str(status) for role, status in case.expected.items()}
    assert {role: outcome.split(" ", 1)[0] for role, outcome in outcomes.items()} == expected, (
        outcomes
    )


async def _outcome(client, runtime, case: Case, values: dict[str, str], headers) -> str:
    """The status one caller gets, with the reason when it is not as it should be."""
    before = await _row_counts(runtime)
    response = await client.request(
        case.method,
        case.path.format(**values),
        json=_filled(case.json, values),
        data=case.form,
        files=case.files,
        headers={**headers, **(case.headers or {})},
    )
    status = response.status_code
    if status in (401, 403, 404):
        if response.headers["content-type"] != "application/problem+json":
            return f"{status}-not-problem-json {response.text[:200]}"
        if await _row_counts(runtime) != before:
            return f"{status}-but-wrote-rows"
    return f"{status} {response.text[:300]}"


def _shape(path: str) -> str:
    """A path with its parameters blanked and its query left off: ``/a/{id}/b`` and
    ``/a/{x}/b?q=1`` are the same route."""
    return re.sub(r"\{[^}]+\}", "{}", path.split("?", 1)[0])


def test_every_api_route_is_in_the_matrix(settings):
    from mercato.app import create_app

    app = create_app(settings)
    covered = {(c.method, _shape(c.path)) for c in CASES}
    documented = app.openapi()["paths"]
    missing = [
        f"{method.upper()} {path}"
        for path, operations in documented.items()
        if path.startswith("/api/v1")
        for method in operations
        if (method.upper(), _shape(path)) not in covered
    ]
    assert len(documented) > 20  # the walk really sees the API
    assert missing == []
