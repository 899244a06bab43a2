"""Pure admission rules: tax ids with their check digits, IBAN checksums, the state machine,
the checklist and the text rules."""

from __future__ import annotations

import string
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mercato.sellers import policy
from mercato.sellers.policy import IbanError, OnboardingFacts, TaxIdError, parse_tax_id
from mercato.sellers.schemas import ChecklistStatus, Decision, DocumentType, SellerStatus


@pytest.mark.parametrize(
    ("country", "raw", "kind", "key"),
    [
        ("FR", "732 829 320", "SIREN", "FR:732829320"),
        ("FR", "732 829 320 00074", "SIRET", "FR:732829320"),
        ("FR", "FR44 732829320", "VAT", "FR:732829320"),
        ("FR", "FR40303265045", "VAT", "FR:303265045"),
        ("FR", "35600000000048", "SIRET", "FR:356000000"),  # La Poste: digit-sum rule
        ("DE", "DE136695976", "USt-IdNr", "DE:136695976"),
        ("DE", "136 695 976", "USt-IdNr", "DE:136695976"),
        ("GB", "GB980780684", "VAT", "GB:980780684"),
        ("GB", "GB 980 7806 84 001", "VAT", "GB:980780684"),
        ("GB", "GBGD001", "VAT", "GB:GD001"),
        ("ES", "A58818501", "CIF", "ES:A58818501"),
        ("ES", "ES12345678Z", "NIF", "ES:12345678Z"),
        ("ES", "X1234567L", "NIE", "ES:X1234567L"),
        ("IT", "IT00743110157", "P.IVA", "IT:00743110157"),
        ("US", "12-3456789", "EIN", "US:123456789"),
    ],
)
def test_valid_tax_ids_are_read_with_their_business_key(country, raw, kind, key):
    tax = parse_tax_id(country, raw)
    assert (tax.kind, tax.business_key, tax.verified) == (kind, key, True)


@pytest.mark.parametrize(
    ("country", "raw", "message"),
    [
        ("FR", "732829321", "SIREN number is not valid"),
        ("FR", "73282932000075", "SIRET number is not valid"),
        ("FR", "FR45732829320", "key does not match"),
        ("FR", "12345", "Enter a SIREN"),
        ("DE", "DE136695977", "USt-IdNr is not valid"),
        ("DE", "DE036695976", "Enter a USt-IdNr"),
        ("GB", "GB980780685", "check digits do not match"),
        ("ES", "12345678A", "NIF is not valid"),
        ("ES", "A58818502", "CIF is not valid"),
        ("ES", "P58818501", "CIF is not valid"),  # P takes a letter (here A), never a digit
        ("IT", "00743110158", "Partita IVA is not valid"),
        ("US", "07-3456789", "No EIN starts with 07"),
        ("US", "1234", "Enter an EIN"),
        ("SE", "<script>", "4 to 20 letters and digits"),
    ],
)
def test_invalid_tax_ids_are_refused_with_a_reason(country, raw, message):
    with pytest.raises(TaxIdError, match=message):
        parse_tax_id(country, raw)


def test_countries_without_a_rule_get_a_format_check_only():
    tax = parse_tax_id("SE", "556012-5790")
    assert (tax.normalized, tax.verified) == ("5560125790", False)


@given(st.integers(min_value=0, max_value=10**8 - 1))
def test_a_siren_with_its_luhn_digit_is_valid_and_any_other_digit_is_not(body):
    digits = f"{body:08d}"
    valid = [d for d in string.digits if policy.luhn_valid(digits + d)]
    assert len(valid) == 1
    assert parse_tax_id("FR", digits + valid[0]).kind == "SIREN"
    wrong = str((int(valid[0]) + 1) % 10)
    with pytest.raises(TaxIdError):
        parse_tax_id("FR", digits + wrong)


def _with_check_digits(country: str, bban: str) -> str:
    remainder = policy.iban_mod97(f"{country}00{bban}")
    return f"{country}{98 - remainder:02d}{bban}"


@given(st.text(alphabet=string.digits, min_size=23, max_size=23))
def test_iban_checksum_accepts_the_computed_check_digits_and_catches_a_typo(bban):
    iban = _with_check_digits("FR", bban)
    assert policy.normalize_iban(" ".join(iban[i : i + 4] for i in range(0, 27, 4))) == iban
    typo = iban[:10] + str((int(iban[10]) + 1) % 10) + iban[11:]
    with pytest.raises(IbanError, match="check digits do not match"):
        policy.normalize_iban(typo)


