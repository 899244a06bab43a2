"""Pure rules: the query syntax, typo tolerance, prices, and the links of the results pages."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mercato.search.links import SearchLinks
from mercato.search.repository.sqlite import fts_expression
from mercato.search.rules import (
    Atom,
    allowed_typos,
    best_corrections,
    edit_distance,
    fold,
    is_plain,
    parse_query,
    plural_variants,
    price_key,
)
from mercato.search.schemas import SearchQuery


def test_the_web_search_syntax_is_parsed():
    parsed = parse_query('blue "ceramic mug" or vase -red')
    assert parsed.groups == [
        [Atom(("blue",))],
        [Atom(("ceramic", "mug"), quoted=True), Atom(("vase",))],
    ]
    assert parsed.negated == [Atom(("red",))]
    assert parsed.prefix is True
    assert parse_query('"mug"').prefix is False
    assert parse_query("t-shirt").groups == [[Atom(("t", "shirt"))]]
    assert parse_query("!!! ***").is_empty
    assert is_plain("blue mug") and not is_plain("blue -mug") and not is_plain('"blue"')


def test_the_fts5_query_quotes_everything_typed():
    expression = fts_expression(parse_query('mugs NEAR "a" -x'))
    assert expression == '("mugs" OR "mug") AND ("NEAR") AND ("a")'
    assert fts_expression(parse_query("iphnoe"), {"iphnoe": ["iphone"]}) == (
        '("iphnoe" OR "iphone" OR "iphnoe"*)'
    )
    assert fts_expression(parse_query('say "hi"" there')) == '("say") AND ("hi") AND ("there")'


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("iphnoe", "iphone", 1),  # two letters swapped
        ("ceramc", "ceramic", 1),
        ("hedphones", "headphones", 1),
        ("kitten", "sitting", 3),
        ("mug", "mug", 0),
    ],
)
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b, 5) == distance


@given(st.text(max_size=12), st.text(max_size=12))
def test_edit_distance_is_symmetric_and_bounded(a, b):
    assert edit_distance(a, b, 3) == edit_distance(b, a, 3)
    assert edit_distance(a, b, 3) <= 4
    assert (edit_distance(a, b, 3) == 0) == (a == b)


def test_corrections_prefer_fewest_edits_then_the_most_common_word():
    candidates = [("iphone", 40), ("iphones", 2), ("phone", 90), ("iphnoe", 1)]
    assert best_corrections("iphnoe", candidates) == ["iphone"]
    assert best_corrections("mgu", [("mug", 9)]) == []  # too short to guess
    assert allowed_typos("abc") == 0 and allowed_typos("abcd") == 1
    assert allowed_typos("abcdefgh") == 2 and allowed_typos("12345") == 0


def test_folding_and_plurals():
    assert fold("Crème BRÛLÉE") == "creme brulee"
    assert plural_variants("mugs") == ["mug"]
    assert plural_variants("boxes") == ["box"]
    assert plural_variants("berries") == ["berry"]
    assert plural_variants("glass") == []


def test_prices():
    assert price_key(1250, "EUR") == 12500 == price_key(12500, "KWD")


def test_facet_links_toggle_one_thing_and_reset_the_page():
    seller = uuid.UUID("00000000-0000-7000-8000-0000000000a1")
    query = SearchQuery(q="mug", attributes={"colour": ["Blue"]}, page=3, sort="newest")
    links = SearchLinks("/search", query)
    assert links.url() == "/search?q=mug&attr.colour=Blue&sort=newest&page=3"
    assert links.toggle("attr.colour", "Red") == (
        "/search?q=mug&attr.colour=Blue&attr.colour=Red&sort=newest"
    )
    assert links.toggle("attr.colour", "Blue") == "/search?q=mug&sort=newest"
    assert (
        links.toggle("seller", str(seller))
        == f"/search?q=mug&attr.colour=Blue&seller={seller}&sort=newest"
    )
    assert links.toggle("price", "10-25") == (
        "/search?q=mug&price_min=10&price_max=25&attr.colour=Blue&sort=newest"
    )
    priced = SearchLinks("/search", query.with_changes(price_max=Decimal(10)))
    assert priced.toggle("price", "0-10") == "/search?q=mug&attr.colour=Blue&sort=newest"
    assert links.page(4).endswith("page=4")
    assert links.clear_all() == "/search?sort=newest"
    shop = SearchLinks("/shops/x", query.with_changes(sellers=[seller]), fixed_seller=True)
    assert "seller=" not in shop.url()
