"""Uploaded files go through the storage the operators chose (local files or an S3
bucket, controlplane.gateways.storage_backend), else the environment's. A change made in
the operator console takes effect without a restart: each call asks which storage is
current (a cached read) and builds it again only when that changed. Files stored before
a switch are not moved."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import IO, Any

from django.core.files.storage import Storage
from django.utils.module_loading import import_string

from controlplane.gateways import storage_backend


class GatewayStorage(Storage):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key = ""
        self._storage: Storage | None = None

    def current(self) -> Storage:
        spec = storage_backend()
        key = json.dumps(spec, sort_keys=True, default=str)
        with self._lock:
            if self._storage is None or key != self._key:
                backend = import_string(spec["BACKEND"])
                self._storage, self._key = backend(**(spec.get("OPTIONS") or {})), key
            return self._storage

    # Everything is the current storage's: names, files, URLs.
    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        return self.current().save(name, content, max_length=max_length)

    def open(self, name: str, mode: str = "rb") -> Any:
        return self.current().open(name, mode)

    def _open(self, name: str, mode: str = "rb") -> Any:
        return self.current().open(name, mode)

    def _save(self, name: str, content: IO[Any]) -> str:
        return self.current().save(name, content)

    def generate_filename(self, filename: Any) -> str:
        return self.current().generate_filename(filename)

    def get_valid_name(self, name: str) -> str:
        return self.current().get_valid_name(name)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.current().get_available_name(name, max_length=max_length)

    def get_alternative_name(self, file_root: str, file_ext: str) -> str:
        return self.current().get_alternative_name(file_root, file_ext)

    def path(self, name: str) -> str:
        return self.current().path(name)

    def delete(self, name: str) -> None:
        self.current().delete(name)

    def exists(self, name: str) -> bool:
        return self.current().exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.current().listdir(path)

    def size(self, name: str) -> int:
        return self.current().size(name)

    def url(self, name: str | None) -> str:
        return self.current().url(name)

    def get_accessed_time(self, name: str) -> datetime:
        return self.current().get_accessed_time(name)

    def get_created_time(self, name: str) -> datetime:
        return self.current().get_created_time(name)

    def get_modified_time(self, name: str) -> datetime:
        return self.current().get_modified_time(name)
