"""Disputes on an order line: opened by the buyer within the window (the escrow freezes), a
thread of messages and evidence, the seller's answer, the buyer's escalation, the platform's
decision; money moves only through settlement."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.disputes import policy, repository
from mercato.disputes.events import (
    DisputeAnswered,
    DisputeClosed,
    DisputeDecided,
    DisputeEscalated,
    DisputeOpened,
)
from mercato.disputes.models import Dispute, DisputeEvidence, DisputeMessage
from mercato.disputes.schemas import (
    Answer,
    AnswerIn,
    DecisionIn,
    DisputeDetail,
    DisputeOpenIn,
    DisputeOut,
    DisputeStatus,
    EvidenceOut,
    MessageIn,
    MessageOut,
    Outcome,
)
from mercato.disputes.service import _money
from mercato.disputes.service._access import Caller, caller_of, require_visible, seller_principal
from mercato.disputes.service._notices import notify_dispute
from mercato.disputes.service._views import dispute_detail, dispute_out
from mercato.disputes.service.terms import dispute_terms
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.events import record
from mercato.kit.money import format_money
from mercato.kit.pagination import Page
from mercato.kit.storage import EXTENSIONS, FileStore, sniff_content_type
from mercato.orders.service import get_order
from mercato.settlement.schemas import RefundIn

S = DisputeStatus
EVIDENCE_TYPES = frozenset({"image/png", "image/jpeg", "application/pdf"})
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
MAX_EVIDENCE_FILES = 20

SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._ -]")


class AlreadyDisputed(Conflict):
    slug, title = "dispute-already-open", "A dispute is already open on this line"


@dataclass(frozen=True)
class EvidenceFile:
    data: bytes
    content_type: str
    filename: str


async def open_dispute(
    session: AsyncSession, principal: Principal, data: DisputeOpenIn
) -> DisputeOut:
    """Open a dispute on a line of the buyer's own paid order, within the window (422 naming
    why not), once per line while one is open (409). The order's escrow is frozen; both
    parties are told. Another buyer's order is 404; nothing is written when refused."""
    buyer_id = principal.require_role(Role.BUYER)
    order = await get_order(session, principal, data.order_id)
    if order.buyer_id != buyer_id:
        raise NotFound("No such order.")
    line = next((line for line in order.lines if line.id == data.order_line_id), None)
    if line is None:
        raise ValidationFailed.on("order_line_id", "Not a line of this order.")
    now = clock.now()
    terms = await dispute_terms(session, order)
    policy.check_can_open(order, data.reason, terms, now)
    if await repository.active_on_line(session, line.id) is not None:
        raise AlreadyDisputed("A dispute is already open on this item.")
    dispute = Dispute(
        order_id=order.id,
        order_line_id=line.id,
        open_line_id=line.id,
        buyer_id=buyer_id,
        seller_id=order.seller_id,
        order_number=order.number,
        line_title=line.title,
        kind=order.kind,
        reason=data.reason.value,
        description=data.description,
        status=S.OPEN.value,
        currency=order.currency,
        line_total_minor=line.line_total_minor,
        refunded_minor=0,
        auto_escalated=False,
        answer_due_at=now + terms.seller_answer,
        created_at=now,
    )
    try:
        async with session.begin_nested():
            repository.add(session, dispute)
            await session.flush()
    except IntegrityError:
        raise AlreadyDisputed("A dispute is already open on this item.") from None
    _thread(session, dispute, buyer_id, "buyer", data.description)
    await _money.freeze_for(session, order.id, dispute.id)
    await session.flush()
    record(
        session,
        DisputeOpened(
            dispute.id, order.id, line.id, order.seller_id, buyer_id, dispute.reason, now
        ),
    )
    await notify_dispute(session, dispute, "opened")
    return dispute_out(dispute)


def _thread(
    session: AsyncSession, dispute: Dispute, author: uuid.UUID | None, role: str, body: str
) -> None:
    repository.add(
        session,
        DisputeMessage(
            dispute_id=dispute.id,
            author_id=author,
            author_role=role,
            body=body,
            created_at=clock.now(),
        ),
    )


