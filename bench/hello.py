"""The ceiling of the web tier: a hello-world FastAPI JSON endpoint, served by uvicorn with the
same settings as ``mercato web`` (workers, uvloop, httptools), so the benchmark can say how close
a Mercato page comes to what this machine can serve at all.

    uvicorn bench.hello:app --workers 2 --loop uvloop --http httptools --port 8101
"""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/")
async def hello() -> dict[str, str]:
    return {"hello": "world"}
