"""Audit: an append-only, hash-chained log of every admin and support action, policy change, money
movement reference, login and 2FA change; ``mercato audit verify`` detects tampering."""