async def list_disputes(
    session: AsyncSession,
    principal: Principal,
    *,
    statuses: Sequence[DisputeStatus] = (),
    cursor: str | None = None,
    limit: int = 50,
) -> Page[DisputeOut]:
    """Newest first: a buyer's own disputes, a seller's shop's, every dispute for staff."""
    caller = await caller_of(session, principal)
    found = await repository.list_disputes(
        session,
        buyer_id=caller.user_id if caller.role == "buyer" else None,
        seller_id=caller.seller_id,
        statuses=[status.value for status in statuses],
        cursor=cursor,
        limit=limit,
    )
    return Page[DisputeOut](
        items=[dispute_out(row) for row in found.rows], next_cursor=found.next_cursor
    )


async def staff_queue(session: AsyncSession, principal: Principal) -> list[DisputeOut]:
    """The platform's queue: escalated disputes first (oldest first), then the open ones, then
    the recently closed (staff only)."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    return [dispute_out(row) for row in await repository.staff_queue(session)]


async def _visible(
    session: AsyncSession, principal: Principal, dispute_id: uuid.UUID, *, for_update: bool = False
) -> tuple[Caller, Dispute]:
    caller = await caller_of(session, principal)
    dispute = await repository.get_dispute(session, dispute_id, for_update=for_update, full=True)
    if dispute is None:
        raise NotFound("No such dispute.")
    require_visible(caller, dispute.buyer_id, dispute.seller_id, "dispute")
    return caller, dispute


def _actions(caller: Caller, dispute: Dispute) -> list[str]:
    status = DisputeStatus(dispute.status)
    if caller.role == "buyer":
        return policy.buyer_actions(status, dispute.answer_due_at, clock.now())
    if caller.role == "seller":
        return policy.seller_actions(status)
    if caller.role == "admin":
        return policy.admin_actions(status)
    return []


async def get_dispute(
    session: AsyncSession, principal: Principal, dispute_id: uuid.UUID
) -> DisputeDetail:
    """One dispute with its thread, evidence and what the caller may do now: its buyer, the
    order's seller and staff; anyone else gets 404."""
    caller, dispute = await _visible(session, principal, dispute_id)
    return dispute_detail(dispute, _actions(caller, dispute))


async def post_message(
    session: AsyncSession, principal: Principal, dispute_id: uuid.UUID, data: MessageIn
) -> MessageOut:
    """Add to the thread (the buyer, the seller or an admin) while the dispute is active."""
    caller, dispute = await _visible(session, principal, dispute_id)
    caller.require("buyer", "seller", "admin")
    policy.require_status(DisputeStatus(dispute.status), *policy.ACTIVE, action="discussed")
    message = DisputeMessage(
        dispute_id=dispute.id,
        author_id=caller.user_id,
        author_role=caller.role,
        body=data.body,
        created_at=clock.now(),
    )
    repository.add(session, message)
    await session.flush()
    await notify_dispute(session, dispute, "message")
    return MessageOut.model_validate(message, from_attributes=True)


def check_evidence(data: bytes) -> str:
    """The evidence's media type, read from its content: PNG, JPEG or PDF up to 5 MB (422)."""
    if not data:
        raise ValidationFailed.on("file", "The file is empty.")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise ValidationFailed.on("file", "The file is larger than 5 MB.")
    content_type = sniff_content_type(data[:16])
    if content_type not in EVIDENCE_TYPES:
        raise ValidationFailed.on(
            "file", "Upload a PNG, JPEG or PDF file (we read its content, not its name)."
        )
    return content_type


