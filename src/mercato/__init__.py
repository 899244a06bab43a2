"""Mercato: a self-hostable two-sided marketplace platform."""

__version__ = "0.1.0"
