"""Provisioning: the script and the pool build what migrations build, all or nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.db import connection
from tenants.errors import InvalidTenantInput, SlugUnavailable, TemplateMissing
from tenants.models import PooledSchema, SchemaTemplate, Tenant, TenantStatus
from tenants.provisioning import template
from tenants.provisioning.pool import pool_discard_stale, pool_refill, pool_size_ready
from tenants.provisioning.template import schema_build, schema_drop, schema_exists
from tenants.services import tenant_create


def _create(slug: str, **overrides: object) -> Tenant:
    arguments: dict[str, object] = {
        "slug": slug,
        "name": f"{slug.title()} Ltd",
        "admin_email": f"admin@{slug}.example",
    }
    arguments.update(overrides)
    return tenant_create(**arguments).tenant


def test_tenant_from_the_pool_has_a_working_schema(db: None) -> None:
    pool_refill(target=1)
    ready = pool_size_ready()
    result = tenant_create(
        slug="pooled",
        name="Pooled",
        admin_email="Boss@Pooled.example",
        admin_password="s3cret-pass",
    )
    assert result.from_pool
    assert pool_size_ready() == ready - 1
    tenant = result.tenant
    assert tenant.status == TenantStatus.ACTIVE
    assert tenant.schema_name == "t_pooled"
    assert tenant.settings.portal_title == "Pooled"
    with schema_context("t_pooled"):
        admin = User.objects.get()
        assert admin.email == "boss@pooled.example"
        assert admin.check_password("s3cret-pass")
        assert admin.is_superuser


def test_tenant_built_from_the_script_when_the_pool_is_empty(db: None) -> None:
    PooledSchema.objects.all().delete()  # rolled back with the test
    result = tenant_create(slug="scripted", name="Scripted", admin_email="a@scripted.example")
    assert not result.from_pool
    with schema_context("t_scripted"):
        assert User.objects.count() == 1
        assert not User.objects.get().has_usable_password()


def test_failure_part_way_leaves_nothing(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    pool_refill(target=1)
    pooled_before = set(PooledSchema.objects.values_list("schema_name", flat=True))

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("tenants.services._create_first_admin", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        _create("broken")
    assert not Tenant.objects.filter(slug="broken").exists()
    assert not schema_exists("t_broken")
    assert set(PooledSchema.objects.values_list("schema_name", flat=True)) == pooled_before
    assert all(schema_exists(name) for name in pooled_before)
    monkeypatch.undo()
    assert _create("broken").status == TenantStatus.ACTIVE  # and a retry succeeds


def test_script_failure_part_way_leaves_nothing(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    PooledSchema.objects.all().delete()
    current = template.current_template()
    current.script += "\nCREATE TABLE __caseway_schema__.accounts_user (id int);\n"
    monkeypatch.setattr("tenants.services.current_template", lambda: current)
    with pytest.raises(Exception, match="already exists"):
        _create("halfway")
    assert not Tenant.objects.filter(slug="halfway").exists()
    assert not schema_exists("t_halfway")


def test_repeating_a_successful_request_is_harmless(db: None) -> None:
    first = tenant_create(slug="again", name="Again", admin_email="a@again.example")
    second = tenant_create(slug="again", name="Again", admin_email="A@again.example")
    assert second.tenant.pk == first.tenant.pk
    assert not second.created
    with pytest.raises(SlugUnavailable, match="already taken"):
        tenant_create(slug="again", name="Other", admin_email="someone@else.example")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"slug": "www"}, "slug"),
        ({"slug": "no_underscores"}, "slug"),
        ({"admin_email": "not-an-email"}, "admin_email"),
        ({"language": "de"}, "language"),
        ({"timezone_name": "Nowhere/Land"}, "timezone"),
        ({"domain": "acme.localhost"}, "domain"),
        ({"name": "  "}, "name"),
    ],
)
def test_invalid_input_is_refused_before_any_write(
    db: None, overrides: dict[str, str], field: str
) -> None:
    count = Tenant.objects.count()
    with pytest.raises(InvalidTenantInput) as raised:
        _create(str(overrides.pop("slug", "valid-slug")), **overrides)
    assert raised.value.field == field
    assert Tenant.objects.count() == count


def test_stale_template_is_never_used(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(template, "migrations_fingerprint", lambda: "f" * 64)
    with pytest.raises(TemplateMissing, match=r"manage\.py migrate"):
        _create("stale")
    assert not Tenant.objects.filter(slug="stale").exists()


def test_pool_discards_schemas_of_other_migrations(db: None) -> None:
    schema_build("caseway_pool_oldcode")
    PooledSchema.objects.create(schema_name="caseway_pool_oldcode", fingerprint="0" * 64)
    schema_build("caseway_pool_orphan")  # built, never registered (a crash)
    pool_discard_stale()
    assert not schema_exists("caseway_pool_oldcode")
    assert not schema_exists("caseway_pool_orphan")
    assert not PooledSchema.objects.filter(schema_name="caseway_pool_oldcode").exists()


# --- the script builds exactly what migrations build --------------------------------------


def _dump_schema_only(schema_name: str) -> str:
    dump = template._pg_dump(schema_name, with_data=False)
    ddl = [_same_check(line) for line in dump.splitlines() if not line.startswith(("\\", "--"))]
    return re.sub(rf"\b{schema_name}\b", "SCHEMA", "\n".join(ddl))


def _same_check(line: str) -> str:
    """PostgreSQL prints a re-parsed ``col IN (...)`` CHECK with its casts placed
    differently (``ANY ((ARRAY['a'::varchar])::text[])`` becomes ``ANY (ARRAY[('a'::
    varchar)::text])``): the same constraint, so casts and brackets are not compared."""
    if "CHECK" not in line and "ANY (" not in line:
        return line
    return re.sub(r"::[a-z ]+(\[\])?|[()]", "", line)


def _seed_rows(schema_name: str) -> dict[str, list[tuple[object, ...]]]:
    queries = {
        "migrations": "SELECT app, name FROM {s}.django_migrations ORDER BY app, name",
        "content_types": "SELECT id, app_label, model FROM {s}.django_content_type ORDER BY id",
        "permissions": "SELECT id, content_type_id, codename FROM {s}.auth_permission ORDER BY id",
    }
    with connection.cursor() as cursor:
        rows = {}
        for name, sql in queries.items():
            cursor.execute(sql.format(s=f'"{schema_name}"'))
            rows[name] = cursor.fetchall()
    return rows


@pytest.fixture
def committed_schemas(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> Iterator[list[str]]:
    """Schemas a separate pg_dump process must see, so they are committed and dropped."""
    names: list[str] = []
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        yield names
        connection.set_schema_to_public()
        for name in names:
            schema_drop(name)


def test_replayed_schema_is_identical_to_a_migrated_one(
    committed_schemas: list[str], django_db_setup: None
) -> None:
    committed_schemas += ["cmp_migrated", "cmp_replayed"]
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "cmp_migrated"')
    call_command("migrate_schemas", schema_name="cmp_migrated", interactive=False, verbosity=0)
    connection.set_schema_to_public()
    schema_build("cmp_replayed")

    migrated, replayed = _dump_schema_only("cmp_migrated"), _dump_schema_only("cmp_replayed")
    assert "CREATE TABLE SCHEMA.accounts_user" in migrated
    assert replayed == migrated
    assert _seed_rows("cmp_replayed") == _seed_rows("cmp_migrated")


def test_migrate_recaptures_the_template_only_when_migrations_change(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        before = SchemaTemplate.objects.get()
        call_command("migrate", interactive=False, verbosity=0)
        assert SchemaTemplate.objects.get().created_at == before.created_at
        assert pool_size_ready() >= 1
