"""One error hierarchy. Each error knows its HTTP status and a stable problem type (RFC 9457);
adapters render it as ``application/problem+json`` or as a form error, never as a 500."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """A problem with one input field; ``field`` is a dotted path such as ``address.postcode``."""

    field: str
    message: str


class MercatoError(Exception):
    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[FieldError] | None = None,
        extensions: dict[str, object] | None = None,
        keep_changes: bool = False,
    ) -> None:
        self.detail = detail or self.title
        # A refusal that must still persist what was done before it (e.g. revoking every token
        # of a user when a stolen one is replayed); the unit of work commits instead of rolling
        # back.
        self.keep_changes = keep_changes
        self.errors = errors or []
        # RFC 9457 extension members, e.g. the token a client needs to continue.
        self.extensions = extensions or {}
        super().__init__(self.detail)

    @property
    def type_uri(self) -> str:
        return f"/problems/{self.slug}"


class ValidationFailed(MercatoError):
    status, slug, title = 422, "validation-error", "The input is not valid"

    @classmethod
    def on(cls, field: str, message: str) -> ValidationFailed:
        return cls(message, errors=[FieldError(field, message)])


class Unauthorized(MercatoError):
    status, slug, title = 401, "unauthorized", "Authentication required"


class Forbidden(MercatoError):
    status, slug, title = 403, "forbidden", "You are not allowed to do this"


class NotFound(MercatoError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(MercatoError):
    status, slug, title = 409, "conflict", "Conflict with the current state"


class Gone(MercatoError):
    status, slug, title = 410, "gone", "No longer available"


class PayloadTooLarge(MercatoError):
    status, slug, title = 413, "payload-too-large", "The request body is too large"


class UnsupportedMediaType(MercatoError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported content type"


class RateLimited(MercatoError):
    status, slug, title = 429, "rate-limited", "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int = 60) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ServiceUnavailable(MercatoError):
    status, slug, title = 503, "service-unavailable", "A dependency is unavailable"
