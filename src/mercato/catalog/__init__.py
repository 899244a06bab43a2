"""Catalog: categories with typed attributes, listings of goods and services, variants, stock,
images, moderation and bulk import."""
