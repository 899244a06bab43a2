"""Pure catalog rules: attribute values, prices, SKUs, options, CSV rows and images."""

# ruff: noqa: E501  (tables of cases read best one per line)

from __future__ import annotations

import csv
import io
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from mercato.catalog.policy.attributes import AttributeSpec, check_attributes, display_value
from mercato.catalog.policy.images import BadImage, inspect_image, render_thumbnail
from mercato.catalog.policy.importing import (
    CategoryInfo,
    ExistingListing,
    ImportContext,
    Problem,
    parse_import,
    problems_csv,
    template_csv,
)
from mercato.catalog.policy.listings import (
    RuleBroken,
    check_options,
    check_sku,
    check_transition,
    clean_title,
    duplicate_combinations,
    format_price,
    parse_price,
    slugify,
)
from mercato.kit.money import CURRENCY_EXPONENTS

MATERIAL = AttributeSpec("material", "Material", "enum", None, ("Stoneware", "Glass"), True)
DIAMETER = AttributeSpec("diameter", "Diameter", "number", "cm")
SAFE = AttributeSpec("dishwasher_safe", "Dishwasher safe", "boolean")
NOTES = AttributeSpec("notes", "Notes", "text")
SPECS = [MATERIAL, DIAMETER, SAFE, NOTES]


# --- attributes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"material": " glass ", "diameter": "08.50", "dishwasher_safe": "Yes"}, {"material": "Glass", "diameter": "8.5", "dishwasher_safe": True}),
        ({"material": "Stoneware", "diameter": 12, "dishwasher_safe": False}, {"material": "Stoneware", "diameter": "12", "dishwasher_safe": False}),
        ({"material": "Glass", "diameter": "1E+2", "notes": "  two   words "}, {"material": "Glass", "diameter": "100", "notes": "two words"}),
        ({"material": "Glass", "diameter": "", "notes": None}, {"material": "Glass"}),
    ],
)  # fmt: skip
def test_attribute_values_are_normalised(raw, expected):
    assert check_attributes(SPECS, raw) == (expected, [])


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({}, "attributes.material", "Material is required."),
        ({"material": "Wood"}, "attributes.material", "“Wood” is not allowed for Material; choose one of: Stoneware, Glass."),
        ({"material": "Glass", "diameter": "wide"}, "attributes.diameter", "Diameter must be a number, like 12 or 12.5."),
        ({"material": "Glass", "diameter": "NaN"}, "attributes.diameter", "Diameter must be a number, like 12 or 12.5."),
        ({"material": "Glass", "diameter": "1.1234567"}, "attributes.diameter", "Diameter has more than 6 decimal places."),
        ({"material": "Glass", "diameter": "1e13"}, "attributes.diameter", "Diameter is too large."),
        ({"material": "Glass", "dishwasher_safe": "maybe"}, "attributes.dishwasher_safe", "Dishwasher safe must be yes or no."),
        ({"material": "Glass", "notes": "a\x00b"}, "attributes.notes", "Notes contains control characters."),
        ({"material": "Glass", "colour": "red"}, "attributes.colour", "This category has no such attribute."),
    ],
)  # fmt: skip
def test_attribute_problems_name_the_field(raw, field, message):
    _, errors = check_attributes(SPECS, raw)
    assert [(e.field, e.message) for e in errors] == [(field, message)]


def test_display_values_read_naturally():
    assert display_value(DIAMETER, "8.5") == "8.5 cm"
    assert display_value(SAFE, True) == "Yes"
    assert display_value(SAFE, False) == "No"
    assert display_value(MATERIAL, "Glass") == "Glass"


@given(st.decimals(min_value=-(10**11), max_value=10**11, places=3, allow_nan=False))
def test_any_reasonable_number_round_trips(value):
    values, errors = check_attributes([DIAMETER], {"diameter": str(value)})
    assert errors == []
    assert float(values.get("diameter", "0")) == pytest.approx(float(value))


# --- prices, SKUs, options -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("12.50", "EUR", 1250), ("12.5", "EUR", 1250), ("12", "EUR", 1200), ("1200", "JPY", 1200), ("1.234", "KWD", 1234), (" 0.01 ", "EUR", 1)],
)  # fmt: skip
def test_prices_parse_to_minor_units(text, currency, minor):
    assert parse_price(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("12.345", "EUR", "EUR prices have at most 2 decimal places; “12.345” has more."),
        ("5.5", "JPY", "JPY prices have no decimal places; “5.5” has more."),
        ("0", "EUR", "The price must be more than zero."),
        ("-3", "EUR", "The price must be more than zero."),
        ("12,50", "EUR", "“12,50” is not a price; write it like 12.50."),
        ("1e3", "EUR", "“1e3” is not a price; write it like 12.50."),
        ("€12", "EUR", "“€12” is not a price; write it like 12.50."),
        ("1" * 20, "EUR", "The price is too high."),
    ],
)
def test_bad_prices_are_refused_with_a_reason(text, currency, message):
    with pytest.raises(RuleBroken) as refused:
        parse_price(text, currency)
    assert str(refused.value) == message


