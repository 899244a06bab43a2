"""Routers that refuse at once the requests none of their routes can serve.

FastAPI finds a request's route by asking every included router in turn, and a router answers
by trying each of its routes. With a few hundred routes spread over some forty routers, most of
a small request's time went to routers that could never serve it (a health check spent ~1.5 ms
there, ten times a hello-world request). An :class:`IndexedRouter` knows the first path segment
of each of its routes; a request that contains none of them is answered "no match" without
trying any route. The check is conservative: when in doubt (a route starting with a path
parameter, a mount, a nested router) the router is asked as usual.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope

_ANY = None  # a router that may serve any path: a route's first segment is not a fixed word


class IndexedRouter(APIRouter):
    _index: frozenset[str] | None = _ANY
    _indexed_routes = -1  # how many routes the index was built from; routes are added later

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if not self._may_serve(scope.get("path", "")):
            return Match.NONE, {}
        return super().matches(scope)

    def _may_serve(self, path: str) -> bool:
        if self._indexed_routes != len(self.routes):
            self._index = first_segments(self.routes)
            self._indexed_routes = len(self.routes)
        if self._index is _ANY:
            return True
        # The prefix this router is included under is not known here: any segment of the path
        # may be the one that follows it, so a request is kept when any of them is indexed.
        return not self._index.isdisjoint(path.split("/"))


def first_segments(routes: Sequence[object]) -> frozenset[str] | None:
    """The fixed first path segments of ``routes``, or None when one of them may start with
    anything (a path parameter, the root path, a route that is not a plain API route)."""
    found = set()
    for route in routes:
        if not isinstance(route, APIRoute):
            return _ANY
        first = route.path.lstrip("/").split("/", 1)[0]
        if not first or "{" in first:
            return _ANY
        found.add(first)
    return frozenset(found)
