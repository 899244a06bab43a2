"""The staff console's orders: search by number or id with status and kind filters, and one
order with its payment and the ledger journals of its escrow account. Support staff read;
admins may also cancel with a reason."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from mercato.kit.auth import Principal, Role
from mercato.kit.deps import DbSession
from mercato.kit.errors import MercatoError
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
from mercato.orders import service
from mercato.orders.pages._common import formatting
from mercato.orders.policy import Kind, OrderStatus, label
from mercato.orders.schemas import CancelIn

router = page_router()
Csrf = Depends(verify_csrf)
ORDERS = "/admin/orders"
PAGE_SIZE = 30


def _staff(principal: Principal) -> Principal:
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    return principal


def _search_url(q: str, status: str, kind: str, cursor: str | None = None) -> str:
    query = {"q": q, "status": status, "kind": kind, "cursor": cursor or ""}
    return f"{ORDERS}?{urlencode({k: v for k, v in query.items() if v})}"


@router.get(ORDERS)
async def admin_orders(
    request: Request,
    session: DbSession,
    principal: PageUser,
    q: Annotated[str, Query(max_length=60)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    kind: Annotated[str, Query(max_length=10)] = "",
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    chosen_status = OrderStatus(status) if status in set(OrderStatus) else None
    chosen_kind = Kind(kind) if kind in set(Kind) else None
    page = await service.list_orders(
        session,
        _staff(principal),
        statuses=(chosen_status,) if chosen_status else (),
        kind=chosen_kind.value if chosen_kind else None,
        number=q.strip() or None,
        cursor=cursor,
        limit=PAGE_SIZE,
    )
    context = {
        **formatting(),
        "page": page,
        "q": q,
        "status": chosen_status,
        "kind": chosen_kind,
        "kinds": list(Kind),
        "cursor": cursor,
        "next_url": page.next_cursor and _search_url(q, status, kind, page.next_cursor),
        "first_url": cursor and _search_url(q, status, kind),
    }
    return render(request, "orders/admin_orders.html", context)


async def _detail_context(
    session: DbSession, principal: Principal, order_id: uuid.UUID
) -> dict[str, Any]:
    view = await service.get_order_for_staff(session, principal, order_id)
    return {
        **formatting(),
        "order": view.order,
        "group": view.group,
        "payment": view.payment,
        "ledger": view.ledger,
        "escrow_matches": view.escrow_matches,
        "expected_escrow_minor": view.expected_escrow_minor,
        "order_money": view.money,
        # Settlement's refund screen; it shows what is left to refund and refuses the rest.
        "refund_url": f"/admin/settlement/orders/{view.order.id}"
        if principal.role == Role.ADMIN and view.order.captured_minor
        else None,
        "can_cancel": principal.role == Role.ADMIN
        and OrderStatus.CANCELED in view.order.next_actions,
        "form": {},
        "errors": {},
    }


@router.get(f"{ORDERS}/{{order_id}}")
async def admin_order(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    context = await _detail_context(session, principal, order_id)
    return render(request, "orders/admin_order.html", context)


@router.post(f"{ORDERS}/{{order_id}}/cancel", dependencies=[Csrf])
async def admin_cancel(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    principal.require_role(Role.ADMIN)
    form = await read_form(request)
    try:
        reason = parse_form(CancelIn, form)
        order = await service.transition_order(
            session, principal, order_id, OrderStatus.CANCELED, cancel=reason
        )
    except MercatoError as error:
        if error.status in (403, 404) and not error.errors:
            raise

        async def reload() -> dict[str, Any]:
            return await _detail_context(session, principal, order_id)

        return await form_failed(
            request, session, error, "orders/admin_order.html", {"form": form}, reload=reload
        )
    response = redirect(f"{ORDERS}/{order.id}", request)
    flash(response, request, f"Order {order.number} is {label(order.status)}.")
    return response
