"""Request and response models of the sellers domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class SellerStatus(StrEnum):
    APPLYING = "applying"
    SUBMITTED = "submitted"
    INFO_REQUESTED = "info_requested"
    ADMITTED = "admitted"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


STATUS_LABELS = {
    SellerStatus.APPLYING: "Application in progress",
    SellerStatus.SUBMITTED: "Waiting for review",
    SellerStatus.INFO_REQUESTED: "More information requested",
    SellerStatus.ADMITTED: "Admitted",
    SellerStatus.REJECTED: "Rejected",
    SellerStatus.SUSPENDED: "Suspended",
}


class Decision(StrEnum):
    """What a reviewer can do to an application or an admitted seller."""

    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_INFO = "request_info"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"


DECISION_LABELS = {
    Decision.APPROVE: "Approve",
    Decision.REJECT: "Reject",
    Decision.REQUEST_INFO: "Ask for more information",
    Decision.SUSPEND: "Suspend",
    Decision.REINSTATE: "Reinstate",
}


class LegalForm(StrEnum):
    SOLE_TRADER = "sole_trader"
    COMPANY = "company"
    PARTNERSHIP = "partnership"
    NONPROFIT = "nonprofit"
    OTHER = "other"


LEGAL_FORM_LABELS = {
    LegalForm.SOLE_TRADER: "Sole trader / self-employed",
    LegalForm.COMPANY: "Company (SAS, GmbH, Ltd, S.L., LLC…)",
    LegalForm.PARTNERSHIP: "Partnership",
    LegalForm.NONPROFIT: "Association or non-profit",
    LegalForm.OTHER: "Other",
}


class DocumentType(StrEnum):
    REGISTRATION = "registration"
    IDENTITY = "identity"
    PROOF_OF_ADDRESS = "proof_of_address"
    BANK_DETAILS = "bank_details"
    TAX_CERTIFICATE = "tax_certificate"
    OTHER = "other"


DOCUMENT_LABELS = {
    DocumentType.REGISTRATION: "Company registration extract (Kbis, Handelsregister…)",
    DocumentType.IDENTITY: "Identity document of the legal representative",
    DocumentType.PROOF_OF_ADDRESS: "Proof of business address",
    DocumentType.BANK_DETAILS: "Bank account details (RIB, bank letter)",
    DocumentType.TAX_CERTIFICATE: "VAT or tax registration certificate",
    DocumentType.OTHER: "Other supporting document",
}


class CheckOutcome(StrEnum):
    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    FAIL = "fail"
    WARN = "warn"
    SKIPPED = "skipped"


class CheckCode(StrEnum):
    TAX_ID_FORMAT = "tax_id_format"
    REQUIRED_DOCUMENTS = "required_documents"
    DUPLICATE_TAX_ID = "duplicate_tax_id"
    DUPLICATE_BANK_ACCOUNT = "duplicate_bank_account"


CHECK_LABELS = {
    CheckCode.TAX_ID_FORMAT: "Tax id format and check digits",
    CheckCode.REQUIRED_DOCUMENTS: "Required documents",
    CheckCode.DUPLICATE_TAX_ID: "No other seller with this tax id",
    CheckCode.DUPLICATE_BANK_ACCOUNT: "No other seller with this bank account",
}


class ChecklistStatus(StrEnum):
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    PENDING = "pending"


class StrictModel(BaseModel):
    """Requests reject unknown fields so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- the public face of a seller (other domains use these) ---------------------------------


class SellerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    business_name: str
    status: SellerStatus
    created_at: datetime


class SellerContact(BaseModel):
    owner_user_id: uuid.UUID
    email: str | None  # the application's contact address, when given
    name: str


class SellerStorefront(BaseModel):
    """What shoppers see of an admitted seller (storefront page, seller card, search)."""

    seller_id: uuid.UUID
    business_name: str
    display_name: str  # the storefront name, or the business name until one is chosen
    logo_key: str | None
    logo_url: str | None
    description: str | None
    return_policy: str | None
    country: str | None
    can_sell: bool


# --- application ---------------------------------------------------------------------------


class ApplicationIn(StrictModel):
    """The application form; every field but the business name may stay empty in a draft,
    and all are required to submit."""

    business_name: str = Field(min_length=2, max_length=120)
    legal_form: LegalForm | None = None
    country: str | None = Field(default=None, max_length=2)
    tax_id: str | None = Field(default=None, max_length=40)
    contact_name: str | None = Field(default=None, max_length=120)
    contact_email: EmailStr | None = None
    contact_phone: str | None = Field(default=None, max_length=32)
    sells_goods: bool = False
    sells_services: bool = False
    category_interests: str | None = Field(default=None, max_length=300)


class DocumentOut(BaseModel):
    id: uuid.UUID
    doc_type: DocumentType
    filename: str
    content_type: str
    size_bytes: int
    created_at: datetime
    download_url: str