async def add_evidence(
    session: AsyncSession,
    principal: Principal,
    files: FileStore,
    dispute_id: uuid.UUID,
    data: bytes,
    filename: str | None,
) -> EvidenceOut:
    """Attach a photo or PDF (buyer, seller, admin) while the dispute is active."""
    caller, dispute = await _visible(session, principal, dispute_id)
    caller.require("buyer", "seller", "admin")
    policy.require_status(DisputeStatus(dispute.status), *policy.ACTIVE, action="added to")
    content_type = check_evidence(data)
    if await repository.count_evidence(session, dispute.id) >= MAX_EVIDENCE_FILES:
        raise Conflict(f"A dispute holds at most {MAX_EVIDENCE_FILES} files.")
    stored = files.save(data, allowed=EVIDENCE_TYPES, max_bytes=MAX_EVIDENCE_BYTES)
    # Only characters safe in a Content-Disposition header and on any file system.
    name = SAFE_FILENAME.sub("_", (filename or "").strip())[-120:] or "evidence"
    if not name.lower().endswith(EXTENSIONS[content_type]):
        name += EXTENSIONS[content_type]
    evidence = DisputeEvidence(
        dispute_id=dispute.id,
        uploaded_by=caller.user_id,
        author_role=caller.role,
        file_key=stored.key,
        content_type=content_type,
        size_bytes=stored.size,
        filename=name,
        created_at=clock.now(),
    )
    repository.add(session, evidence)
    try:
        await session.flush()
    except Exception:
        files.delete(stored.key)
        raise
    await notify_dispute(session, dispute, "evidence")
    return EvidenceOut.model_validate(evidence, from_attributes=True)


async def get_evidence_file(
    session: AsyncSession, principal: Principal, files: FileStore, evidence_id: uuid.UUID
) -> EvidenceFile:
    """An evidence file's bytes, for the dispute's parties and staff (others: 404)."""
    caller = await caller_of(session, principal)
    evidence = await repository.get_evidence(session, evidence_id)
    dispute = await repository.get_dispute(session, evidence.dispute_id) if evidence else None
    if evidence is None or dispute is None:
        raise NotFound("No such file.")
    require_visible(caller, dispute.buyer_id, dispute.seller_id, "file")
    try:
        data = files.read(evidence.file_key)
    except FileNotFoundError:
        raise NotFound("The file is missing.") from None
    return EvidenceFile(data, evidence.content_type, evidence.filename)


async def answer_dispute(
    session: AsyncSession, principal: Principal, dispute_id: uuid.UUID, data: AnswerIn
) -> DisputeOut:
    """The seller's answer to an open dispute: a refund offer (at most what is left of the
    line), a replacement, or a rejection. The buyer then accepts or escalates."""
    caller, dispute = await _visible(session, principal, dispute_id, for_update=True)
    caller.require("seller")
    policy.require_status(DisputeStatus(dispute.status), S.OPEN, action="answered")
    if data.answer is Answer.REFUND:
        assert data.refund_minor is not None
        await _check_amount(session, dispute, data.refund_minor, "refund_minor")
    now = clock.now()
    order = await get_order(session, principal, dispute.order_id)
    terms = await dispute_terms(session, order)
    dispute.status, dispute.answer, dispute.answer_note = (
        S.SELLER_RESPONDED.value,
        data.answer.value,
        data.note,
    )
    dispute.offered_refund_minor = data.refund_minor
    dispute.answered_by, dispute.answered_at = caller.user_id, now
    dispute.escalate_until = now + terms.buyer_escalation
    _thread(session, dispute, caller.user_id, "seller", data.note)
    await session.flush()
    record(
        session,
        DisputeAnswered(dispute.id, dispute.order_id, dispute.seller_id, data.answer.value, now),
    )
    await notify_dispute(session, dispute, "answered")
    return dispute_out(dispute)


async def _check_amount(session: AsyncSession, dispute: Dispute, amount: int, field: str) -> int:
    left = await _money.line_refundable(
        session, dispute.order_id, dispute.order_line_id, dispute.line_total_minor
    )
    if amount > left:
        raise ValidationFailed.on(
            field, f"At most {format_money(left, dispute.currency)} is left to refund."
        )
    return left


