"""What the benchmark drives with wrk: each scenario is a list of paths requested at random, a
concurrency, who is signed in, and the target it is judged by.

Search paths carry a ``price_max`` far above every generated price: the results are those of
the plain query, but almost every request has its own cache key, so the figures measure the
search itself rather than the few-seconds result cache in front of it.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from bench import search_dataset as vocabulary

CONNECTIONS = 16
SEARCH_PATH = "/api/v1/search"
# Each category's queries, for the faceted search (query, top-level category, colour).
FACETED: list[tuple[str, str, str]] = [
    ("iphone", "Electronics", "Black"),
    ("mug", "Home & Living", "Blue"),
    ("backpack", "Fashion", "Green"),
    ("tent", "Outdoor", "Grey"),
    ("headphones", "Electronics", "White"),
    ("vase", "Home & Living", "Beige"),
    ("boots", "Fashion", "Brown"),
    ("lamp", "Home & Living", "Yellow"),
]
PATHS_PER_SEARCH_SCENARIO = 5_000


@dataclass(frozen=True)
class Target:
    """A goal a figure is judged by: ``p95_ms`` (at most), ``ratio`` of the hello-world
    ceiling's req/s (at least)."""

    metric: str
    limit: float
    label: str

    def met(self, value: float) -> bool:
        return value >= self.limit if self.metric == "ratio" else value <= self.limit


SEARCH_P95_100K = Target("p95_ms", 50, "p95 ≤ 50 ms at 100k listings")
SEARCH_P95_1M = Target("p95_ms", 150, "p95 ≤ 150 ms at 1M listings")
PRODUCT_RATIO = Target("ratio", 0.5, "≥ 50% of hello-world req/s")


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    paths: tuple[str, ...]
    connections: int = CONNECTIONS
    sign_in_as: str | None = None  # an email of the generated accounts
    target: Target | None = None
    prime: bool = False  # request every path once first (a warm cache)


def _cache_buster(rng: random.Random) -> str:
    return str(rng.randint(100_000, 999_999))


def search_paths(
    queries: Sequence[str], rng: random.Random, count: int, **filters: str
) -> list[str]:
    paths = []
    for _ in range(count):
        params = {"q": rng.choice(queries), **filters, "price_max": _cache_buster(rng)}
        paths.append(f"{SEARCH_PATH}?{urlencode(params)}")
    return paths


def faceted_paths(rng: random.Random, count: int) -> list[str]:
    """A query narrowed by category, colour and a minimum price, as a buyer clicking facets."""
    categories = {name: uuid.uuid5(vocabulary.NAMESPACE, f"category:{name}") for name in TOPS}
    paths = []
    for _ in range(count):
        query, top, colour = rng.choice(FACETED)
        params = {
            "q": query,
            "category": str(categories[top]),
            "attr.colour": colour,
            "price_min": str(rng.choice([5, 10, 20, 50])),
            "price_max": _cache_buster(rng),
        }
        paths.append(f"{SEARCH_PATH}?{urlencode(params)}")
    return paths


TOPS = list(vocabulary.TREE)


def mixed_search_paths(seed: int = 7, count: int = PATHS_PER_SEARCH_SCENARIO) -> list[str]:
    """Every kind of query in equal parts: the search scale curve's load."""
    rng = random.Random(seed)
    share = count // 4
    paths = (
        search_paths(vocabulary.QUERIES["one_word"], rng, share)
        + search_paths(vocabulary.QUERIES["several_words"], rng, share)
        + search_paths(vocabulary.QUERIES["typo"], rng, share)
        + faceted_paths(rng, count - 3 * share)
    )
    rng.shuffle(paths)
    return paths


# The smallest signed-in API request: the bearer token checked and the signed-in user read. The
# checkout report sets it beside the four requests of an order (see bench.report).
API_FLOOR = "api_me"
API_FLOOR_PATH = "/api/v1/me"


def platform_scenarios(
    product_ids: Sequence[uuid.UUID],
    seller_email: str,
    admin_email: str,
    buyer_email: str,
    seed: int = 7,
) -> list[Scenario]:
    """Every scenario run against ``mercato web``, in order."""
    rng = random.Random(seed)
    count = PATHS_PER_SEARCH_SCENARIO
    return [
        Scenario("home", "Storefront home", ("/",)),
        Scenario(
            API_FLOOR,
            f"Signed-in API, smallest request (GET {API_FLOOR_PATH})",
            (API_FLOOR_PATH,),
            sign_in_as=buyer_email,
        ),
        Scenario(
            "search_one_word",
            "Search, one word",
            tuple(search_paths(vocabulary.QUERIES["one_word"], rng, count)),
            target=SEARCH_P95_100K,
        ),
        Scenario(
            "search_several_words",
            "Search, several words",
            tuple(search_paths(vocabulary.QUERIES["several_words"], rng, count)),
            target=SEARCH_P95_100K,
        ),
        Scenario(
            "search_typo",
            "Search, typo (“iphnoe”)",
            tuple(search_paths(vocabulary.QUERIES["typo"], rng, count)),
            target=SEARCH_P95_100K,
        ),
        Scenario(
            "search_facets",
            "Search with facets",
            tuple(faceted_paths(rng, count)),
            target=SEARCH_P95_100K,
        ),
        Scenario(
            "product_page",
            "Product page (warm cache)",
            tuple(f"/products/{listing_id}" for listing_id in product_ids),
            target=PRODUCT_RATIO,
            prime=True,
        ),
        Scenario("seller_dashboard", "Seller portal", ("/seller",), sign_in_as=seller_email),
        Scenario(
            "seller_listings",
            "Seller portal, listings",
            ("/seller/listings",),
            sign_in_as=seller_email,
        ),
        Scenario("admin_dashboard", "Admin dashboard", ("/admin",), sign_in_as=admin_email),
        Scenario("admin_users", "Admin, users list", ("/admin/users",), sign_in_as=admin_email),
        Scenario(
            "admin_finance",
            "Admin finance overview",
            ("/admin/finance",),
            sign_in_as=admin_email,
        ),
    ]


HELLO = Scenario("hello", "Hello-world FastAPI (ceiling)", ("/",))


def curve_scenario(size: int) -> Scenario:
    target = {100_000: SEARCH_P95_100K, 1_000_000: SEARCH_P95_1M}.get(size)
    return Scenario(
        f"search_curve_{size}",
        f"Search (all kinds) at {size:,} listings",
        tuple(mixed_search_paths()),
        target=target,
    )