class CheckOut(BaseModel):
    code: CheckCode
    label: str
    outcome: CheckOutcome
    detail: str
    submission: int
    created_at: datetime


class StatusChangeOut(BaseModel):
    from_status: SellerStatus | None
    to_status: SellerStatus
    reason: str | None
    actor_role: str | None
    actor_label: str | None
    created_at: datetime


class ApplicationOut(BaseModel):
    """The seller's own view of its application."""

    id: uuid.UUID
    status: SellerStatus
    status_label: str
    status_reason: str | None
    business_name: str
    legal_form: LegalForm | None
    country: str | None
    tax_id: str | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    sells_goods: bool
    sells_services: bool
    category_interests: str | None
    submitted_at: datetime | None
    decided_at: datetime | None
    created_at: datetime
    editable: bool
    documents: list[DocumentOut]
    required_documents: list[DocumentType]
    missing_documents: list[DocumentType]
    missing_fields: list[str]
    history: list[StatusChangeOut]


class ApplicationReview(ApplicationOut):
    """The reviewer's view: the application plus check results, payout and storefront."""

    owner_user_id: uuid.UUID
    submission_count: int
    checks: list[CheckOut]
    allowed_decisions: list[Decision]
    payout: PayoutAccountOut | None
    storefront: StorefrontOut


class ApplicationSummary(BaseModel):
    id: uuid.UUID
    business_name: str
    status: SellerStatus
    country: str | None
    submitted_at: datetime | None
    created_at: datetime
    documents: int
    failed_checks: int


class DecisionIn(StrictModel):
    decision: Decision
    reason: str | None = Field(default=None, max_length=2000)


# --- criteria and terms --------------------------------------------------------------------


class CriterionIn(StrictModel):
    country: str = Field(min_length=1, max_length=2, description='ISO code, or "*" for all')
    doc_type: DocumentType
    applies_to: Literal["any", "goods", "services"] = "any"


class CriterionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    country: str
    doc_type: DocumentType
    applies_to: Literal["any", "goods", "services"]
    created_at: datetime


class TermsIn(StrictModel):
    """A new version of the seller terms: why it is published, and when it applies (now when
    omitted, or a later time; never in the past)."""

    title: str = Field(min_length=3, max_length=120)
    body: str = Field(min_length=20, max_length=50_000)
    reason: str = Field(min_length=3, max_length=2000)
    effective_from: datetime | None = None


class TermsState(StrEnum):
    IN_FORCE = "in_force"
    SCHEDULED = "scheduled"  # published for a time still to come
    SUPERSEDED = "superseded"


class TermsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    version: int
    title: str
    body: str
    reason: str
    effective_from: datetime
    published_at: datetime
    published_by: uuid.UUID | None
    state: TermsState = TermsState.IN_FORCE


class TermsAcceptanceIn(StrictModel):
    version: int = Field(ge=1)


class TermsAcceptanceOut(BaseModel):
    version: int
    accepted_at: datetime
    ip_address: str


class TermsStatusOut(BaseModel):
    """The seller terms in force and where this seller stands: ``up_to_date`` is false while
    the shop has not accepted the version in force (true when no terms are in force)."""

    in_force: TermsOut | None
    accepted: TermsAcceptanceOut | None
    up_to_date: bool
    accept_url: str = "/seller/terms"


# --- onboarding ----------------------------------------------------------------------------


class PayoutAccountIn(StrictModel):
    account_holder: str = Field(min_length=2, max_length=120)
    iban: str = Field(min_length=1, max_length=50)


class ProviderAccountIn(StrictModel):
    """The seller's connected account at the payment provider (Stripe: ``acct_…``)."""

    account_id: str = Field(pattern=r"^acct_[A-Za-z0-9]{6,60}$")


class ProviderAccountOut(BaseModel):
    seller_id: uuid.UUID
    account_id: str | None


class PayoutAccountOut(BaseModel):
    """Only the last four characters of the IBAN ever leave the server."""

    account_holder: str
    iban_country: str
    iban_last4: str
    iban_masked: str
    updated_at: datetime


class StorefrontIn(StrictModel):
    display_name: str = Field(min_length=2, max_length=80)
    description: str | None = Field(default=None, max_length=4000)
    return_policy: str | None = Field(default=None, max_length=4000)


class StorefrontOut(BaseModel):
    display_name: str | None
    description: str | None
    return_policy: str | None
    logo_url: str | None
    updated_at: datetime | None


class ChecklistItem(BaseModel):
    code: str
    title: str
    status: ChecklistStatus
    detail: str
    action_url: str | None


class Checklist(BaseModel):
    seller_id: uuid.UUID
    status: SellerStatus
    status_label: str
    can_publish: bool
    items: list[ChecklistItem]
    done: int
    total: int
    percentage: int


ApplicationReview.model_rebuild()
