"""Bulk import through the API (queued job), the report, idempotent re-imports, and the CLI."""

# ruff: noqa: E501  (CSV rows read best one per line)

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
import uuid

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import mercato.search.handlers  # noqa: F401  (the index follows catalog events)
from mercato import cli, config
from mercato.accounts.service import find_user_id_by_email
from mercato.catalog.models import ImportJob, Listing, Variant
from mercato.kit.auth import Role
from tests.fixtures.accounts import create_user, login
from tests.fixtures.catalog import admit, make_tree

API = "/api/v1/catalog/my/imports"
HEADER = [
    "listing_ref", "sku", "title", "description", "kind", "category", "price", "currency",
    "stock", "weight_grams", "duration_minutes", "option1_name", "option1_value",
    "attr:material", "attr:diameter",
]  # fmt: skip
GOOD = [
    ["mug", "MUG-S", "Stoneware mug", "Hand-thrown", "goods", "ceramics", "18.00", "EUR", "5", "320", "", "Size", "Small", "Stoneware", "8"],
    ["mug", "MUG-L", "", "", "", "", "22.50", "EUR", "0", "420", "", "Size", "Large", "", ""],
    ["bowl", "BOWL-1", "Serving bowl <b>big</b>", "", "goods", "ceramics", "35", "EUR", "2", "900", "", "", "", "Porcelain", ""],
    ["fix", "FIX-1", "Chair repair", "", "service", "repairs", "60", "EUR", "4", "", "120", "", "", "", ""],
]  # fmt: skip
BAD = [
    ["vase", "VASE-1", "Tall vase", "", "goods", "ceramics", "19.999", "EUR", "1", "", "", "", "", "Glass", ""],
    ["cup", "CUP-1", "Cup", "", "goods", "cups", "9", "EUR", "-2", "", "", "", "", "Glass", ""],
    ["jar", "MUG-S", "Jar", "", "goods", "ceramics", "9", "EUR", "1", "", "", "", "", "Wood", "wide"],
]  # fmt: skip


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER, *, bom: bool = False) -> bytes:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + output.getvalue()).encode()


@pytest.fixture
async def seller(runtime, client):
    await create_user(runtime, "importer@example.com", Role.SELLER, "Importer")
    await make_tree(runtime)
    return await login(client, "importer@example.com")


async def start(client, headers, data: bytes, *, valid_only: bool = False, name="stock.csv"):
    response = await client.post(
        API,
        files={"file": (name, data, "text/csv")},
        data={"valid_only": "true" if valid_only else "false"},
        headers=headers,
    )
    assert response.status_code == 202, response.text
    # The in-process job ran right after the commit: the job is finished already.
    job = await client.get(f"{API}/{response.json()['id']}", headers=headers)
    return job.json()


async def counts(runtime) -> tuple[int, int]:
    async with runtime.database.reading() as session:
        listings = (await session.execute(select(func.count()).select_from(Listing))).scalar_one()
        variants = (await session.execute(select(func.count()).select_from(Variant))).scalar_one()
        return listings, variants


async def test_a_clean_file_imports_and_groups_variants_by_listing_ref(client, runtime, seller):
    job = await start(client, seller, csv_bytes(GOOD, bom=True))
    assert (job["status"], job["error_count"], job["created_count"]) == ("done", 0, 4)
    assert job["message"] == "4 added, 0 updated, 0 unchanged."
    assert job["progress_percent"] == 100
    assert await counts(runtime) == (3, 4)
    page = (await client.get("/api/v1/catalog/my/listings", headers=seller)).json()
    titles = sorted(item["title"] for item in page["items"])
    assert titles == ["Chair repair", "Serving bowl <b>big</b>", "Stoneware mug"]
    mug = next(i for i in page["items"] if i["title"] == "Stoneware mug")
    detail = (await client.get(f"/api/v1/catalog/my/listings/{mug['id']}", headers=seller)).json()
    assert detail["option_names"] == ["Size"]
    assert [(v["sku"], v["options"], v["price_minor"]) for v in detail["variants"]] == [
        ("MUG-S", {"Size": "Small"}, 1800),
        ("MUG-L", {"Size": "Large"}, 2250),
    ]
    assert detail["attributes"] == {"material": "Stoneware", "diameter": "8"}
    assert detail["status"] == "draft"


