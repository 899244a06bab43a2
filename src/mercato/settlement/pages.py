"""Settlement pages: the staff's escrow list (held / releasable / frozen / released, with
"release now" for admins), the refunds list and an order's refund screen (lines and quantities,
an amount, or everything, with a reason), the hold periods (the escrow hold policy in force
and the sellers' own, set here with a reason), and the seller portal's refunds."""

from __future__ import annotations

import uuid
from decimal import InvalidOperation
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from mercato.kit.auth import Principal, Role
from mercato.kit.deps import DbSession
from mercato.kit.errors import MercatoError, ValidationFailed
from mercato.kit.money import Money, format_money
from mercato.kit.web import (
    PageUser,
    flash,
    form_failed,
    page_router,
    parse_form,
    read_form,
    redirect,
    render,
    verify_csrf,
)
from mercato.settlement import service
from mercato.settlement.schemas import (
    EscrowOut,
    EscrowStatus,
    RefundIn,
    SellerHoldForm,
    SellerHoldIn,
)

router = page_router()
Csrf = Depends(verify_csrf)
ESCROWS = "/admin/settlement/escrows"
REFUNDS = "/admin/settlement/refunds"
HOLDS = "/admin/settlement/holds"
FILTERS = ("held", "releasable", "frozen", "released", "refunded")


def _common(principal: Principal) -> dict[str, Any]:
    return {"money": format_money, "is_admin": principal.role is Role.ADMIN}


