"""The seller's application: filling it in, supporting documents, submitting it for review
(which runs the automatic checks), and reading it back."""

from __future__ import annotations

import re
import unicodedata
import uuid
from pathlib import PurePath

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import Conflict, FieldError, NotFound, ValidationFailed
from mercato.kit.storage import EXTENSIONS, FileStore
from mercato.sellers import policy, repository
from mercato.sellers.models import Seller, SellerCheck, SellerDocument
from mercato.sellers.schemas import (
    DOCUMENT_LABELS,
    ApplicationIn,
    ApplicationOut,
    CheckCode,
    CheckOutcome,
    DocumentOut,
    DocumentType,
    SellerStatus,
)
from mercato.sellers.service._common import (
    Actor,
    FileDownload,
    blind_index,
    change_status,
    delete_file_after_commit,
    document_out,
    history_out,
    notify_seller,
    own_seller,
    status_label,
    status_of,
    store_upload,
)

# --- reading -------------------------------------------------------------------------------


async def required_documents_for(session: AsyncSession, seller: Seller) -> list[DocumentType]:
    criteria = [
        policy.Criterion(c.country, DocumentType(c.doc_type), c.applies_to)
        for c in await repository.list_criteria(session)
    ]
    return policy.required_documents(
        criteria, seller.country, seller.sells_goods, seller.sells_services
    )


def missing_fields(seller: Seller) -> list[str]:
    missing = [name for name in policy.REQUIRED_FIELDS if not getattr(seller, name)]
    if not (seller.sells_goods or seller.sells_services):
        missing.append("sells_goods")
    return missing


async def application_out(session: AsyncSession, seller: Seller) -> ApplicationOut:
    documents = await repository.list_documents(session, seller.id)
    required = await required_documents_for(session, seller)
    uploaded = {DocumentType(d.doc_type) for d in documents}
    history = await repository.list_status_changes(session, seller.id)
    return ApplicationOut(
        id=seller.id,
        status=seller.status,
        status_label=status_label(seller),
        status_reason=seller.status_reason,
        business_name=seller.business_name,
        legal_form=seller.legal_form,
        country=seller.country,
        tax_id=seller.tax_id,
        contact_name=seller.contact_name,
        contact_email=seller.contact_email,
        contact_phone=seller.contact_phone,
        sells_goods=seller.sells_goods,
        sells_services=seller.sells_services,
        category_interests=seller.category_interests,
        submitted_at=seller.submitted_at,
        decided_at=seller.decided_at,
        created_at=seller.created_at,
        editable=status_of(seller) in policy.EDITABLE,
        documents=[document_out(d) for d in documents],
        required_documents=required,
        missing_documents=[t for t in required if t not in uploaded],
        missing_fields=missing_fields(seller),
        history=[history_out(h) for h in history],
    )


async def get_my_application(session: AsyncSession, principal: Principal) -> ApplicationOut:
    """The signed-in seller's application, its documents, status and history."""
    return await application_out(session, await own_seller(session, principal))


# --- editing -------------------------------------------------------------------------------


def require_editable(seller: Seller) -> None:
    status = status_of(seller)
    if status not in policy.EDITABLE:
        if status is SellerStatus.SUBMITTED:
            raise Conflict("Your application is being reviewed; it cannot change until then.")
        raise Conflict("Your application has been decided; it can no longer change.")


def _validated(data: ApplicationIn) -> tuple[dict[str, object], policy.TaxId | None]:
    """Check every field and return the values to store; all problems are reported at once."""
    errors: list[FieldError] = []
    for name in ("business_name", "contact_name", "category_interests"):
        value = getattr(data, name)
        problem = value and policy.single_line_problem(value)
        if problem:
            errors.append(FieldError(name, problem))
    country = data.country.upper() if data.country else None
    if country and country not in policy.ISO_COUNTRIES:
        errors.append(FieldError("country", "Choose a country from the list."))
    tax: policy.TaxId | None = None
    if data.tax_id:
        if not country or country not in policy.ISO_COUNTRIES:
            errors.append(FieldError("tax_id", "Choose the country first: tax ids depend on it."))
        else:
            try:
                tax = policy.parse_tax_id(country, data.tax_id)
            except policy.TaxIdError as error:
                errors.append(FieldError("tax_id", str(error)))
    if data.contact_phone and (problem := policy.phone_problem(data.contact_phone)):
        errors.append(FieldError("contact_phone", problem))
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    values: dict[str, object] = data.model_dump(exclude={"country", "tax_id", "contact_email"})
    values.update(
        country=country,
        tax_id=tax.normalized if tax else None,
        tax_id_index=blind_index("tax", tax.business_key) if tax else None,
        contact_email=str(data.contact_email).lower() if data.contact_email else None,
        legal_form=data.legal_form.value if data.legal_form else None,
    )
    return values, tax