async def test_all_or_nothing_writes_nothing_and_names_every_problem(client, runtime, seller):
    job = await start(client, seller, csv_bytes(GOOD + BAD))
    assert job["status"] == "done"
    assert await counts(runtime) == (0, 0)
    assert job["created_count"] == 0
    assert job["message"].startswith("Nothing was imported: 6 problems found.")
    assert [(e["row"], e["column"]) for e in job["errors"]] == [
        (6, "price"),
        (7, "category"),
        (7, "stock"),
        (8, "attr:diameter"),
        (8, "attr:material"),
        (8, "sku"),
    ]
    reasons = {(e["row"], e["column"]): e["reason"] for e in job["errors"]}
    assert reasons[(6, "price")] == "EUR prices have at most 2 decimal places; “19.999” has more."
    assert reasons[(7, "category")] == "Unknown category “cups”."
    assert reasons[(7, "stock")] == "Stock cannot be negative."
    assert reasons[(8, "sku")] == "Duplicate SKU: “MUG-S” is already on row 2."
    assert "choose one of: Stoneware, Porcelain, Glass" in reasons[(8, "attr:material")]
    report = await client.get(f"{API}/{job['id']}/errors.csv", headers=seller)
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(report.text)))
    assert lines[0] == ["row", "column", "reason"]
    assert lines[1] == ["6", "price", reasons[(6, "price")]]
    assert len(lines) == 7


async def test_valid_rows_only_then_a_fixed_reimport_is_idempotent(client, runtime, seller):
    job = await start(client, seller, csv_bytes(GOOD + BAD), valid_only=True)
    assert (job["created_count"], job["skipped_rows"], job["error_count"]) == (4, 3, 6)
    assert await counts(runtime) == (3, 4)
    fixed = [
        ["vase", "VASE-1", "Tall vase", "", "goods", "ceramics", "19.99", "EUR", "1", "", "", "", "", "Glass", ""],
        ["cup", "CUP-1", "Cup", "", "goods", "ceramics", "9", "EUR", "2", "", "", "", "", "Glass", ""],
        ["jar", "JAR-1", "Jar", "", "goods", "ceramics", "9", "EUR", "1", "", "", "", "", "Glass", "12.5"],
    ]  # fmt: skip
    again = await start(client, seller, csv_bytes(GOOD + fixed))
    assert (again["error_count"], again["created_count"], again["unchanged_count"]) == (0, 3, 4)
    assert await counts(runtime) == (6, 7)
    same = await start(client, seller, csv_bytes(GOOD + fixed))
    assert (same["created_count"], same["updated_count"], same["unchanged_count"]) == (0, 0, 7)
    assert await counts(runtime) == (6, 7)
    repriced = [row.copy() for row in GOOD]
    repriced[0][6], repriced[0][8] = "17.50", "9"
    changed = await start(client, seller, csv_bytes(repriced))
    assert (changed["updated_count"], changed["unchanged_count"]) == (1, 3)
    mug = (await client.get("/api/v1/catalog/my/listings?q=mug", headers=seller)).json()["items"][0]
    assert (mug["price_min_minor"], mug["stock_total"]) == (1750, 9)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            "sku,title\nA,Café\n".encode("latin-1"),
            (2, "", "The file is not UTF-8 text (byte 0xE9 on row 2)"),
        ),
        (b"", (1, "", "The file is empty")),
        (b"sku,title,category,price,currency\n", (1, "stock", "This column is missing.")),
        (b"sku,title,category,price,currency,stock,colour\n", (1, "colour", "Unknown column.")),
        (
            b"sku,title,category,price,currency,stock,attr:flavour\n",
            (1, "attr:flavour", "No category"),
        ),
        (
            b"sku,sku,title,category,price,currency,stock\n",
            (1, "sku", "This column appears twice."),
        ),
    ],
)
async def test_file_level_problems_import_nothing(client, runtime, seller, data, problem):
    response = await client.post(
        API, files={"file": ("bad.csv", data or b" ", "text/csv")}, headers=seller
    )
    job = (await client.get(f"{API}/{response.json()['id']}", headers=seller)).json()
    assert job["status"] == "done"
    first = job["errors"][0]
    assert (first["row"], first["column"]) == problem[:2]
    assert first["reason"].startswith(problem[2])
    assert job["message"].startswith("The file cannot be imported")
    assert await counts(runtime) == (0, 0)


async def test_publishing_from_a_file_needs_an_admitted_seller(client, runtime, seller):
    rows = [[*GOOD[2][:4], "goods", "ceramics", "35", "EUR", "2", "", "", "", "", "Porcelain", ""]]
    header = [*HEADER, "status"]
    job = await start(client, seller, csv_bytes([[*rows[0], "published"]], header))
    assert job["errors"] == [
        {
            "row": 2,
            "column": "status",
            "reason": "Your seller account cannot publish yet: use draft.",
        }
    ]


