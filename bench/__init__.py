"""Mercato's benchmark suite: ``make bench`` (full) and ``make bench-smoke`` (CI-sized).

``run`` orchestrates, ``dataset`` generates the marketplace, ``scenarios`` lists what wrk drives,
``report`` parses the load generators' output and renders the results.
"""
