"""The seller portal's orders: the work queue by what needs doing (with bulk accept and bulk
"performed"), one order with its actions, and print-friendly packing slips."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from mercato.kit.auth import Principal, Role
from mercato.kit.db import rollback
from mercato.kit.deps import DbSession
from mercato.kit.errors import MercatoError, ValidationFailed
from mercato.kit.web import (
    PageUser,
    flash,
    form_errors,
    form_failed,
    is_htmx,
    page_router,
    parse_form,
    read_form,
    redirect,
    render,
    verify_csrf,
)
from mercato.orders import service
from mercato.orders.pages._common import (
    CARRIERS,
    COMMON_TIME_ZONES,
    formatting,
    order_ids,
    schedule_from_form,
)
from mercato.orders.policy import Kind, OrderStatus, label
from mercato.orders.schemas import CancelIn, OrderOut, ShipIn

router = page_router()
Csrf = Depends(verify_csrf)
ORDERS = "/seller/orders"
PAGE_SIZE = 25
S = OrderStatus


@dataclass(frozen=True)
class Tab:
    key: str
    title: str
    statuses: tuple[OrderStatus, ...]
    kind: Kind | None
    bulk: OrderStatus | None = None  # the bulk action offered on this tab
    empty: str = "Nothing to do here."


TABS = (
    Tab("to-accept", "To accept", (S.PAID,), Kind.GOODS, S.ACCEPTED, "No paid orders wait."),
    Tab("to-ship", "To ship", (S.ACCEPTED,), Kind.GOODS, None, "Nothing waits to be shipped."),
    Tab("services", "Services to schedule", (S.PAID,), Kind.SERVICE, None, "No booking waits."),
    Tab("scheduled", "Scheduled", (S.SCHEDULED,), Kind.SERVICE, S.PERFORMED, "No appointments."),
    Tab("all", "All", (), None, None, "No orders yet."),
)
TABS_BY_KEY = {tab.key: tab for tab in TABS}
BULK_TARGETS = {"accept": S.ACCEPTED, "perform": S.PERFORMED}


def _seller(principal: Principal) -> Principal:
    principal.require_role(Role.SELLER)
    return principal


@router.get(ORDERS)
async def seller_orders(
    request: Request,
    session: DbSession,
    principal: PageUser,
    tab: Annotated[str, Query(max_length=20)] = "to-accept",
    status: Annotated[str, Query(max_length=20)] = "",
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    _seller(principal)
    chosen = TABS_BY_KEY.get(tab, TABS[0])
    status_filter = S(status) if chosen.key == "all" and status in set(S) else None
    page = await service.list_orders(
        session,
        principal,
        statuses=(status_filter,) if status_filter else chosen.statuses,
        kind=chosen.kind.value if chosen.kind else None,
        cursor=cursor,
        limit=PAGE_SIZE,
    )
    context = {
        **formatting(),
        "tabs": TABS,
        "tab": chosen,
        "status": status_filter,
        "page": page,
        "cursor": cursor,
    }
    return render(request, "orders/seller_orders.html", context)


@router.post(f"{ORDERS}/bulk", dependencies=[Csrf])
async def bulk_action(request: Request, session: DbSession, principal: PageUser) -> Response:
    """Accept (goods) or mark performed (services) the selected orders, each on its own."""
    form = await request.form()
    target = BULK_TARGETS.get(str(form.get("action", "")))
    try:
        if target is None:
            raise ValidationFailed.on("action", "Choose what to do with the selected orders.")
        ids = order_ids(str(value) for value in form.getlist("ids"))
        outcomes = await service.transition_orders(session, _seller(principal), ids, target)
    except MercatoError as error:
        await rollback(session)
        if not is_htmx(request):
            raise
        context = {"error": error, "outcomes": [], **formatting()}
        return render(request, "orders/seller_bulk_result.html", context)
    done = sum(outcome.ok for outcome in outcomes)
    if not is_htmx(request):
        response = redirect(ORDERS, request)
        flash(response, request, f"{done} of {len(outcomes)} orders are {label(target)}.")
        return response
    context = {"outcomes": outcomes, "target": target, "done": done, **formatting()}
    return render(request, "orders/seller_bulk_result.html", context)


# --- packing slips (registered before /{order_id} so the path is not taken for an id) --------


@router.get(f"{ORDERS}/packing-slips")
async def packing_slips(
    request: Request,
    session: DbSession,
    principal: PageUser,
    ids: Annotated[list[str] | None, Query(max_length=100)] = None,
) -> Response:
    _seller(principal)
    orders = [
        await service.get_order(session, principal, order_id) for order_id in order_ids(ids or [])
    ]
    return render(request, "orders/seller_packing_slips.html", {"orders": orders})


@router.get(f"{ORDERS}/{{order_id}}/packing-slip")
async def packing_slip(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    order = await service.get_order(session, _seller(principal), order_id)
    return render(request, "orders/seller_packing_slips.html", {"orders": [order]})


# --- one order ---------------------------------------------------------------------------------


def _order_context(order: OrderOut, **extra: Any) -> dict[str, Any]:
    return {
        **formatting(),
        "order": order,
        "carriers": CARRIERS,
        "time_zones": COMMON_TIME_ZONES,
        "form": {},
        "errors": {},
        **extra,
    }


@router.get(f"{ORDERS}/{{order_id}}")
async def seller_order(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    found = await service.get_order_with_money(session, _seller(principal), order_id)
    context = _order_context(found.order, order_money=found.money)
    return render(request, "orders/seller_order.html", context)


@router.get(f"{ORDERS}/{{order_id}}/cancel")
async def confirm_cancel(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    order = await service.get_order(session, _seller(principal), order_id)
    return render(request, "orders/seller_cancel.html", _order_context(order))


async def _act(
    request: Request,
    session: DbSession,
    principal: Principal,
    order_id: uuid.UUID,
    target: OrderStatus,
    template: str = "orders/seller_order.html",
) -> Response:
    """Move the order with the details its form carries; a refusal re-renders the form."""
    form = await read_form(request)
    try:
        _seller(principal)
        details: dict[str, Any] = {}
        if target is S.SHIPPED:
            details["ship"] = parse_form(ShipIn, form)
        elif target is S.SCHEDULED:
            when, zone = form.get("scheduled_for", ""), form.get("timezone", "")
            details["schedule"] = schedule_from_form(when, zone)
        elif target is S.CANCELED:
            details["cancel"] = parse_form(CancelIn, form)
        order = await service.transition_order(session, principal, order_id, target, **details)
    except MercatoError as error:
        return await _refused(request, session, principal, order_id, error, form, template)
    response = redirect(f"{ORDERS}/{order.id}", request)
    flash(response, request, f"Order {order.number} is {label(order.status)}.")
    return response


async def _refused(
    request: Request,
    session: DbSession,
    principal: Principal,
    order_id: uuid.UUID,
    error: MercatoError,
    form: dict[str, str],
    template: str,
) -> Response:
    if error.status in (403, 404) and not form_errors(error):
        raise error

    async def reload() -> dict[str, Any]:
        return _order_context(await service.get_order(session, principal, order_id))

    return await form_failed(request, session, error, template, {"form": form}, reload=reload)


@router.post(f"{ORDERS}/{{order_id}}/accept", dependencies=[Csrf])
async def accept(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    return await _act(request, session, principal, order_id, S.ACCEPTED)


@router.post(f"{ORDERS}/{{order_id}}/ship", dependencies=[Csrf])
async def ship(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    return await _act(request, session, principal, order_id, S.SHIPPED)


@router.post(f"{ORDERS}/{{order_id}}/schedule", dependencies=[Csrf])
async def schedule(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    return await _act(request, session, principal, order_id, S.SCHEDULED)


@router.post(f"{ORDERS}/{{order_id}}/perform", dependencies=[Csrf])
async def perform(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    return await _act(request, session, principal, order_id, S.PERFORMED)


@router.post(f"{ORDERS}/{{order_id}}/cancel", dependencies=[Csrf])
async def cancel(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    return await _act(
        request, session, principal, order_id, S.CANCELED, "orders/seller_cancel.html"
    )
