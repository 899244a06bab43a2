"""Every domain's tables, imported in one place so the metadata Alembic sees is complete."""

from mercato.accounts import models as accounts_models
from mercato.audit import models as audit_models
from mercato.cart import models as cart_models
from mercato.catalog import models as catalog_models
from mercato.commission import models as commission_models
from mercato.disputes import models as disputes_models
from mercato.governance import models as governance_models
from mercato.kit import outbox as kit_outbox
from mercato.kit.db import Base
from mercato.notifications import models as notifications_models
from mercato.orders import models as orders_models
from mercato.payments import models as payments_models
from mercato.payouts import models as payouts_models
from mercato.performance import models as performance_models
from mercato.reviews import models as reviews_models
from mercato.search import models as search_models
from mercato.sellers import models as sellers_models
from mercato.settlement import models as settlement_models

metadata = Base.metadata

__all__ = [
    "accounts_models",
    "audit_models",
    "cart_models",
    "catalog_models",
    "commission_models",
    "disputes_models",
    "governance_models",
    "kit_outbox",
    "metadata",
    "notifications_models",
    "orders_models",
    "payments_models",
    "payouts_models",
    "performance_models",
    "reviews_models",
    "search_models",
    "sellers_models",
    "settlement_models",
]
