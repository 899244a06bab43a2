"""The admin console's audit log: search, pages, the verify button; support is refused."""

from __future__ import annotations

import re

import httpx
import pytest

from mercato.kit.auth import Role
from tests.audit.conftest import append, execute
from tests.fixtures.accounts import PASSWORD, create_user


@pytest.fixture(autouse=True)
def browser_like(client: httpx.AsyncClient) -> None:
    client.headers["accept"] = "text/html"


async def csrf(client: httpx.AsyncClient, path: str = "/") -> str:
    page = await client.get(path)
    match = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def sign_in(runtime, client: httpx.AsyncClient, role: Role) -> None:
    email = f"{role.value}@example.com"
    await create_user(runtime, email, role, role.value.title())
    data = {"csrf_token": await csrf(client, "/login"), "email": email, "password": PASSWORD}
    signed = await client.post("/login", data=data)
    assert signed.status_code == 303, signed.text


def seqs(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-seq="(\d+)">', html)]


async def test_admin_searches_the_log_newest_first(client, runtime):
    await sign_in(runtime, client, Role.ADMIN)  # entry 1: the admin's sign-in
    for n in range(3):
        await append(runtime, "sellers.decision", subject_type="seller", subject_id=f"s{n}")
    page = await client.get("/admin/audit")
    assert page.status_code == 200
    assert seqs(page.text) == [4, 3, 2, 1]
    assert "accounts.login" in page.text and "admin@example.com" in page.text
    assert 'aria-current="page">Audit log' in page.text
    filtered = await client.get("/admin/audit", params={"action": "sellers.", "subject_id": "s1"})
    assert seqs(filtered.text) == [3]
    nothing = await client.get("/admin/audit", params={"actor": "nobody@example.com"})
    assert seqs(nothing.text) == []
    assert "No entries match this search" in nothing.text


async def test_the_log_pages_through_older_entries(client, runtime):
    await sign_in(runtime, client, Role.ADMIN)
    for _ in range(31):
        await append(runtime, "test.filler")
    first = await client.get("/admin/audit", params={"action": "test."})
    assert seqs(first.text) == list(range(32, 2, -1))
    older = re.search(r'href="(/admin/audit\?cursor=[^"]+)">Older', first.text)
    assert older
    second = await client.get(older.group(1).replace("&amp;", "&"))
    assert seqs(second.text) == [2]


async def test_bad_dates_are_explained_beside_the_field(client, runtime):
    await sign_in(runtime, client, Role.ADMIN)
    page = await client.get("/admin/audit", params={"since": "2026-02-02", "until": "2026-02-01"})
    assert page.status_code == 422
    assert "The end date must not be before the start date." in page.text
    garbage = await client.get("/admin/audit", params={"since": "yesterday"})
    assert garbage.status_code == 422
    assert 'id="audit-since-error"' in garbage.text


async def test_verify_shows_an_intact_then_a_broken_chain(client, runtime):
    await sign_in(runtime, client, Role.ADMIN)
    await append(runtime, "test.one")
    token = await csrf(client, "/admin/audit")
    intact = await client.post(
        "/admin/audit/verify", data={"csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert intact.status_code == 200
    assert "The chain holds." in intact.text and "All 2 entries were checked" in intact.text
    await execute(runtime, "UPDATE audit_entry SET action = 'test.two' WHERE seq = 2")
    broken = await client.post("/admin/audit/verify", data={"csrf_token": token})
    assert broken.status_code == 200
    assert "The chain is broken at entry 2</strong> (hash mismatch)" in broken.text
    assert "<h1>Audit log</h1>" in broken.text


async def test_support_is_refused(client, runtime):
    await sign_in(runtime, client, Role.SUPPORT)
    page = await client.get("/admin/audit")
    assert page.status_code == 403
    token = await csrf(client)
    verify = await client.post("/admin/audit/verify", data={"csrf_token": token})
    assert verify.status_code == 403
    home = await client.get("/admin")
    assert 'href="/admin/audit"' not in home.text
