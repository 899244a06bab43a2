"""Storefront: what shoppers browse — the home page, product pages and sellers' shops —
composed from the catalog, sellers and search, with product pages cached."""
