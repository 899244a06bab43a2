"""Audit: an append-only, hash-chained log of every admin and support action, policy change,
money movement reference, login and 2FA change; ``mercato audit verify`` detects tampering.

Other domains call :func:`record` inside their own transaction (the entry commits or rolls back
with the action), e.g. ``await audit.record(session, actor=principal, action="governance.policy_
activated", subject_type="policy", subject_id=policy.id, detail={"version": 3})``.
"""

from mercato.audit.schemas import AuditEntryOut, VerificationOut
from mercato.audit.service import record, verify_chain

__all__ = ["AuditEntryOut", "VerificationOut", "record", "verify_chain"]
