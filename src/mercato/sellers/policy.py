"""Pure admission rules: tax id formats with their check digits, IBAN checksums, the admission
state machine, the onboarding checklist, and what counts as acceptable text. No I/O here."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mercato.sellers.schemas import (
    ChecklistItem,
    ChecklistStatus,
    Decision,
    DocumentType,
    SellerStatus,
    TermsState,
)

# --- limits --------------------------------------------------------------------------------

# Uploads travel in one request body, which the platform caps at 1 MiB by default
# (MERCATO_MAX_BODY_BYTES); these limits leave room for the multipart envelope.
MAX_DOCUMENT_BYTES = 960 * 1024
MAX_LOGO_BYTES = 512 * 1024
MAX_DOCUMENTS = 12
DOCUMENT_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
LOGO_TYPES = frozenset({"image/jpeg", "image/png"})

# Every ISO 3166-1 alpha-2 code; "*" in admission criteria means "every country".
ISO_COUNTRIES = frozenset(
    " ".join(
        (
            "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM",
            "BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX",
            "CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG",
            "GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR",
            "IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV",
            "LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE",
            "NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO",
            "RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF",
            "TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF",
            "WS YE YT ZA ZM ZW",
        )
    ).split()
)
EVERY_COUNTRY = "*"


# --- text ----------------------------------------------------------------------------------


def single_line_problem(value: str) -> str | None:
    """Names and short labels are shown in many places: they hold no markup and no control
    characters. (Long free text may contain anything; it is escaped wherever it is shown.)"""
    if "<" in value or ">" in value:
        return "Remove the characters < and >: markup is not allowed here."
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in value):
        return "Remove the invisible control characters."
    return None


def multi_line_problem(value: str) -> str | None:
    if any(unicodedata.category(ch) == "Cc" and ch not in "\r\n\t" for ch in value):
        return "Remove the invisible control characters."
    return None


_PHONE = re.compile(r"^\+?[0-9 ().\-]{6,24}$")


def phone_problem(value: str) -> str | None:
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE.match(value) or not 6 <= digits <= 15:
        return "Enter a phone number with its country code, e.g. +33 1 23 45 67 89."
    return None


# --- tax identifiers -----------------------------------------------------------------------


@dataclass(frozen=True)
class TaxId:
    """A recognised tax identifier: how it was read, and the key that identifies the business
    (a French SIRET, SIREN and VAT number of the same company share one key)."""

    normalized: str
    kind: str
    business_key: str
    verified: bool  # True when a country rule (with check digits where they exist) applied


class TaxIdError(ValueError):
    pass


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _clean(raw: str) -> str:
    return re.sub(r"[\s.\-/]", "", raw).upper()


def _french(value: str) -> TaxId:
    if re.fullmatch(r"\d{9}", value):
        if not luhn_valid(value):
            raise TaxIdError("This SIREN number is not valid: its check digit does not match.")
        return TaxId(value, "SIREN", f"FR:{value}", True)
    if re.fullmatch(r"\d{14}", value):
        # La Poste's establishments share one SIREN and use a digit-sum rule instead of Luhn.
        la_poste = value.startswith("356000000") and sum(map(int, value)) % 5 == 0
        if not (luhn_valid(value) or la_poste):
            raise TaxIdError("This SIRET number is not valid: its check digit does not match.")
        return TaxId(value, "SIRET", f"FR:{value[:9]}", True)
    match = re.fullmatch(r"FR([0-9A-HJ-NP-Z]{2})(\d{9})", value)
    if match:
        key, siren = match.groups()
        if not luhn_valid(siren):
            raise TaxIdError("This VAT number is not valid: its SIREN part does not match.")
        if key.isdigit() and int(key) != (12 + 3 * (int(siren) % 97)) % 97:
            raise TaxIdError("This VAT number is not valid: its key does not match the SIREN.")
        return TaxId(value, "VAT", f"FR:{siren}", True)
    raise TaxIdError("Enter a SIREN (9 digits), a SIRET (14 digits) or a VAT number (FR + 11).")


def _german(value: str) -> TaxId:
    match = re.fullmatch(r"(?:DE)?([1-9]\d{8})", value)
    if not match:
        raise TaxIdError("Enter a USt-IdNr: DE followed by 9 digits.")
    digits = match.group(1)
    # ISO 7064 MOD 11,10, the method of the Bundeszentralamt für Steuern.
    product = 10
    for char in digits[:8]:
        total = (int(char) + product) % 10 or 10
        product = (2 * total) % 11
    check = (11 - product) % 10
    if check != int(digits[8]):
        raise TaxIdError("This USt-IdNr is not valid: its check digit does not match.")
    return TaxId(f"DE{digits}", "USt-IdNr", f"DE:{digits}", True)


def _british(value: str) -> TaxId:
    match = re.fullmatch(r"(?:GB)?(\d{9})(\d{3})?", value)
    if match:
        digits = match.group(1)
        weighted = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1), strict=True))
        total = weighted + int(digits[7:])
        # Numbers issued since 2010 use the "9755" variant (+55).
        if total % 97 != 0 and (total + 55) % 97 != 0:
            raise TaxIdError("This VAT number is not valid: its check digits do not match.")
        return TaxId(f"GB{value.removeprefix('GB')}", "VAT", f"GB:{digits}", True)
    match = re.fullmatch(r"(?:GB)?((?:GD[0-4]|HA[5-9])\d{2})", value)
    if match:  # government departments and health authorities
        return TaxId(f"GB{match.group(1)}", "VAT", f"GB:{match.group(1)}", True)
    raise TaxIdError("Enter a VAT number: GB followed by 9 digits.")


_NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_CIF_LETTERS = "JABCDEFGHI"


def _cif_control(body: str) -> int:
    total = sum(int(d) for d in body[1::2])
    for char in body[0::2]:
        doubled = int(char) * 2
        total += doubled // 10 + doubled % 10
    return (10 - total % 10) % 10


def _spanish(value: str) -> TaxId:
    value = value.removeprefix("ES")
    if re.fullmatch(r"\d{8}[A-Z]", value):
        if _NIF_LETTERS[int(value[:8]) % 23] != value[8]:
            raise TaxIdError("This NIF is not valid: its letter does not match the number.")
        return TaxId(value, "NIF", f"ES:{value}", True)
    if re.fullmatch(r"[XYZ]\d{7}[A-Z]", value):
        number = int(str("XYZ".index(value[0])) + value[1:8])
        if _NIF_LETTERS[number % 23] != value[8]:
            raise TaxIdError("This NIE is not valid: its letter does not match the number.")
        return TaxId(value, "NIE", f"ES:{value}", True)
    if re.fullmatch(r"[ABCDEFGHJNPQRSUVW]\d{7}[0-9A-J]", value):
        control = _cif_control(value[1:8])
        letter_only, digit_only = "KPQSNW", "ABEH"
        expected = {str(control), _CIF_LETTERS[control]}
        if value[0] in letter_only:
            expected = {_CIF_LETTERS[control]}
        elif value[0] in digit_only:
            expected = {str(control)}
        if value[8] not in expected:
            raise TaxIdError("This CIF is not valid: its control character does not match.")
        return TaxId(value, "CIF", f"ES:{value}", True)
    raise TaxIdError("Enter a NIF (8 digits and a letter) or a CIF (a letter, 7 digits, control).")


def _italian(value: str) -> TaxId:
    value = value.removeprefix("IT")
    if not re.fullmatch(r"\d{11}", value):
        raise TaxIdError("Enter a Partita IVA: 11 digits.")
    if not luhn_valid(value):
        raise TaxIdError("This Partita IVA is not valid: its check digit does not match.")
    return TaxId(value, "P.IVA", f"IT:{value}", True)


# Prefixes the IRS assigns to its campuses; EINs have no check digit.
_EIN_PREFIXES = frozenset(
    [f"{n:02d}" for n in (*range(1, 7), *range(10, 17), *range(20, 28), *range(30, 49))]
    + [f"{n:02d}" for n in (*range(50, 69), *range(71, 78), *range(80, 89), *range(90, 96))]
    + ["98", "99"]
)


def _american(value: str) -> TaxId:
    if not re.fullmatch(r"\d{9}", value):
        raise TaxIdError("Enter an EIN: 9 digits, e.g. 12-3456789.")
    if value[:2] not in _EIN_PREFIXES:
        raise TaxIdError(f"No EIN starts with {value[:2]}: check the first two digits.")
    return TaxId(f"{value[:2]}-{value[2:]}", "EIN", f"US:{value}", True)


_COUNTRY_RULES = {
    "FR": _french,
    "DE": _german,
    "GB": _british,
    "ES": _spanish,
    "IT": _italian,
    "US": _american,
}
TAX_ID_COUNTRIES = frozenset(_COUNTRY_RULES)


def parse_tax_id(country: str, raw: str) -> TaxId:
    """Read ``raw`` as a tax identifier of ``country``; raises :class:`TaxIdError` with a
    message for the seller. Countries without a rule get a format check only."""
    value = _clean(raw)
    rule = _COUNTRY_RULES.get(country)
    if rule is not None:
        return rule(value)
    if not re.fullmatch(r"[A-Z0-9]{4,20}", value):
        raise TaxIdError("Enter 4 to 20 letters and digits.")
    return TaxId(value, "tax id", f"{country}:{value}", False)


# --- IBAN (ISO 13616) ----------------------------------------------------------------------

IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


class IbanError(ValueError):
    pass


def iban_mod97(iban: str) -> int:
    """The ISO 7064 MOD 97-10 remainder of an IBAN (1 for a valid one)."""
    rearranged = iban[4:] + iban[:4]
    remainder = 0
    for char in rearranged:
        value = int(char, 36)  # 0-9 stay, A=10 … Z=35
        remainder = (remainder * (100 if value > 9 else 10) + value) % 97
    return remainder


def normalize_iban(raw: str) -> str:
    """The IBAN in electronic form (no spaces, upper case) once every rule passes."""
    iban = re.sub(r"[\s\-]", "", raw).upper().removeprefix("IBAN")
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", iban):
        raise IbanError("An IBAN starts with a country code and 2 check digits, e.g. FR76 3000…")
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is None:
        raise IbanError(f"{iban[:2]} does not use IBANs; check the country code.")
    if len(iban) != expected:
        raise IbanError(f"An IBAN from {iban[:2]} has {expected} characters; this one has "
                        f"{len(iban)}.")  # fmt: skip
    if iban_mod97(iban) != 1:
        raise IbanError("This IBAN is not valid: its check digits do not match. Check for typos.")
    return iban


def format_iban(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


# --- admission state machine ---------------------------------------------------------------

S = SellerStatus
TRANSITIONS: dict[tuple[SellerStatus, str], SellerStatus] = {
    (S.APPLYING, "submit"): S.SUBMITTED,
    (S.INFO_REQUESTED, "submit"): S.SUBMITTED,
    (S.SUBMITTED, Decision.APPROVE): S.ADMITTED,
    (S.SUBMITTED, Decision.REJECT): S.REJECTED,
    (S.INFO_REQUESTED, Decision.REJECT): S.REJECTED,
    (S.SUBMITTED, Decision.REQUEST_INFO): S.INFO_REQUESTED,
    (S.ADMITTED, Decision.SUSPEND): S.SUSPENDED,
    (S.SUSPENDED, Decision.REINSTATE): S.ADMITTED,
}
REASON_REQUIRED = frozenset({Decision.REJECT, Decision.REQUEST_INFO, Decision.SUSPEND})
EDITABLE = frozenset({S.APPLYING, S.INFO_REQUESTED})
IN_REVIEW = frozenset({S.SUBMITTED})
# Onboarding (terms, payout account, storefront) may start while the application is pending.
ONBOARDING_OPEN = frozenset({S.APPLYING, S.SUBMITTED, S.INFO_REQUESTED, S.ADMITTED, S.SUSPENDED})


def next_status(current: SellerStatus, action: str) -> SellerStatus | None:
    """Where ``action`` leads from ``current``; None when the machine does not allow it."""
    return TRANSITIONS.get((current, action))


def allowed_decisions(current: SellerStatus) -> list[Decision]:
    return [d for d in Decision if (current, d) in TRANSITIONS]


# --- admission criteria and completeness ---------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    country: str  # ISO code or EVERY_COUNTRY
    doc_type: DocumentType
    applies_to: str  # "any" | "goods" | "services"


def required_documents(
    criteria: Iterable[Criterion], country: str | None, sells_goods: bool, sells_services: bool
) -> list[DocumentType]:
    """The document types the operator requires of an applicant, in a stable order."""
    needed: set[DocumentType] = set()
    for criterion in criteria:
        if criterion.country not in (EVERY_COUNTRY, country):
            continue
        if criterion.applies_to == "goods" and not sells_goods:
            continue
        if criterion.applies_to == "services" and not sells_services:
            continue
        needed.add(criterion.doc_type)
    return [t for t in DocumentType if t in needed]


REQUIRED_FIELDS = {
    "business_name": "Business name",
    "legal_form": "Legal form",
    "country": "Country",
    "tax_id": "Tax id",
    "contact_name": "Contact name",
    "contact_email": "Contact email",
    "contact_phone": "Contact phone",
}


# --- onboarding checklist ------------------------------------------------------------------


@dataclass(frozen=True)
class OnboardingFacts:
    status: SellerStatus
    current_terms_version: int | None
    accepted_terms_version: int | None
    has_payout_account: bool
    storefront_missing: list[str]
    first_listing_at: datetime | None


def checklist(facts: OnboardingFacts) -> list[ChecklistItem]:
    """The onboarding checklist, computed from the seller's data on every read."""
    return [_terms_item(facts), _payout_item(facts), _storefront_item(facts), _listing_item(facts)]