async def test_an_import_belongs_to_its_seller(client, runtime, seller):
    job = await start(client, seller, csv_bytes(GOOD))
    await create_user(runtime, "rival@example.com", Role.SELLER, "Rival")
    rival = await login(client, "rival@example.com")
    assert (await client.get(f"{API}/{job['id']}", headers=rival)).status_code == 404
    assert (await client.get(f"{API}/{job['id']}/errors.csv", headers=rival)).status_code == 404
    mine = (await client.get(API, headers=seller)).json()
    assert [j["id"] for j in mine] == [job["id"]]


async def test_a_job_runs_once_even_if_delivered_twice(client, runtime, seller):
    from mercato.catalog.tasks import import_csv

    job = await start(client, seller, csv_bytes(GOOD))
    await import_csv(job["id"])  # a redelivered message finds the job done and does nothing
    assert await counts(runtime) == (3, 4)
    async with runtime.database.reading() as session:
        row = await session.get(ImportJob, uuid.UUID(job["id"]))
        assert row is not None and row.status == "done"


# --- the command line ----------------------------------------------------------------------


@pytest.fixture
def embedded(tmp_path, monkeypatch):
    monkeypatch.setenv("MERCATO_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MERCATO_PASSWORD_HASH_MEMORY_KIB", "1024")
    for name in ("MERCATO_DATABASE_URL", "MERCATO_ENCRYPTION_KEYS", "MERCATO_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    config.get_settings.cache_clear()
    yield tmp_path
    config.get_settings.cache_clear()


def test_cli_imports_a_file_with_a_progress_bar_and_a_report(embedded):
    from mercato.kit.runtime import build_runtime, install_runtime

    runner = CliRunner()
    assert runner.invoke(cli.app, ["db", "upgrade"]).exit_code == 0

    async def tree() -> None:
        runtime = build_runtime(config.get_settings())
        try:
            await make_tree(runtime)
            await create_user(runtime, "cli.seller@example.com", Role.SELLER, "Cli Seller")
        finally:
            await runtime.close()
            install_runtime(None)

    asyncio.run(tree())
    with sqlite3.connect(embedded / "mercato.db") as connection:
        (seller_hex,) = connection.execute("SELECT id FROM sellers_seller LIMIT 1").fetchone()
    seller_id = str(uuid.UUID(seller_hex))
    source = embedded / "stock.csv"
    source.write_bytes(csv_bytes(GOOD + BAD))
    report = embedded / "report.csv"
    refused = runner.invoke(
        cli.app,
        ["catalog", "import-csv", str(source), "--seller", seller_id, "--report", str(report)],
    )
    assert refused.exit_code == 1, refused.output
    assert "Nothing was imported: 6 problems found" in " ".join(refused.output.split())
    assert report.read_text().splitlines()[1].startswith("6,price,")
    partial = runner.invoke(
        cli.app, ["catalog", "import-csv", str(source), "--seller", seller_id, "--valid-only"]
    )
    assert partial.exit_code == 1
    assert "4 added, 0 updated, 0 unchanged; 3 row(s) with problems skipped." in " ".join(
        partial.output.split()
    )
    source.write_bytes(csv_bytes(GOOD))
    clean = runner.invoke(cli.app, ["catalog", "import-csv", str(source), "--seller", seller_id])
    assert clean.exit_code == 0, clean.output
    assert "0 added, 0 updated, 4 unchanged." in " ".join(clean.output.split())
    with sqlite3.connect(embedded / "mercato.db") as connection:
        assert connection.execute("SELECT count(*) FROM catalog_variant").fetchone() == (4,)
    unknown = runner.invoke(
        cli.app, ["catalog", "import-csv", str(source), "--seller", str(uuid.uuid4())]
    )
    assert unknown.exit_code == 2
    assert "No such seller." in unknown.output


async def test_published_rows_are_searchable_right_after_the_import(client, runtime, seller):
    async with runtime.database.reading() as session:
        user_id = await find_user_id_by_email(session, "importer@example.com")
    await admit(runtime, str(user_id))
    header = [*HEADER, "status"]
    rows = [[*row, "published"] for row in GOOD]
    job = await start(client, seller, csv_bytes(rows, header))
    assert job["created_count"] == 4, job
    found = await client.get("/api/v1/search", params={"q": "stonware"})
    assert found.status_code == 200, found.text
    assert [hit["title"] for hit in found.json()["items"]] == ["Stoneware mug"]
