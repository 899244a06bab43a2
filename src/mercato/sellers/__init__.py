"""Sellers: the businesses that sell on the marketplace, from application to admission."""
