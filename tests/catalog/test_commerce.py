"""What the money domains read of a listing: its owner, currency and category chain."""

from __future__ import annotations

import uuid

from mercato.catalog import service
from mercato.catalog.schemas import CategoryIn
from tests.fixtures.accounts import actors
from tests.fixtures.catalog import ADMIN, admit, create_listing, make_tree, mug


async def test_listing_facts_give_the_category_chain_from_the_root(runtime, client):
    people = await actors(runtime, client)
    seller_id = await admit(runtime, people["seller"].user_id)
    tree = await make_tree(runtime)
    async with runtime.database.transaction() as session:
        mugs = await service.create_category(
            session, ADMIN, CategoryIn(name="Mugs", parent_id=tree.ceramics)
        )
    in_mugs = await create_listing(client, people["seller"].headers, mug(mugs.id))
    vase = mug(
        tree.home,
        title="Glass vase",
        attributes={"material": "glass"},
        option_names=[],
        variants=[{"sku": "VASE-1", "price": "30.00", "stock": 2, "weight_grams": 700}],
    )
    at_root = await create_listing(client, people["seller"].headers, vase)
    ids = [uuid.UUID(in_mugs["id"]), uuid.UUID(at_root["id"])]

    async with runtime.database.reading() as session:
        facts = await service.listing_facts(session, [*ids, uuid.uuid4()])

    assert set(facts) == set(ids)  # an unknown listing is left out
    assert facts[ids[0]].category_ids == [tree.home, tree.ceramics, mugs.id]
    assert facts[ids[1]].category_ids == [tree.home]
    assert facts[ids[0]].seller_id == seller_id
    assert facts[ids[0]].currency == "EUR"