def _terms_item(facts: OnboardingFacts) -> ChecklistItem:
    current, accepted = facts.current_terms_version, facts.accepted_terms_version
    if current is None:
        status, detail = ChecklistStatus.COMPLETE, "No seller terms are published yet."
    elif accepted == current:
        status, detail = ChecklistStatus.COMPLETE, f"You accepted version {current}."
    elif accepted is not None:
        status = ChecklistStatus.INCOMPLETE
        detail = (
            f"Version {current} replaces the version {accepted} you accepted: read and accept it."
        )
    else:
        status, detail = ChecklistStatus.INCOMPLETE, f"Read and accept version {current}."
    return ChecklistItem(
        code="terms",
        title="Accept the seller terms",
        status=status,
        detail=detail,
        action_url="/seller/terms",
    )


def _payout_item(facts: OnboardingFacts) -> ChecklistItem:
    done = facts.has_payout_account
    return ChecklistItem(
        code="payout",
        title="Add your payout account",
        status=ChecklistStatus.COMPLETE if done else ChecklistStatus.INCOMPLETE,
        detail="Your IBAN is on file." if done else "Where we send your earnings (IBAN).",
        action_url="/seller/payout",
    )


def _storefront_item(facts: OnboardingFacts) -> ChecklistItem:
    missing = facts.storefront_missing
    return ChecklistItem(
        code="storefront",
        title="Set up your storefront",
        status=ChecklistStatus.INCOMPLETE if missing else ChecklistStatus.COMPLETE,
        detail=("Still missing: " + ", ".join(missing) + ".")
        if missing
        else "Shoppers see your name, logo, description and return policy.",
        action_url="/seller/storefront",
    )