async def escalate_dispute(
    session: AsyncSession, principal: Principal, dispute_id: uuid.UUID
) -> DisputeOut:
    """The buyer asks the platform to decide: after the seller's answer, or once the seller's
    time to answer ran out (409 before)."""
    caller, dispute = await _visible(session, principal, dispute_id, for_update=True)
    caller.require("buyer")
    status = DisputeStatus(dispute.status)
    if not policy.may_escalate(status, dispute.answer_due_at, clock.now()):
        if status is S.OPEN:
            raise policy.DisputeNotAllowed(
                "The seller still has time to answer; you can escalate after "
                f"{dispute.answer_due_at:%d %b %Y, %H:%M} UTC."
            )
        policy.require_status(status, S.SELLER_RESPONDED, action="escalated")
    await _escalate(session, dispute, automatic=False)
    return dispute_out(dispute)


async def _escalate(session: AsyncSession, dispute: Dispute, *, automatic: bool) -> None:
    now = clock.now()
    dispute.status, dispute.escalated_at, dispute.auto_escalated = S.ESCALATED.value, now, automatic
    if automatic:
        note = "The seller did not answer in time: the dispute went to the Mercato team."
        _thread(session, dispute, None, "system", note)
    await session.flush()
    record(
        session, DisputeEscalated(dispute.id, dispute.order_id, dispute.seller_id, automatic, now)
    )
    await notify_dispute(session, dispute, "escalated")


async def decide_dispute(
    session: AsyncSession, principal: Principal, dispute_id: uuid.UUID, data: DecisionIn
) -> DisputeOut:
    """An admin decides an escalated dispute: a full refund of what is left of the line, a
    partial refund of ``amount_minor``, or release to the seller. Refunds go through
    settlement (from escrow before release, from the seller's balance after)."""
    principal.require_role(Role.ADMIN)
    _, dispute = await _visible(session, principal, dispute_id, for_update=True)
    policy.require_status(DisputeStatus(dispute.status), S.ESCALATED, action="decided")
    amount = 0
    if data.outcome is Outcome.REFUND_PARTIAL:
        assert data.amount_minor is not None
        amount = data.amount_minor
        await _check_amount(session, dispute, amount, "amount_minor")
    elif data.outcome is Outcome.REFUND_FULL:
        amount = await _check_amount(session, dispute, 0, "amount_minor")
        if amount == 0:
            raise Conflict("Nothing is left to refund for this item.")
    _close(dispute, S.DECIDED, data.outcome.value)
    dispute.decided_by, dispute.decision_note = principal.user_id, data.note
    _thread(session, dispute, principal.user_id, "admin", data.note)
    await session.flush()
    await _settle(session, principal, dispute, amount, data.note)
    record(
        session,
        DisputeDecided(
            dispute.id,
            dispute.order_id,
            dispute.seller_id,
            data.outcome.value,
            dispute.currency,
            dispute.refunded_minor,
            clock.now(),
        ),
    )
    await notify_dispute(session, dispute, "decided")
    return dispute_out(dispute)


def _close(dispute: Dispute, status: DisputeStatus, outcome: str) -> None:
    dispute.status, dispute.outcome = status.value, outcome
    dispute.open_line_id, dispute.closed_at = None, clock.now()


async def _settle(
    session: AsyncSession, acting: Principal, dispute: Dispute, amount: int, reason: str
) -> None:
    """After closing: refund ``amount`` (if any), and lift the freeze with the last dispute."""
    if amount > 0:
        data = RefundIn(
            amount_minor=amount, reason=f"Dispute on {dispute.line_title}: {reason}"[:500]
        )
        refund = await _money.refund(
            session, acting, dispute.order_id, data, _money.dispute_key(dispute.id)
        )
        dispute.refunded_minor, dispute.refund_id = refund.amount_minor, refund.id
        await session.flush()
    await _money.unfreeze_if_last(session, dispute.order_id)


async def accept_answer(
    session: AsyncSession, principal: Principal, dispute_id: uuid.UUID
) -> DisputeOut:
    """The buyer accepts the seller's answer: a refund offer is paid at once (as the seller's
    refund), a replacement or a rejection closes the dispute."""
    caller, dispute = await _visible(session, principal, dispute_id, for_update=True)
    caller.require("buyer")
    policy.require_status(DisputeStatus(dispute.status), S.SELLER_RESPONDED, action="accepted")
    await _resolve(session, dispute)
    return dispute_out(dispute)


