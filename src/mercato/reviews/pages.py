"""Reviews pages: the review card of the buyer's order page (an htmx panel), reporting a
review from the product page, the seller portal's reviews with the reply form, and the staff
console's moderation queue."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from mercato.kit.auth import Principal, Role
from mercato.kit.db import rollback
from mercato.kit.deps import CurrentPrincipal, DbSession
from mercato.kit.errors import MercatoError
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
from mercato.reviews import service
from mercato.reviews.schemas import (
    REASON_LABELS,
    DecisionIn,
    ModerationAction,
    ReplyIn,
    ReportIn,
    ReviewIn,
)

router = page_router()
Csrf = Depends(verify_csrf)
PANEL = "reviews/_order_panel.html"
SELLER_REVIEWS = "/seller/reviews"
ADMIN_REVIEWS = "/admin/reviews"
Cursor = Annotated[str | None, Query(max_length=64)]


# --- the buyer's order page ---------------------------------------------------------------------


async def _panel(
    request: Request,
    session: DbSession,
    principal: Principal,
    order_id: uuid.UUID,
    status: int = 200,
    **extra: Any,
) -> Response:
    panel = await service.order_reviews(session, principal, order_id)
    if panel is None or not panel.reviewable:
        # Not the caller's order, or nothing to review yet: the placeholder simply goes away.
        return HTMLResponse("")
    return render(request, PANEL, {"panel": panel, **extra}, status_code=status)


@router.get("/reviews/orders/{order_id}/panel")
async def order_panel(
    order_id: uuid.UUID, request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    return await _panel(request, session, principal, order_id)


@router.post("/reviews/orders/{order_id}/lines/{line_id}", dependencies=[Csrf])
async def write_review(
    order_id: uuid.UUID,
    line_id: uuid.UUID,
    request: Request,
    session: DbSession,
    principal: PageUser,
) -> Response:
    form = await read_form(request)
    try:
        data = parse_form(ReviewIn, form)
        await service.create_review(session, principal, order_id, line_id, data)
    except MercatoError as error:
        await rollback(session)
        if error.status in (401, 403, 404):
            raise
        extra = {"form": form | {"line_id": str(line_id)}, "errors": form_errors(error)}
        return await _panel(
            request, session, principal, order_id, **extra, error=error, status=error.status
        )
    if is_htmx(request):
        return await _panel(request, session, principal, order_id, published=True)
    response = redirect(f"/orders/{order_id}", request)
    flash(response, request, "Thank you! Your review is published.")
    return response


@router.post("/reviews/{review_id}/edit", dependencies=[Csrf])
async def edit_review(
    review_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    """The buyer changes their review from the order page's card."""
    form = await read_form(request)
    try:
        data = parse_form(ReviewIn, form)
        review = await service.edit_review(session, principal, review_id, data)
    except MercatoError as error:
        await rollback(session)
        order_id = _order_of_form(form)
        if error.status in (401, 403, 404) or order_id is None:
            raise
        extra = {"form": form | {"review_id": str(review_id)}, "errors": form_errors(error)}
        return await _panel(
            request, session, principal, order_id, **extra, error=error, status=error.status
        )
    if is_htmx(request):
        return await _panel(request, session, principal, review.order_id, edited=True)
    response = redirect(f"/orders/{review.order_id}", request)
    flash(response, request, "Your review is updated.")
    return response


def _order_of_form(form: dict[str, str]) -> uuid.UUID | None:
    """The order whose card sent the form, to show it again with the error."""
    try:
        return uuid.UUID(form.get("order_id", ""))
    except ValueError:
        return None


# --- the product page -----------------------------------------------------------------------------


@router.post("/reviews/{review_id}/report", dependencies=[Csrf])
async def report_review(
    review_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    try:
        data = parse_form(ReportIn, form)
        report = await service.report_review(session, principal, review_id, data)
    except MercatoError as error:
        await rollback(session)
        if error.status in (401, 404):
            raise
        response = redirect(_back(form), request)
        flash(response, request, error.detail, "error")
        return response
    response = redirect(_back(form), request)
    flash(response, request, f"Thank you. Moderators will look at this review ({report.reason}).")
    return response


def _back(form: dict[str, str]) -> str:
    """The product page the report was sent from (only ever a product page of this site)."""
    try:
        return f"/products/{uuid.UUID(form.get('listing_id', ''))}#reviews"
    except ValueError:
        return "/"


# --- the seller portal --------------------------------------------------------------------------


def _seller(principal: Principal) -> Principal:
    principal.require_role(Role.SELLER)
    return principal


async def _seller_context(
    session: DbSession, principal: Principal, cursor: str | None = None
) -> dict[str, Any]:
    reviews = await service.list_my_shop_reviews(session, principal, cursor=cursor, limit=20)
    return {"reviews": reviews, "cursor": cursor, "form": {}, "errors": {}}


@router.get(SELLER_REVIEWS)
async def seller_reviews(
    request: Request, session: DbSession, principal: PageUser, cursor: Cursor = None
) -> Response:
    context = await _seller_context(session, _seller(principal), cursor)
    return render(request, "reviews/seller_reviews.html", context)


@router.post(f"{SELLER_REVIEWS}/{{review_id}}/reply", dependencies=[Csrf])
async def seller_reply(
    review_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    try:
        data = parse_form(ReplyIn, form)
        await service.reply_to_review(session, _seller(principal), review_id, data)
    except MercatoError as error:
        if error.status in (401, 403, 404):
            await rollback(session)
            raise

        async def reload() -> dict[str, Any]:
            return await _seller_context(session, principal)

        context = {"form": form | {"review_id": str(review_id)}}
        return await form_failed(
            request, session, error, "reviews/seller_reviews.html", context, reload=reload
        )
    response = redirect(f"{SELLER_REVIEWS}#review-{review_id}", request)
    flash(response, request, "Your reply is published under the review.")
    return response


# --- the staff console ----------------------------------------------------------------------------


@router.get(ADMIN_REVIEWS)
async def admin_reviews(
    request: Request,
    session: DbSession,
    principal: PageUser,
    show: Annotated[str, Query(max_length=10)] = "",
    cursor: Cursor = None,
) -> Response:
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    include_hidden = show == "hidden"
    queue = await service.moderation_queue(
        session, principal, include_hidden=include_hidden, cursor=cursor, limit=50
    )
    context = {
        "queue": queue,
        "include_hidden": include_hidden,
        "cursor": cursor,
        "can_act": principal.role == Role.ADMIN,
        "report_reasons": REASON_LABELS,
        "actions": ModerationAction,
    }
    return render(request, "reviews/admin_reviews.html", context)


@router.post(f"{ADMIN_REVIEWS}/{{review_id}}/decisions", dependencies=[Csrf])
async def admin_decide(
    review_id: uuid.UUID, request: Request, session: DbSession, principal: PageUser
) -> Response:
    form = await read_form(request)
    back = ADMIN_REVIEWS + ("?show=hidden" if form.get("show") == "hidden" else "")
    try:
        data = parse_form(DecisionIn, form)
        review = await service.decide_review(session, principal, review_id, data)
    except MercatoError as error:
        await rollback(session)
        if error.status in (401, 403, 404):
            raise
        response = redirect(back, request)
        message = error.errors[0].message if error.errors else error.detail
        flash(response, request, f"Nothing was changed: {message}", "error")
        return response
    done = {"hide": "hidden", "restore": "published again", "dismiss": "kept; reports dismissed"}
    response = redirect(back, request)
    flash(response, request, f"Review by {review.buyer_name} {done[data.action.value]}.")
    return response
