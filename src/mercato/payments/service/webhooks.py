"""Receiving provider webhooks: verify on the raw body, store once per event id, apply.

A forged, tampered, replayed or expired delivery is refused (400) before anything is stored. An
authentic event is stored in the inbox under its unique (provider, event id): a redelivery is
answered from the inbox without side effects. A payout's outcome is announced (durably) to the
payouts domain, which owns payouts. Events about a payment we do not know yet (the
provider was faster than our commit) wait in the inbox and are applied when the payment is
linked. An amount or currency that differs from our payment is refused and recorded, and changes
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.ids import new_id
from mercato.payments import repository
from mercato.payments.events import PayoutReported
from mercato.payments.models import WebhookInbox
from mercato.payments.providers import provider_for
from mercato.payments.providers.base import ProviderPayment, ProviderPayout
from mercato.payments.schemas import WebhookReceipt
from mercato.payments.service._announce import announce
from mercato.payments.service._state import PaymentMismatch, apply_inbox_event

MAX_WEBHOOK_BYTES = 256 * 1024


async def receive_webhook(
    session: AsyncSession, provider_name: str, raw_body: bytes, headers: Mapping[str, str]
) -> WebhookReceipt:
    """Handle one delivery of a provider's webhook (the endpoint and the sandbox both call it).

    Raises ``WebhookRejected`` (400, nothing stored) for a bad signature or a timestamp outside
    the tolerance, and :class:`PaymentMismatch` (422, the refusal kept in the inbox) for an
    amount or currency that is not the payment's."""
    provider = provider_for(provider_name, session)
    event = provider.parse_webhook(raw_body[: MAX_WEBHOOK_BYTES + 1], headers)
    state = event.payment
    inbox = WebhookInbox(
        id=new_id(),
        provider=provider_name,
        event_id=event.event_id[:255],
        event_type=event.event_type[:100],
        provider_payment_id=state.provider_payment_id if state else None,
        payload=event.payload,
        received_at=clock.now(),
        processed_at=None,
        outcome="received",
        detail=None,
    )
    if not await repository.store_inbox_event(session, inbox):
        # Delivered before, or by a concurrent delivery that handles it.
        seen = await repository.get_inbox_event(session, provider_name, inbox.event_id)
        outcome = seen.outcome if seen is not None else "received"
        return WebhookReceipt(event_id=event.event_id, outcome=outcome, duplicate=True)
    if event.payout is not None:
        _report_payout(inbox, event.payout)
        await session.flush()
        announce(
            session,
            PayoutReported(
                provider_name,
                event.payout.provider_payout_id,
                event.payout.status,
                event.payout.failure_code,
                event.payout.failure_message,
            ),
        )
    else:
        await _process(session, inbox, state)
    if inbox.outcome == "refused":
        raise PaymentMismatch(inbox.detail, keep_changes=True)
    return WebhookReceipt(event_id=event.event_id, outcome=inbox.outcome)


def _report_payout(inbox: WebhookInbox, payout: ProviderPayout) -> None:
    inbox.outcome = "applied"
    inbox.detail = f"Payout {payout.provider_payout_id} reported {payout.status}."
    inbox.processed_at = clock.now()


async def _process(
    session: AsyncSession, inbox: WebhookInbox, state: ProviderPayment | None
) -> None:
    if state is None:
        inbox.outcome, inbox.detail = "ignored", "Not about a payment's status."
        inbox.processed_at = clock.now()
        await session.flush()
        return
    payment = await repository.get_payment_by_provider_id(
        session, inbox.provider, state.provider_payment_id, for_update=True
    )
    if payment is None:
        inbox.outcome, inbox.detail = "pending", "No payment with this provider id yet."
        await session.flush()
        return
    await apply_inbox_event(session, payment, inbox, state)