def _listing_item(facts: OnboardingFacts) -> ChecklistItem:
    if facts.first_listing_at is not None:
        status, detail = ChecklistStatus.COMPLETE, "Your first listing is published."
    elif facts.status is S.ADMITTED:
        status = ChecklistStatus.PENDING
        detail = "Completes by itself when you publish your first listing."
    else:
        status = ChecklistStatus.PENDING
        detail = "Opens once your application is approved; completes on your first publication."
    return ChecklistItem(
        code="first_listing",
        title="Publish your first listing",
        status=status,
        detail=detail,
        action_url=None,
    )


STOREFRONT_PARTS = {
    "display_name": "shop name",
    "logo_key": "logo",
    "description": "description",
    "return_policy": "return policy",
}


# --- seller terms --------------------------------------------------------------------------

# A version published "now" from a form filled in a moment ago must not be refused as past.
TERMS_PAST_TOLERANCE = timedelta(minutes=5)


def effective_from_problem(effective_from: datetime, now: datetime) -> str | None:
    """Why a requested start of a terms version is refused: it must carry a time zone and
    must not lie in the past (beyond a small tolerance)."""
    if effective_from.tzinfo is None:
        return "Give a time zone (for example Z for UTC)."
    if effective_from < now - TERMS_PAST_TOLERANCE:
        return "Terms cannot start in the past: choose now or a later time."
    return None


def terms_state(
    version: int, effective_from: datetime, in_force: int | None, now: datetime
) -> TermsState:
    """Where a published version stands: in force, waiting for its time, or replaced."""
    if effective_from > now:
        return TermsState.SCHEDULED
    return TermsState.IN_FORCE if version == in_force else TermsState.SUPERSEDED
