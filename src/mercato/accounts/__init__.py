"""Accounts: identity, credentials, two-factor authentication, roles and addresses.

Other domains use the principal from :mod:`mercato.kit.auth`; user rows are referred to by id.
"""