@given(
    currency=st.sampled_from(sorted(CURRENCY_EXPONENTS)),
    minor=st.integers(min_value=1, max_value=10**12),
)
def test_a_formatted_price_parses_back_and_one_more_digit_is_refused(currency, minor):
    text = format_price(minor, currency)
    assert parse_price(text, currency) == minor
    if minor % 10:  # a non-zero last digit cannot be dropped to fit the currency
        too_precise = text + "1" if "." in text else text + ".1"
        with pytest.raises(RuleBroken):
            parse_price(too_precise, currency)


@pytest.mark.parametrize("sku", ["MUG-S", "a", "A1/B2#3+4_5.6", "X" * 64])
def test_good_skus(sku):
    assert check_sku(sku) == sku


@pytest.mark.parametrize("sku", ["", "-MUG", "MUG S", "MUG\n", "X" * 65, "<b>"])
def test_bad_skus(sku):
    with pytest.raises(RuleBroken):
        check_sku(sku)


def test_options_match_the_listing_and_combinations_are_unique():
    assert check_options(["Size"], {"Size": "  Large "}) == {"Size": "Large"}
    with pytest.raises(RuleBroken, match="Give a value for each option"):
        check_options(["Size"], {"Colour": "Red"})
    with pytest.raises(RuleBroken, match="Give Size a value"):
        check_options(["Size"], {"Size": " "})
    assert duplicate_combinations([{"Size": "S"}, {"Size": "M"}, {"Size": "s"}]) == [2]


def test_titles_slugs_and_transitions():
    assert clean_title("  A   <b>mug</b> ") == "A <b>mug</b>"
    assert slugify("Home & Living") == "home-living"
    assert slugify("Céramique d'art") == "ceramique-d-art"
    check_transition("draft", "publish")
    with pytest.raises(RuleBroken, match="A published listing cannot be published"):
        check_transition("published", "publish")


# --- CSV ------------------------------------------------------------------------------------

CERAMICS = CategoryInfo(uuid.UUID(int=1), "ceramics", "Ceramics", (MATERIAL, DIAMETER))
CONTEXT = ImportContext(
    categories={"ceramics": CERAMICS},
    shipping_profiles={"standard": uuid.UUID(int=9)},
    existing_skus={},
    existing_listings={},
    can_publish=False,
)
HEADER = (
    "listing_ref,sku,title,category,price,currency,stock,option1_name,option1_value,attr:material"
)


def parse(text: str, context: ImportContext = CONTEXT):
    return parse_import(text.encode(), context)


def test_rows_group_by_reference_and_inherit_the_first_rows_fields():
    plan = parse(
        HEADER + "\n"
        "m,MUG-S,Mug,ceramics,18,EUR,5,Size,S,Glass\n"
        "\n"
        "m,MUG-L,,,20,eur,0,,L,\n"
        ",BOWL,Bowl,ceramics,30,EUR,1,,,Stoneware\n"
    )
    assert plan.problems == []
    assert (plan.total_rows, plan.valid_rows) == (3, 3)
    mug, bowl = plan.listings
    assert (mug.title, mug.option_names, mug.currency, mug.attributes) == (
        "Mug",
        ["Size"],
        "EUR",
        {"material": "Glass"},
    )
    assert [(v.row, v.sku, v.options, v.price_minor) for v in mug.variants] == [
        (2, "MUG-S", {"Size": "S"}, 1800),
        (4, "MUG-L", {"Size": "L"}, 2000),
    ]
    assert bowl.variants[0].row == 5


def test_a_semicolon_separated_file_with_a_bom_is_read():
    text = "\ufeff" + HEADER.replace(",", ";") + "\nm;MUG;Mug;ceramics;18;EUR;5;;;Glass\n"
    assert parse(text).problems == []


def test_rows_that_contradict_their_first_row_are_named():
    plan = parse(
        HEADER + "\nm,A,Mug,ceramics,18,EUR,5,,,Glass\nm,B,Cup,ceramics,18,USD,5,,,Glass\n"
    )
    assert [(p.row, p.column) for p in plan.problems] == [(3, "currency"), (3, "title")]


def test_a_bad_first_row_skips_its_whole_listing():
    plan = parse(HEADER + "\nm,A,Mug,plates,18,EUR,5,,,Glass\nm,B,,,18,EUR,5,,,\n")
    assert [(p.row, p.column, p.reason) for p in plan.problems] == [
        (2, "category", "Unknown category “plates”."),
        (3, "", "Skipped: the listing's first row (row 2) has errors."),
    ]
    assert plan.listings == []