async def _resolve(session: AsyncSession, dispute: Dispute) -> None:
    answer = Answer(dispute.answer or Answer.REJECTED)
    _close(dispute, S.RESOLVED, policy.answer_outcome(answer))
    await session.flush()
    amount = (dispute.offered_refund_minor or 0) if answer is Answer.REFUND else 0
    if amount:
        left = await _money.line_refundable(
            session, dispute.order_id, dispute.order_line_id, dispute.line_total_minor
        )
        amount = min(amount, left)
    acting = seller_principal(dispute.answered_by) if dispute.answered_by else None
    if acting is not None:
        await _settle(session, acting, dispute, amount, dispute.answer_note or "Seller's refund")
    else:
        await _money.unfreeze_if_last(session, dispute.order_id)
    record(session, _closed_event(dispute))
    await notify_dispute(session, dispute, "resolved")


def _closed_event(dispute: Dispute) -> DisputeClosed:
    return DisputeClosed(
        dispute.id,
        dispute.order_id,
        dispute.seller_id,
        dispute.status,
        dispute.outcome or "",
        dispute.refunded_minor,
        dispute.closed_at or clock.now(),
    )


async def withdraw_dispute(
    session: AsyncSession, principal: Principal, dispute_id: uuid.UUID
) -> DisputeOut:
    """The buyer withdraws a dispute not yet with the platform; the freeze goes with the
    order's last open dispute."""
    caller, dispute = await _visible(session, principal, dispute_id, for_update=True)
    caller.require("buyer")
    policy.require_status(
        DisputeStatus(dispute.status), S.OPEN, S.SELLER_RESPONDED, action="withdrawn"
    )
    _close(dispute, S.WITHDRAWN, "withdrawn")
    _thread(session, dispute, caller.user_id, "buyer", "I withdraw this dispute.")
    await session.flush()
    await _money.unfreeze_if_last(session, dispute.order_id)
    record(session, _closed_event(dispute))
    await notify_dispute(session, dispute, "withdrawn")
    return dispute_out(dispute)


# --- the sweep -----------------------------------------------------------------------------


async def overdue_disputes(session: AsyncSession, limit: int = 200) -> list[uuid.UUID]:
    """Open disputes whose seller's answer time ran out."""
    return await repository.overdue_unanswered(session, clock.now(), limit)


async def lapsed_disputes(session: AsyncSession, limit: int = 200) -> list[uuid.UUID]:
    """Answered disputes the buyer did not escalate in time."""
    return await repository.lapsed_answers(session, clock.now(), limit)


async def escalate_overdue(session: AsyncSession, dispute_id: uuid.UUID) -> bool:
    """Escalate one dispute the seller left unanswered past its deadline (the sweep; a second
    run finds nothing to do). False when it is no longer due."""
    dispute = await repository.get_dispute(session, dispute_id, for_update=True)
    if dispute is None or dispute.status != S.OPEN.value or dispute.answer_due_at > clock.now():
        return False
    await _escalate(session, dispute, automatic=True)
    return True


async def resolve_lapsed(session: AsyncSession, dispute_id: uuid.UUID) -> bool:
    """The buyer let the escalation window pass: the seller's answer stands (a refund offer is
    paid). False when it is no longer due."""
    dispute = await repository.get_dispute(session, dispute_id, for_update=True)
    if dispute is None or dispute.status != S.SELLER_RESPONDED.value:
        return False
    if dispute.escalate_until is None or dispute.escalate_until > clock.now():
        return False
    await _resolve(session, dispute)
    return True


async def disputed_order_ids(
    session: AsyncSession, seller_id: uuid.UUID, since: datetime
) -> set[uuid.UUID]:
    """The seller's orders with a dispute opened at or after ``since`` (governance's defect
    rate; withdrawn disputes included, as the largest marketplaces count them)."""
    return await repository.disputed_order_ids(session, seller_id, since)
