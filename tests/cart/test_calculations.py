"""Pure cart math: group totals are the sum of their lines, the cart total is items plus
shipping, the cheapest option is the default, and problems are worded for buyers."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from mercato.cart.calculations import (
    LiveVariant,
    build_cart,
    build_group,
    clamp_quantity,
    line_problem,
    money_label,
    pick_option,
)
from mercato.cart.schemas import CartLineOut, ShippingOptionOut

SELLER = uuid.UUID(int=1)


def line(quantity: int, price: int, kind: str = "goods", available: bool = True) -> CartLineOut:
    return CartLineOut(
        line_id=uuid.uuid4(),
        variant_id=uuid.uuid4(),
        listing_id=uuid.uuid4(),
        seller_id=SELLER,
        title="Thing",
        sku="T-1",
        options={},
        kind=kind,  # type: ignore[arg-type]
        quantity=quantity,
        unit_price_minor=price,
        unit_price_seen_minor=price,
        line_total_minor=price * quantity if available else 0,
        stock=99,
        weight_grams=250,
        image_url=None,
        problem=None,
        available=available,
    )


def option(price: int, name: str = "Post") -> ShippingOptionOut:
    return ShippingOptionOut(id=uuid.uuid4(), name=name, price_minor=price, handling_days=2)


lines_strategy = st.lists(
    st.builds(
        line,
        quantity=st.integers(1, 99),
        price=st.integers(1, 10**9),
        kind=st.sampled_from(["goods", "service"]),
        available=st.booleans(),
    ),
    max_size=8,
)
options_strategy = st.lists(st.builds(option, price=st.integers(0, 10**6)), max_size=4)


@given(groups=st.lists(st.tuples(lines_strategy, options_strategy), min_size=0, max_size=4))
def test_totals_add_up(groups):
    built = [build_group(SELLER, "Shop", lines, options, None, "EUR") for lines, options in groups]
    for group in built:
        assert group.items_minor == sum(ln.line_total_minor for ln in group.lines)
        assert group.total_minor == group.items_minor + group.shipping_minor
        if not group.needs_shipping:
            assert group.shipping_options == [] and group.shipping_minor == 0
        elif group.shipping_options:
            assert group.shipping_minor == min(o.price_minor for o in group.shipping_options)
    cart = build_cart(uuid.uuid4(), "EUR", built)
    assert cart.items_minor == sum(g.items_minor for g in built)
    assert cart.shipping_minor == sum(g.shipping_minor for g in built)
    assert cart.total_minor == cart.items_minor + cart.shipping_minor
    assert cart.item_count == sum(ln.quantity for g in built for ln in g.lines)


def test_a_chosen_option_wins_while_it_is_offered():
    cheap, dear = option(300, "Slow"), option(900, "Fast")
    assert pick_option([dear, cheap], dear.id) == dear
    assert pick_option([dear, cheap], uuid.uuid4()) == cheap
    assert pick_option([], None) is None


def test_problems_are_explained_in_words():
    live = LiveVariant(price_minor=1400, currency="EUR", stock=3, purchasable=True)
    assert line_problem(2, 1200, live, "EUR") == "Price changed from €12.00 to €14.00"
    assert line_problem(5, 1400, live, "EUR") == "Only 3 left"
    assert line_problem(2, 1400, live, "EUR") is None
    gone = LiveVariant(price_minor=1400, currency="EUR", stock=3, purchasable=False)
    assert line_problem(1, 1400, gone, "EUR") == "No longer available"
    assert line_problem(1, 1400, None, "EUR") == "No longer available"
    assert line_problem(1, 1400, live, "USD") == "No longer available"


def test_labels_and_clamping():
    assert money_label(1250, "EUR") == "€12.50"
    assert money_label(490, "CHF") == "CHF 4.90"
    assert money_label(1200, "JPY") == "¥1200"
    assert (
        clamp_quantity(7, 3) == 3 and clamp_quantity(150, 500) == 99 and clamp_quantity(2, 0) == 0
    )