@pytest.mark.parametrize(
    "iban",
    [
        "DE89 3704 0044 0532 0130 00",
        "GB82 WEST 1234 5698 7654 32",
        "FR14 2004 1010 0505 0001 3M02 606",
        "NL91ABNA0417164300",
        "IT60X0542811101000000123456",
        "BE68 5390 0754 7034",
        "iban es91 2100 0418 4502 0005 1332",
    ],
)
def test_real_world_ibans_are_valid(iban):
    assert policy.normalize_iban(iban).isalnum()


@pytest.mark.parametrize(
    ("iban", "message"),
    [
        ("DE89 3704 0044 0532 0130 01", "check digits do not match"),
        ("DE89 3704 0044 0532 0130", "has 22 characters; this one has 20"),
        ("US12 3456 7890 1234", "US does not use IBANs"),
        ("not an iban", "starts with a country code"),
    ],
)
def test_bad_ibans_are_refused_with_a_reason(iban, message):
    with pytest.raises(IbanError, match=message):
        policy.normalize_iban(iban)


def test_the_admission_state_machine():
    s = SellerStatus
    assert policy.next_status(s.APPLYING, "submit") is s.SUBMITTED
    assert policy.next_status(s.INFO_REQUESTED, "submit") is s.SUBMITTED
    assert policy.next_status(s.SUBMITTED, Decision.REQUEST_INFO) is s.INFO_REQUESTED
    assert policy.next_status(s.SUBMITTED, Decision.APPROVE) is s.ADMITTED
    assert policy.next_status(s.ADMITTED, Decision.SUSPEND) is s.SUSPENDED
    assert policy.next_status(s.SUSPENDED, Decision.REINSTATE) is s.ADMITTED
    assert policy.next_status(s.APPLYING, Decision.APPROVE) is None
    assert policy.next_status(s.ADMITTED, Decision.REJECT) is None
    assert policy.next_status(s.REJECTED, Decision.APPROVE) is None
    assert policy.allowed_decisions(s.SUBMITTED) == [
        Decision.APPROVE,
        Decision.REJECT,
        Decision.REQUEST_INFO,
    ]
    assert policy.allowed_decisions(s.REJECTED) == []


def test_required_documents_follow_country_and_offering():
    criteria = [
        policy.Criterion("FR", DocumentType.IDENTITY, "any"),
        policy.Criterion("FR", DocumentType.REGISTRATION, "goods"),
        policy.Criterion("*", DocumentType.TAX_CERTIFICATE, "services"),
    ]
    assert policy.required_documents(criteria, "FR", True, False) == [
        DocumentType.REGISTRATION,
        DocumentType.IDENTITY,
    ]
    assert policy.required_documents(criteria, "DE", False, True) == [DocumentType.TAX_CERTIFICATE]
    assert policy.required_documents(criteria, None, True, False) == []


def _facts(**changes) -> OnboardingFacts:
    base = {
        "status": SellerStatus.ADMITTED,
        "current_terms_version": 2,
        "accepted_terms_version": 2,
        "has_payout_account": True,
        "storefront_missing": [],
        "first_listing_at": None,
    }
    return OnboardingFacts(**(base | changes))


def test_checklist_is_computed_from_the_facts():
    items = {i.code: i for i in policy.checklist(_facts())}
    assert [i.status for i in items.values()] == [
        ChecklistStatus.COMPLETE,
        ChecklistStatus.COMPLETE,
        ChecklistStatus.COMPLETE,
        ChecklistStatus.PENDING,
    ]
    assert "first listing" in items["first_listing"].detail
    listed = policy.checklist(_facts(first_listing_at=datetime(2026, 1, 1, tzinfo=UTC)))
    assert listed[3].status is ChecklistStatus.COMPLETE


def test_a_new_terms_version_makes_acceptance_outstanding_again():
    terms = policy.checklist(_facts(current_terms_version=3))[0]
    assert terms.status is ChecklistStatus.INCOMPLETE
    assert terms.detail.startswith("Version 3 replaces the version 2 you accepted")
    nothing_published = policy.checklist(_facts(current_terms_version=None))[0]
    assert nothing_published.status is ChecklistStatus.COMPLETE


def test_storefront_item_names_what_is_missing():
    item = policy.checklist(_facts(storefront_missing=["logo", "return policy"]))[2]
    assert (item.status, item.detail) == (
        ChecklistStatus.INCOMPLETE,
        "Still missing: logo, return policy.",
    )


@pytest.mark.parametrize(
    "value", ["<script>alert(1)</script>", "Shop <b>", "a\x00b", "zero\u200bwidth"]
)
def test_single_line_text_refuses_markup_and_control_characters(value):
    assert policy.single_line_problem(value) is not None


@pytest.mark.parametrize("value", ["Tom & Jerry's", "Atelier Lumière", "Nordic Outdoor Co."])
def test_ordinary_names_are_fine(value):
    assert policy.single_line_problem(value) is None
