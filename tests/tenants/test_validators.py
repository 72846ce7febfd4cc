import pytest
from django.core.exceptions import ValidationError

from tenants.validators import (
    schema_name_for,
    validate_custom_domain,
    validate_language,
    validate_slug,
    validate_timezone,
)


@pytest.mark.parametrize("slug", ["acme", "acme-support", "a1b", "x" * 50, "123"])
def test_valid_slugs(slug: str) -> None:
    validate_slug(slug)


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("ab", "length"),
        ("x" * 51, "length"),
        ("-acme", "characters"),
        ("acme-", "characters"),
        ("Acme", "characters"),
        ("ac_me", "characters"),
        ("ac.me", "characters"),
        ("acmé", "characters"),
        ("ac--me", "hyphens"),
        ("www", "reserved"),
        ("api", "reserved"),
        ("ops", "reserved"),
        ("admin", "reserved"),
        ("static", "reserved"),
    ],
)
def test_invalid_slugs_say_why(slug: str, code: str) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_slug(slug)
    assert raised.value.code == code
    assert raised.value.messages[0]


def test_schema_names_cannot_collide_with_platform_schemas() -> None:
    assert schema_name_for("acme-support") == "t_acme_support"
    assert schema_name_for("public").startswith("t_")


@pytest.mark.parametrize("domain", ["support.acme.com", "help.example.co.uk"])
def test_valid_custom_domains(domain: str) -> None:
    validate_custom_domain(domain)


@pytest.mark.parametrize(
    "domain", ["localhost", "acme.localhost", "bad_domain.com", "-a.com", "com"]
)
def test_invalid_custom_domains(domain: str) -> None:
    with pytest.raises(ValidationError):
        validate_custom_domain(domain)


def test_language_and_timezone() -> None:
    validate_language("fa")
    validate_timezone("Asia/Tehran")
    with pytest.raises(ValidationError, match="Unknown language"):
        validate_language("xx")
    with pytest.raises(ValidationError, match="Unknown time zone"):
        validate_timezone("Mars/Olympus")