@router.get(ESCROWS)
async def admin_escrows(
    request: Request,
    session: DbSession,
    principal: PageUser,
    show: Annotated[str, Query(max_length=20)] = "",
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    chosen = show if show in FILTERS else ""
    page = await service.list_escrows(
        session,
        principal,
        status=EscrowStatus(chosen) if chosen and chosen != "frozen" else None,
        frozen=True if chosen == "frozen" else None,
        cursor=cursor,
        limit=30,
    )
    context = {**_common(principal), "page": page, "show": chosen, "filters": FILTERS}
    return render(request, "settlement/admin_escrows.html", {**context, "cursor": cursor})


@router.post(ESCROWS + "/{order_id}/release", dependencies=[Csrf])
async def admin_release(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    try:
        released = await service.release_now(session, principal, order_id)
    except MercatoError as error:
        if error.status in (401, 403):
            raise
        response = redirect(ESCROWS, request)
        flash(response, request, error.detail or error.title, "error")
        return response
    response = redirect(ESCROWS, request)
    net = released.released_minor - released.released_fee_minor
    flash(
        response,
        request,
        f"Order {released.number} released: {format_money(net, released.currency)} to the "
        f"seller, {format_money(released.released_fee_minor, released.currency)} commission.",
    )
    return response


@router.get(REFUNDS)
async def admin_refunds(
    request: Request,
    session: DbSession,
    principal: PageUser,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    page = await service.list_refunds(session, principal, cursor=cursor, limit=30)
    context = {**_common(principal), "page": page, "cursor": cursor}
    return render(request, "settlement/admin_refunds.html", context)


async def _refund_context(
    session: DbSession, principal: Principal, order_id: uuid.UUID
) -> dict[str, Any]:
    escrow = await service.get_escrow(session, principal, order_id)
    refunds = await service.list_order_refunds(session, principal, order_id)
    return {
        **_common(principal),
        "escrow": escrow,
        "refunds": refunds,
        "key": uuid.uuid4().hex,
        "form": {},
        "errors": {},
    }


@router.get("/admin/settlement/orders/{order_id}")
async def admin_refund_screen(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    context = await _refund_context(session, principal, order_id)
    return render(request, "settlement/admin_refund.html", context)


@router.post("/admin/settlement/orders/{order_id}/refunds", dependencies=[Csrf])
async def admin_refund(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    principal.require_role(Role.ADMIN)
    form = await read_form(request)
    try:
        escrow = await service.get_escrow(session, principal, order_id)
        data = _refund_from_form(form, escrow)
        done = await service.refund_order(session, principal, order_id, data, form.get("key"))
    except MercatoError as error:
        if error.status in (401, 403, 404) and not error.errors:
            raise

        async def reload() -> dict[str, Any]:
            return await _refund_context(session, principal, order_id)

        shown = {"form": form, "key": form.get("key") or uuid.uuid4().hex}
        return await form_failed(
            request, session, error, "settlement/admin_refund.html", shown, reload=reload
        )
    response = redirect(f"/admin/settlement/orders/{order_id}", request)
    amount = format_money(done.refund.amount_minor, done.refund.currency)
    verb = "was already refunded" if done.replayed else "refunded"
    flash(response, request, f"{amount} {verb} on order {done.refund.number}.")
    return response


def _refund_from_form(form: dict[str, str], escrow: EscrowOut) -> RefundIn:
    """The refund the form asks for: ``mode`` lines (``qty-<line id>`` fields), amount (in
    major units, e.g. 12.50) or full."""
    mode, reason = form.get("mode", ""), form.get("reason", "")
    body: dict[str, Any] = {"reason": reason}
    if mode == "full":
        body["full"] = True
    elif mode == "amount":
        try:
            body["amount_minor"] = Money.from_decimal(
                form.get("amount", "").strip(), escrow.currency
            ).amount_minor
        except (InvalidOperation, ValueError, ArithmeticError):
            raise ValidationFailed.on("amount", "Enter an amount such as 12.50.") from None
    elif mode == "lines":
        body["lines"] = _line_quantities(form, escrow)
    else:
        raise ValidationFailed.on("mode", "Choose what to refund.")
    try:
        return RefundIn.model_validate(body)
    except ValueError as error:
        raise ValidationFailed.on("reason" if not reason else "mode", _first(error)) from None


def _line_quantities(form: dict[str, str], escrow: EscrowOut) -> list[dict[str, Any]]:
    chosen = []
    for line in escrow.lines:
        raw = form.get(f"qty-{line.line_id}", "").strip() or "0"
        if not raw.isdigit():
            raise ValidationFailed.on(f"qty-{line.line_id}", "Enter a number of units.")
        if int(raw):
            chosen.append({"line_id": str(line.line_id), "quantity": int(raw)})
    if not chosen:
        raise ValidationFailed.on("mode", "Enter how many units of which line to refund.")
    return chosen


def _first(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        found = errors()
        if found:
            return str(found[0].get("msg", "The refund is not valid.")).removeprefix(
                "Value error, "
            )
    return "The refund is not valid."


@router.get(HOLDS)
async def admin_holds(request: Request, session: DbSession, principal: PageUser) -> Response:
    return render(request, "settlement/admin_holds.html", await _holds_context(session, principal))


async def _holds_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    holds = await service.list_holds(session, principal)
    sellers = await service.hold_seller_choices(session, principal) if _is_admin(principal) else []
    return {**_common(principal), "holds": holds, "sellers": sellers, "form": {}, "errors": {}}


def _is_admin(principal: Principal) -> bool:
    return principal.role is Role.ADMIN


@router.post(HOLDS + "/sellers", dependencies=[Csrf])
async def admin_set_seller_hold(
    request: Request, session: DbSession, principal: PageUser
) -> Response:
    principal.require_role(Role.ADMIN)
    form = await read_form(request)
    try:
        data = parse_form(SellerHoldForm, form)
        hold = await service.set_seller_hold(
            session,
            principal,
            data.seller_id,
            SellerHoldIn(**data.model_dump(exclude={"seller_id"})),
        )
    except MercatoError as error:
        if error.status in (401, 403):
            raise
        return await form_failed(
            request,
            session,
            error,
            "settlement/admin_holds.html",
            {"form": form},
            reload=lambda: _holds_context(session, principal),
        )
    response = redirect(HOLDS, request)
    name = hold.seller_name or "the seller"
    flash(response, request, f"Hold period set to {hold.hold_days} days for {name}.")
    return response


@router.get("/seller/refunds")
async def seller_refunds(
    request: Request,
    session: DbSession,
    principal: PageUser,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    principal.require_role(Role.SELLER)
    page = await service.list_refunds(session, principal, cursor=cursor, limit=30)
    context = {**_common(principal), "page": page, "cursor": cursor}
    return render(request, "settlement/seller_refunds.html", context)
