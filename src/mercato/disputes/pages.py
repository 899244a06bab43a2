"""Disputes pages: the buyer's panel on the order page, the forms to open a dispute or ask for
a return, the dispute page of each party (buyer, seller portal, admin console) with its thread
and evidence, the seller's inbox and returns, and the admin's queue with the decision form."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from mercato.disputes import service
from mercato.disputes.schemas import (
    ANSWER_LABELS,
    OUTCOME_LABELS,
    REASON_LABELS,
    RETURN_LABELS,
    RETURN_REASON_LABELS,
    STATUS_LABELS,
    AnswerIn,
    DecisionIn,
    DisputeOpenIn,
    DisputeStatus,
    MessageIn,
    ReturnApproveIn,
    ReturnRejectIn,
    ReturnRequestIn,
)
from mercato.kit.auth import Principal, Role
from mercato.kit.deps import CurrentRuntime, DbSession
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
from mercato.orders.service import get_order

router = page_router()
Csrf = Depends(verify_csrf)
# Each party's dispute page: (path prefix, template).
AREAS = {
    "buyer": ("/disputes", "disputes/buyer_dispute.html"),
    "seller": ("/seller/disputes", "disputes/seller_dispute.html"),
    "admin": ("/admin/disputes", "disputes/admin_dispute.html"),
}


def formatting() -> dict[str, Any]:
    return {
        "money": format_money,
        "reason_labels": REASON_LABELS,
        "status_labels": STATUS_LABELS,
        "answer_labels": ANSWER_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "return_labels": RETURN_LABELS,
        "return_reason_labels": RETURN_REASON_LABELS,
    }


def _required_amount_minor(form: dict[str, str], field: str, missing: str) -> str:
    """The amount typed in ``field`` (in the form's currency), in minor units, as a form value."""
    raw = form.get(field, "").strip()
    if not raw:
        raise ValidationFailed.on(field, missing)
    try:
        return str(Money.from_decimal(raw, form.get("currency", "EUR")).amount_minor)
    except (ValueError, TypeError, ArithmeticError):
        raise ValidationFailed.on(field, "Enter an amount like 12.50.") from None


# --- the buyer -----------------------------------------------------------------------------


@router.get("/disputes/orders/{order_id}/panel")
async def order_panel(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    """The card on the buyer's order page; an empty fragment when nothing applies."""
    panel = await service.order_panel(session, principal, order_id)
    if panel is None:
        return HTMLResponse("")
    return render(request, "disputes/_panel.html", {**formatting(), "panel": panel})


async def _new_context(
    session: DbSession, principal: Principal, order_id: uuid.UUID
) -> dict[str, Any]:
    principal.require_role(Role.BUYER)
    panel = await service.order_panel(session, principal, order_id)
    order = await get_order(session, principal, order_id)
    return {**formatting(), "panel": panel, "order": order, "form": {}, "errors": {}}


@router.get("/disputes/new")
async def new_dispute(
    request: Request, session: DbSession, principal: PageUser, order: uuid.UUID, line: str = ""
) -> Response:
    context = await _new_context(session, principal, order)
    context["form"] = {"order_line_id": line}
    return render(request, "disputes/buyer_new.html", context)


@router.post("/disputes/new", dependencies=[Csrf])
async def open_dispute(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    try:
        order_id = uuid.UUID(form.get("order_id", ""))
    except ValueError:
        raise ValidationFailed.on("order_id", "Choose an order.") from None
    try:
        data = parse_form(DisputeOpenIn, form)
        dispute = await service.open_dispute(session, principal, data)
    except MercatoError as error:
        return await form_failed(
            request,
            session,
            error,
            "disputes/buyer_new.html",
            {"form": form},
            reload=lambda: _new_context(session, principal, order_id),
        )
    response = redirect(f"/disputes/{dispute.id}", request)
    flash(response, request, "Your dispute is open. The seller has been asked to answer.")
    return response


@router.get("/disputes/returns/new")
async def new_return(
    request: Request, session: DbSession, principal: PageUser, order: uuid.UUID, line: str = ""
) -> Response:
    context = await _new_context(session, principal, order)
    context["form"] = {"order_line_id": line, "quantity": "1"}
    return render(request, "disputes/buyer_return_new.html", context)


@router.post("/disputes/returns/new", dependencies=[Csrf])
async def request_return(request: Request, session: DbSession, principal: PageUser) -> Response:
    form = await read_form(request)
    try:
        order_id = uuid.UUID(form.get("order_id", ""))
    except ValueError:
        raise ValidationFailed.on("order_id", "Choose an order.") from None
    try:
        await service.request_return(session, principal, parse_form(ReturnRequestIn, form))
    except MercatoError as error:
        return await form_failed(
            request,
            session,
            error,
            "disputes/buyer_return_new.html",
            {"form": form},
            reload=lambda: _new_context(session, principal, order_id),
        )
    response = redirect(f"/orders/{order_id}", request)
    flash(response, request, "Your return request was sent to the seller.")
    return response


@router.get("/disputes/evidence/{evidence_id}")
async def evidence_file(
    evidence_id: uuid.UUID, session: DbSession, principal: PageUser, runtime: CurrentRuntime
) -> Response:
    found = await service.get_evidence_file(session, principal, runtime.files, evidence_id)
    return Response(
        content=found.data,
        media_type=found.content_type,
        headers={
            "Content-Disposition": f'inline; filename="{found.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )


# --- each party's dispute page ---------------------------------------------------------------


def _area(principal: Principal, area: str) -> None:
    roles = {"buyer": (Role.BUYER,), "seller": (Role.SELLER,), "admin": (Role.ADMIN, Role.SUPPORT)}
    principal.require_role(*roles[area])


async def _dispute_context(
    session: DbSession, principal: Principal, dispute_id: uuid.UUID, area: str
) -> dict[str, Any]:
    dispute = await service.get_dispute(session, principal, dispute_id)
    base = AREAS[area][0]
    return {**formatting(), "dispute": dispute, "base": base, "area": area, "form": {}}


def _page(area: str) -> Callable[..., Awaitable[Response]]:
    async def show(
        dispute_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
    ) -> Response:
        _area(principal, area)
        context = await _dispute_context(session, principal, dispute_id, area)
        return render(request, AREAS[area][1], context)

    return show


async def _act(
    request: Request,
    session: DbSession,
    principal: Principal,
    dispute_id: uuid.UUID,
    area: str,
    action: Callable[[dict[str, str]], Awaitable[Any]],
    done: str,
) -> Response:
    """Run one step from a dispute page: back to the page with a flash, or the page again
    with the error next to the form that caused it."""
    _area(principal, area)
    form = await read_form(request)
    try:
        await action(form)
    except MercatoError as error:
        return await form_failed(
            request,
            session,
            error,
            AREAS[area][1],
            {"form": form},
            reload=lambda: _dispute_context(session, principal, dispute_id, area),
        )
    response = redirect(f"{AREAS[area][0]}/{dispute_id}", request)
    flash(response, request, done)
    return response


def _message_route(area: str) -> Callable[..., Awaitable[Response]]:
    async def post(
        dispute_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
    ) -> Response:
        async def action(form: dict[str, str]) -> Any:
            data = parse_form(MessageIn, form)
            return await service.post_message(session, principal, dispute_id, data)

        return await _act(request, session, principal, dispute_id, area, action, "Message sent.")

    return post


def _evidence_route(area: str) -> Callable[..., Awaitable[Response]]:
    async def post(
        dispute_id: uuid.UUID,
        request: Request,
        session: DbSession,
        principal: PageUser,
        runtime: CurrentRuntime,
        file: Annotated[UploadFile | None, File()] = None,
    ) -> Response:
        async def action(form: dict[str, str]) -> Any:
            data = await file.read(service.MAX_EVIDENCE_BYTES + 1) if file else b""
            name = file.filename if file else None
            return await service.add_evidence(
                session, principal, runtime.files, dispute_id, data, name
            )

        return await _act(request, session, principal, dispute_id, area, action, "File added.")

    return post


for _name, (_base, _template) in AREAS.items():
    router.add_api_route(f"{_base}/{{dispute_id}}", _page(_name), methods=["GET"])
    router.add_api_route(
        f"{_base}/{{dispute_id}}/message",
        _message_route(_name),
        methods=["POST"],
        dependencies=[Csrf],
    )
    router.add_api_route(
        f"{_base}/{{dispute_id}}/evidence",
        _evidence_route(_name),
        methods=["POST"],
        dependencies=[Csrf],
    )


@router.post("/disputes/{dispute_id}/step", dependencies=[Csrf])
async def buyer_step(
    dispute_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    """Escalate, accept the seller's answer, or withdraw (the button pressed)."""
    steps = {
        "escalate": (service.escalate_dispute, "Your dispute was sent to the Mercato team."),
        "accept": (service.accept_answer, "You accepted the seller's answer."),
        "withdraw": (service.withdraw_dispute, "You withdrew your dispute."),
    }

    async def action(form: dict[str, str]) -> Any:
        step = steps.get(form.get("step", ""))
        if step is None:
            raise ValidationFailed.on("step", "Choose what to do.")
        return await step[0](session, principal, dispute_id)

    form = await request.form()
    done = steps.get(str(form.get("step", "")), (None, "Done."))[1]
    return await _act(request, session, principal, dispute_id, "buyer", action, done)


# --- the seller portal -----------------------------------------------------------------------


@router.get("/seller/disputes")
async def seller_disputes(
    request: Request,
    session: DbSession,
    principal: PageUser,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    principal.require_role(Role.SELLER)
    page = await service.list_disputes(session, principal, cursor=cursor, limit=50)
    waiting = [d for d in page.items if d.status is DisputeStatus.OPEN]
    context = {**formatting(), "page": page, "waiting": len(waiting)}
    return render(request, "disputes/seller_disputes.html", context)


@router.post("/seller/disputes/{dispute_id}/answer", dependencies=[Csrf])
async def seller_answer(
    dispute_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    async def action(form: dict[str, str]) -> Any:
        fields = {"answer": form.get("answer", ""), "note": form.get("note", "")}
        if form.get("answer") == "refund":
            fields["refund_minor"] = _required_amount_minor(
                form, "refund", "Enter the amount you offer."
            )
        data = parse_form(AnswerIn, fields)
        return await service.answer_dispute(session, principal, dispute_id, data)

    return await _act(
        request, session, principal, dispute_id, "seller", action, "Your answer was sent."
    )


async def _returns_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    principal.require_role(Role.SELLER)
    page = await service.list_returns(session, principal, limit=100)
    return {**formatting(), "page": page, "form": {}, "errors": {}}


@router.get("/seller/returns")
async def seller_returns(request: Request, session: DbSession, principal: PageUser) -> Response:
    context = await _returns_context(session, principal)
    return render(request, "disputes/seller_returns.html", context)


@router.post("/seller/returns/{return_id}/{step}", dependencies=[Csrf])
async def seller_return_step(
    return_id: uuid.UUID, step: str, request: Request, session: DbSession, principal: PageUser
) -> Response:
    principal.require_role(Role.SELLER)
    form = await read_form(request)
    try:
        if step == "approve":
            data = parse_form(ReturnApproveIn, form)
            await service.approve_return(session, principal, return_id, data)
            message = "Return approved: the buyer has your instructions."
        elif step == "reject":
            await service.reject_return(
                session, principal, return_id, parse_form(ReturnRejectIn, form)
            )
            message = "Return rejected."
        elif step == "received":
            done = await service.mark_return_received(session, principal, return_id)
            message = (
                f"Parcel received: {format_money(done.refunded_minor, done.currency)} refunded."
            )
            if done.restocking_fee_minor:
                kept = format_money(done.restocking_fee_minor, done.currency)
                message += f" You kept {kept} as the restocking fee."
        else:
            raise ValidationFailed.on("step", "Unknown step.")
    except MercatoError as error:
        return await form_failed(
            request,
            session,
            error,
            "disputes/seller_returns.html",
            {"form": form | {"return_id": str(return_id)}},
            reload=lambda: _returns_context(session, principal),
        )
    response = redirect("/seller/returns", request)
    flash(response, request, message)
    return response


# --- the admin console -----------------------------------------------------------------------


@router.get("/admin/disputes")
async def admin_disputes(request: Request, session: DbSession, principal: PageUser) -> Response:
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    queue = await service.staff_queue(session, principal)
    context = {**formatting(), "queue": queue, "can_decide": principal.role is Role.ADMIN}
    return render(request, "disputes/admin_disputes.html", context)


@router.post("/admin/disputes/{dispute_id}/decision", dependencies=[Csrf])
async def admin_decide(
    dispute_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    async def action(form: dict[str, str]) -> Any:
        fields = {"outcome": form.get("outcome", ""), "note": form.get("note", "")}
        if form.get("outcome") == "refund_partial":
            fields["amount_minor"] = _required_amount_minor(
                form, "amount", "Enter the amount to refund."
            )
        data = parse_form(DecisionIn, fields)
        return await service.decide_dispute(session, principal, dispute_id, data)

    return await _act(
        request, session, principal, dispute_id, "admin", action, "The decision was recorded."
    )
