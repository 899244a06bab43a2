"""Disputes and returns: buyer protection on an order line (frozen escrow, the seller's answer,
escalation to the platform, the admin's decision) and returns within the return window."""
