"""Every module that registers jobs, periodic jobs or outbox handlers, in one list.

Registration happens when a module is imported, so a process knows a job only once its module has
been imported. The web app, the worker and the scheduler all call :func:`load_all_tasks` so they
agree on the same set: a job the web app enqueues is one the worker can run, and a periodic job
the scheduler enqueues is one the worker knows.
"""

from __future__ import annotations

import importlib

from mercato.kit.jobs import registered_jobs

# Add each new domain's tasks, outbox handlers and event handlers module here.
TASK_MODULES = (
    "mercato.kit.outbox",
    "mercato.notifications.tasks",
    "mercato.catalog.tasks",
    "mercato.catalog.handlers",
    "mercato.payments.tasks",
    "mercato.orders.handlers",
    "mercato.orders.tasks",
    "mercato.payouts.handlers",
    "mercato.payouts.tasks",
    "mercato.search.handlers",
    "mercato.settlement.handlers",
    "mercato.settlement.tasks",
    "mercato.storefront.handlers",
    "mercato.commission.tasks",
    "mercato.reviews.handlers",
    "mercato.reviews.tasks",
    "mercato.disputes.handlers",
    "mercato.disputes.tasks",
    "mercato.governance.handlers",
    "mercato.governance.tasks",
    "mercato.performance.handlers",
    "mercato.performance.tasks",
    "mercato.audit.handlers",
    "mercato.audit.tasks",
)


def load_all_tasks() -> list[str]:
    """Import every task module; returns the names of all registered jobs, sorted."""
    for module in TASK_MODULES:
        importlib.import_module(module)
    return sorted(registered_jobs())
