"""Bad input of any kind is a 4xx problem+json and writes nothing; operational endpoints."""

from __future__ import annotations

import json

import httpx
import pytest
from redis.asyncio import Redis

from mercato.kit.auth import Role
from tests.fixtures.accounts import create_user, login

PROBLEM = "application/problem+json"
SIGNUP = "/api/v1/auth/signup"
VALID = {"email": "ok@example.com", "password": "a-long-passphrase", "display_name": "Ok"}


async def test_malformed_json_is_a_validation_problem(client):
    response = await client.post(
        SIGNUP, content=b'{"email": "ok@', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == "/problems/validation-error"
    assert body["errors"][0] == {"field": "body", "message": "The body is not valid JSON."}


async def test_unknown_fields_are_refused_by_name(client):
    response = await client.post(SIGNUP, json={**VALID, "is_admin": True})
    assert response.status_code == 422
    assert {"field": "is_admin", "message": "Unknown field."} in response.json()["errors"]


async def test_wrong_content_type_is_415(client):
    response = await client.post(
        SIGNUP, content=json.dumps(VALID), headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
    assert response.headers["content-type"] == PROBLEM
    assert "text/plain" in response.json()["detail"]


async def test_form_body_on_a_json_endpoint_is_a_validation_problem(client):
    response = await client.post(SIGNUP, data=VALID)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


async def test_oversized_body_is_413_before_anything_runs(client, runtime):
    runtime.settings.max_body_bytes = 1000
    from mercato.app import create_app

    app = create_app(runtime=runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as small:
        response = await small.post(SIGNUP, json={**VALID, "display_name": "x" * 2000})
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


async def test_unknown_route_and_method_are_problems(client):
    missing = await client.get("/api/v1/nothing-here")
    assert (missing.status_code, missing.headers["content-type"]) == (404, PROBLEM)
    wrong_method = await client.delete("/api/v1/auth/signup")
    assert (wrong_method.status_code, wrong_method.headers["content-type"]) == (405, PROBLEM)


async def test_malformed_ids_are_validation_problems(client, runtime):
    await create_user(runtime, "ids@example.com", Role.ADMIN)
    headers = await login(client, "ids@example.com")
    response = await client.get("/api/v1/admin/users/not-a-uuid", headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("path")


NASTY_BODIES = [
    b"",
    b"null",
    b"[]",
    b'"text"',
    b"123456789012345678901234567890",
    b'{"email": 1, "password": [], "display_name": {}}',
    b'{"email": "\xff\xfe"}',
    b"{" * 500 + b"}" * 500,
    json.dumps({"x" * 5000: "y"}).encode(),
    json.dumps({"token": "\u0000" * 50, "code": "\ud7ff" * 10}).encode(),
    json.dumps({"limit": -1, "cursor": None, "role": "god"}).encode(),
]


@pytest.mark.parametrize("body", NASTY_BODIES, ids=range(len(NASTY_BODIES)))
async def test_no_body_makes_any_write_endpoint_fail_with_5xx(client, body):
    app = client._transport.app
    for route in app.routes:
        path = getattr(route, "path", "")
        methods = getattr(route, "methods", set()) & {"POST", "PUT", "PATCH"}
        if not path.startswith("/api/v1") or not methods:
            continue
        url = path.replace("{address_id}", "0190a0a0-0000-7000-8000-000000000000").replace(
            "{user_id}", "0190a0a0-0000-7000-8000-000000000000"
        )
        for method in methods:
            response = await client.request(
                method, url, content=body, headers={"content-type": "application/json"}
            )
            assert response.status_code < 500, (method, url, response.text)
            assert response.headers["content-type"].startswith(("application/", "text/"))


async def test_request_id_is_echoed_or_created(client):
    echoed = await client.get("/healthz", headers={"x-request-id": "req-12345678"})
    assert echoed.headers["x-request-id"] == "req-12345678"
    created = await client.get("/healthz")
    assert len(created.headers["x-request-id"]) == 32


async def test_readyz_checks_the_database(client):
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


async def test_readyz_reports_redis(client, runtime, redis_client):
    runtime.redis = redis_client
    ok = await client.get("/readyz")
    assert ok.json()["checks"] == {"database": "ok", "redis": "ok"}
    runtime.redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        down = await client.get("/readyz")
    finally:
        await runtime.redis.aclose()
        runtime.redis = None
    assert down.status_code == 503
    assert down.json()["checks"]["redis"].startswith("error")


async def test_metrics_count_requests_per_route(client):
    await client.get("/healthz")
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert 'mercato_http_requests_total{method="GET",route="/healthz",status="200"}' in (
        metrics.text
    )


async def test_file_uploads_get_their_own_larger_limit(client, runtime):
    two_mib = b"x" * (2 * 1_048_576)
    upload = await client.post(SIGNUP, files={"file": ("big.bin", two_mib)})
    assert upload.status_code == 422  # past the guard: the route itself refuses the body
    json_body = await client.post(
        SIGNUP, content=two_mib, headers={"content-type": "application/json"}
    )
    assert json_body.status_code == 413
    runtime.settings.max_upload_bytes = 3 * 1_048_576
    from mercato.app import create_app

    app = create_app(runtime=runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as small:
        too_big = await small.post(SIGNUP, files={"file": ("huge.bin", two_mib * 2)})
    assert too_big.status_code == 413
