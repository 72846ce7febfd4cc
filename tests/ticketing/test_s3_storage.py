"""Attachments go through Django storage: with S3 configured they land in the bucket
(S3 is mocked with moto: the real service cannot be reached from here)."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from django.core.files.storage import storages
from moto import mock_aws

from tests.ticketing.factories import make_ticket
from ticketing.models import Attachment, Department

BUCKET = "caseway-test-attachments"


@pytest.fixture
def s3_bucket(settings: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="eu-central-1")
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
        )
        settings.STORAGES = {  # type: ignore[attr-defined]
            **settings.STORAGES,  # type: ignore[attr-defined]
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "eu-central-1",
                    "default_acl": None,
                },
            },
        }
        storages._storages.pop("default", None)  # type: ignore[attr-defined]
        yield client
        storages._storages.pop("default", None)  # type: ignore[attr-defined]


def test_attachment_is_stored_in_the_bucket(support: Department, s3_bucket: object) -> None:
    ticket = make_ticket(department=support, attachments=[("log.txt", b"line one\nline two\n")])
    attachment = Attachment.objects.get(ticket=ticket)
    key = str(attachment.file.name)
    assert key.startswith("t_alpha/attachments/")
    body = s3_bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()  # type: ignore[attr-defined]
    assert body == b"line one\nline two\n"
    assert "X-Amz-Signature" in attachment.file.url or "Signature" in attachment.file.url