async def save_application(
    session: AsyncSession, principal: Principal, data: ApplicationIn
) -> ApplicationOut:
    """Save the application form (a draft may be incomplete; submitting requires it all).
    The tax id is checked against the country's rules, with its check digits."""
    seller = await own_seller(session, principal)
    require_editable(seller)
    values, _tax = _validated(data)
    for name, value in values.items():
        setattr(seller, name, value)
    await session.flush()
    return await application_out(session, seller)


def _display_filename(raw: str | None, content_type: str) -> str:
    name = PurePath((raw or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in {"C"})
    name = re.sub(r"[<>\"]", "", name).strip()[:100]
    return name or f"document{EXTENSIONS[content_type]}"


async def upload_document(
    session: AsyncSession,
    principal: Principal,
    files: FileStore,
    doc_type: DocumentType,
    data: bytes,
    filename: str | None,
) -> DocumentOut:
    """Attach a PDF, JPEG or PNG document; the type is read from the content, not the name."""
    seller = await own_seller(session, principal)
    require_editable(seller)
    if len(await repository.list_documents(session, seller.id)) >= policy.MAX_DOCUMENTS:
        raise Conflict(f"An application holds at most {policy.MAX_DOCUMENTS} documents.")
    stored = store_upload(
        files,
        data,
        allowed=policy.DOCUMENT_TYPES,
        max_bytes=policy.MAX_DOCUMENT_BYTES,
        field="file",
        kinds="PDF, JPEG or PNG document",
    )
    document = SellerDocument(
        seller_id=seller.id,
        doc_type=doc_type.value,
        file_key=stored.key,
        content_type=stored.content_type,
        size_bytes=stored.size,
        filename=_display_filename(filename, stored.content_type),
        created_at=clock.now(),
    )
    session.add(document)
    try:
        await session.flush()
    except Exception:
        files.delete(stored.key)
        raise
    return document_out(document)


async def _own_document(
    session: AsyncSession, seller: Seller, document_id: uuid.UUID
) -> SellerDocument:
    document = await repository.get_document(session, document_id)
    if document is None or document.seller_id != seller.id:
        raise NotFound("No such document.")
    return document


async def delete_document(
    session: AsyncSession, principal: Principal, files: FileStore, document_id: uuid.UUID
) -> None:
    """Remove a document while the application can still change (the file goes after the
    commit, so a rollback never loses it)."""
    seller = await own_seller(session, principal)
    document = await _own_document(session, seller, document_id)
    require_editable(seller)
    await session.delete(document)
    await session.flush()
    delete_file_after_commit(session, files, document.file_key)


async def get_document_file(
    session: AsyncSession, principal: Principal, files: FileStore, document_id: uuid.UUID
) -> FileDownload:
    """A document's bytes, for its seller and for staff; anyone else is told it does not
    exist."""
    principal.require_user()
    document = await repository.get_document(session, document_id)
    if document is None:
        raise NotFound("No such document.")
    if not principal.is_staff:
        seller = await repository.get_by_owner(session, principal.require_user())
        if seller is None or principal.role != Role.SELLER or seller.id != document.seller_id:
            raise NotFound("No such document.")
    try:
        data = files.read(document.file_key)
    except FileNotFoundError as error:
        raise NotFound("The file of this document is missing.") from error
    extension = EXTENSIONS.get(document.content_type, "")
    return FileDownload(
        data, document.content_type, f"{document.doc_type}-{document.id}{extension}"
    )


# --- submitting ----------------------------------------------------------------------------


def _require_complete(seller: Seller, missing_documents: list[DocumentType]) -> None:
    errors = [
        FieldError(name, "This field is required to submit.")
        for name in missing_fields(seller)
        if name != "sells_goods"
    ]
    if not (seller.sells_goods or seller.sells_services):
        errors.append(FieldError("sells_goods", "Say whether you sell goods, services or both."))
    if missing_documents:
        names = "; ".join(DOCUMENT_LABELS[t] for t in missing_documents)
        errors.append(FieldError("documents", f"Upload these documents: {names}."))
    if errors:
        raise ValidationFailed(
            "Your application is not complete yet: " + ", ".join(e.field for e in errors) + ".",
            errors=errors,
        )


async def submit_application(session: AsyncSession, principal: Principal) -> ApplicationOut:
    """Send the application for review: every field and required document must be there.
    The automatic checks run now and their results wait for the reviewer."""
    seller = await own_seller(session, principal)
    require_editable(seller)
    current = await application_out(session, seller)
    _require_complete(seller, current.missing_documents)
    assert seller.country and seller.tax_id  # guaranteed by _require_complete
    tax = policy.parse_tax_id(seller.country, seller.tax_id)
    seller.submission_count += 1
    seller.submitted_at = clock.now()
    seller.status_reason = None
    await change_status(session, seller, SellerStatus.SUBMITTED, Actor.of(principal))
    await run_checks(session, seller, tax, current.required_documents)
    await notify_seller(
        session,
        seller,
        "We received your seller application",
        f"Thank you: the application of {seller.business_name} is in our review queue. We "
        "will email you as soon as a reviewer has looked at it, usually within two working "
        "days.",
    )
    return await application_out(session, seller)


def _check(seller: Seller, code: CheckCode, outcome: CheckOutcome, detail: str) -> SellerCheck:
    return SellerCheck(
        seller_id=seller.id,
        submission=seller.submission_count,
        code=code.value,
        outcome=outcome.value,
        detail=detail,
        created_at=clock.now(),
    )


async def run_checks(
    session: AsyncSession, seller: Seller, tax: policy.TaxId, required: list[DocumentType]
) -> None:
    """Record the automatic admission checks for the reviewer."""
    if tax.verified:
        tax_check = _check(
            seller,
            CheckCode.TAX_ID_FORMAT,
            CheckOutcome.PASS,
            f"{tax.kind} {tax.normalized}: format and check digits are valid for {seller.country}.",
        )
    else:
        tax_check = _check(
            seller,
            CheckCode.TAX_ID_FORMAT,
            CheckOutcome.WARN,
            f"No rule for {seller.country}: only the format was checked. Verify it by hand.",
        )
    names = ", ".join(DOCUMENT_LABELS[t] for t in required) or "none for this country"
    session.add_all(
        [
            tax_check,
            _check(seller, CheckCode.REQUIRED_DOCUMENTS, CheckOutcome.PASS, f"Uploaded: {names}."),
            await _duplicate_tax_check(session, seller),
            await duplicate_bank_account_check(session, seller),
        ]
    )
    await session.flush()


def _describe(sellers: list[Seller]) -> str:
    return "; ".join(f"{s.business_name} ({s.status}, id {s.id})" for s in sellers[:5])


async def _duplicate_tax_check(session: AsyncSession, seller: Seller) -> SellerCheck:
    assert seller.tax_id_index is not None
    others = await repository.others_with_tax_index(session, seller.id, seller.tax_id_index)
    if others:
        return _check(
            seller,
            CheckCode.DUPLICATE_TAX_ID,
            CheckOutcome.FAIL,
            f"The same business is already registered: {_describe(others)}.",
        )
    return _check(
        seller,
        CheckCode.DUPLICATE_TAX_ID,
        CheckOutcome.PASS,
        "No other seller uses this business identifier.",
    )


async def duplicate_bank_account_check(session: AsyncSession, seller: Seller) -> SellerCheck:
    if seller.payout_iban_index is None:
        return _check(
            seller,
            CheckCode.DUPLICATE_BANK_ACCOUNT,
            CheckOutcome.SKIPPED,
            "No payout account yet: checked again when the seller adds one.",
        )
    others = await repository.others_with_iban_index(session, seller.id, seller.payout_iban_index)
    if others:
        return _check(
            seller,
            CheckCode.DUPLICATE_BANK_ACCOUNT,
            CheckOutcome.FAIL,
            f"Another seller is paid into the same IBAN: {_describe(others)}.",
        )
    return _check(
        seller,
        CheckCode.DUPLICATE_BANK_ACCOUNT,
        CheckOutcome.PASS,
        "No other seller is paid into this IBAN.",
    )
