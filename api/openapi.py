"""Post-processing of the generated OpenAPI document: every operation can answer with
an RFC 9457 problem, and says so."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "Stable machine-readable error code."},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Messages per field, for invalid input.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}

PROBLEM_STATUSES = {
    "400": "Bad request",
    "401": "Missing, unknown, revoked or expired API key",
    "403": "The key or account may not do this",
    "404": "Not found (or not visible to this key)",
    "405": "Method not allowed",
    "409": "Conflicts with the ticket's state (transition, lock, duplicate, idempotency key)",
    "415": "Unsupported media type",
    "422": "Invalid input, with errors per field",
    "429": "Rate limit exceeded; see Retry-After",
}


def add_problem_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    reference = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in PROBLEM_STATUSES.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/problem+json": {"schema": reference}},
                    },
                )
    return result


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key created by a tenant admin: `Authorization: Bearer cw_…`.",
        }


class AgentSessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.AgentSessionAuthentication"
    name = "Session"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
