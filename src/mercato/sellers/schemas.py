from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class SellerStatus(StrEnum):
    APPLYING = "applying"
    ADMITTED = "admitted"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class SellerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    business_name: str
    status: SellerStatus
    created_at: datetime
