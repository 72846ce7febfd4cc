"""What a tenant's plan allows, as the core reads it: ``tenant.limits``.

``billing/`` writes the plan's limits into ``Tenant.plan_limits`` whenever the plan or
the subscription changes; the core and the features only read them here, so nothing
below billing imports it. An empty value (a tenant billing never touched, or a comped
tenant) means no limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TenantLimits:
    #: ``None`` means unlimited.
    agents: int | None = None
    departments: int | None = None
    storage_mb: int | None = None
    sms_per_month: int | None = None
    sla_escalation_levels: int | None = None
    features: frozenset[str] = field(default_factory=frozenset)
    #: Name of the plan, for messages ("your plan allows 3 agents").
    plan_name: str = ""
    #: True when the plan defines the features; otherwise every feature is on.
    restricts_features: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> TenantLimits:
        data = data or {}

        def number(key: str) -> int | None:
            value = data.get(key)
            return int(value) if isinstance(value, int | float) and value >= 0 else None

        features = data.get("features")
        return cls(
            agents=number("agents"),
            departments=number("departments"),
            storage_mb=number("storage_mb"),
            sms_per_month=number("sms_per_month"),
            sla_escalation_levels=number("sla_escalation_levels"),
            features=frozenset(str(f) for f in features)
            if isinstance(features, list)
            else (frozenset()),
            plan_name=str(data.get("plan_name", "")),
            restricts_features=isinstance(features, list),
        )

    def has_feature(self, name: str) -> bool:
        return not self.restricts_features or name in self.features