def test_existing_skus_upsert_into_their_listing_and_keep_its_shape():
    listing = uuid.UUID(int=5)
    context = ImportContext(
        categories={"ceramics": CERAMICS},
        shipping_profiles={},
        existing_skus={"mug-s": listing, "mug-l": listing},
        existing_listings={
            listing: ExistingListing(
                listing, "goods", "EUR", ("Size",), frozenset({"mug-s", "mug-l"})
            )
        },
        can_publish=True,
    )
    plan = parse(HEADER + "\nx,mug-s,Mug,ceramics,18,EUR,5,Size,S,Glass\n", context)
    assert plan.problems == []
    assert plan.listings[0].existing_listing_id == listing
    wrong = parse(HEADER + "\nx,MUG-S,Mug,ceramics,18,GBP,5,Colour,Red,Glass\n", context)
    assert {(p.column, p.reason) for p in wrong.problems} == {
        ("currency", "The SKU's listing is priced in EUR."),
        ("option1_name", "The listing's other variants use the options Size: use the same ones."),
    }


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_any_bytes_give_a_plan_or_problems_never_an_exception(data):
    plan = parse_import(data, CONTEXT)
    assert plan.valid_rows <= plan.total_rows
    for problem in plan.problems:
        assert problem.row >= 1
        assert problem.reason


cells = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


@settings(max_examples=100)
@given(
    st.lists(
        st.tuples(cells, st.integers(0, 999), st.integers(1, 99_999)),
        min_size=1,
        max_size=20,
        unique_by=lambda r: r[0],
    )
)
def test_generated_valid_rows_import_exactly(rows):
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(["sku", "title", "category", "price", "currency", "stock", "attr:material"])
    for index, (title, stock, cents) in enumerate(rows):
        writer.writerow(
            [
                f"SKU-{index}",
                f"Item {index} {title}",
                "ceramics",
                format_price(cents, "EUR"),
                "EUR",
                stock,
                "glass",
            ]
        )
    plan = parse_import(output.getvalue().encode(), CONTEXT)
    assert plan.problems == []
    variants = [v for listing in plan.listings for v in listing.variants]
    assert [(v.sku, v.stock, v.price_minor) for v in variants] == [
        (f"SKU-{i}", stock, cents) for i, (_, stock, cents) in enumerate(rows)
    ]


def test_the_report_defuses_spreadsheet_formulas():
    report = problems_csv([Problem(2, "title", '=HYPERLINK("x")'), Problem(3, "-x", "@ok")])
    assert report.splitlines() == [
        "row,column,reason",
        '2,title,"\'=HYPERLINK(""x"")"',
        "3,'-x,'@ok",
    ]


def test_the_template_is_a_valid_file():
    context = ImportContext(
        categories={"ceramics": CategoryInfo(uuid.UUID(int=1), "ceramics", "Ceramics", ())},
        shipping_profiles={}, existing_skus={}, existing_listings={}, can_publish=False,
    )  # fmt: skip
    plan = parse_import(template_csv().encode(), context)
    assert plan.problems == []
    assert [len(listing.variants) for listing in plan.listings] == [2]


# --- images ---------------------------------------------------------------------------------


def encoded(fmt: str, size=(120, 80), mode="RGB") -> bytes:
    output = io.BytesIO()
    Image.new(mode, size, "teal" if mode == "RGB" else 0).save(output, fmt)
    return output.getvalue()


@pytest.mark.parametrize(
    ("fmt", "media"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_accepted_images_are_decoded(fmt, media):
    info = inspect_image(encoded(fmt))
    assert (info.content_type, info.width, info.height) == (media, 120, 80)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (encoded("GIF"), "Upload a JPEG, PNG or WebP image."),
        (encoded("PNG")[:-30], "not a readable image"),
        (b"\x89PNG\r\n\x1a\nrubbish", "not a readable image"),
        (encoded("PNG", (7000, 7000), "1"), "too many pixels"),  # 49 MP: over the limit
        (encoded("PNG", (40, 400)), "at least 50 x 50"),
    ],
)
def test_refused_images(data, message):
    with pytest.raises(BadImage, match=message):
        inspect_image(data)


def test_thumbnails_keep_the_aspect_ratio_and_never_upscale():
    with Image.open(io.BytesIO(render_thumbnail(encoded("PNG", (1600, 800)), 400))) as thumb:
        assert (thumb.format, thumb.size) == ("WEBP", (400, 200))
    with Image.open(io.BytesIO(render_thumbnail(encoded("PNG", (300, 200)), 1200))) as thumb:
        assert thumb.size == (300, 200)
