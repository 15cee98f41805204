"""Writes an export ZIP: a manifest, and one JSON and one CSV file per data class.

Rows are read with a streaming cursor in chunks and written straight into the
ZIP (the CSV goes to a temporary file beside it and is copied in after its
JSON twin), so memory stays flat however big the organisation is. Secret
fields are never read from the database at all.

Layout of the archive::

    manifest.json                 format version, generated at, scope, counts, files
    README.txt                    what the files are, in plain words
    data/<category>/<label>.json  a JSON array of objects, one per row
    data/<category>/<label>.csv   the same rows as CSV with a header line
"""

from __future__ import annotations

import base64
import csv
import datetime
import decimal
import hashlib
import io
import json
import os
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice

from django.db import models
from django.utils import timezone

from privacy.registry import DataClass

FORMAT = "nettportal-export"
FORMAT_VERSION = 1


class ExportCancelled(Exception):
    """The job was cancelled while the archive was being written."""


@dataclass
class Section:
    """One data class and the rows of it that go into the archive."""

    data_class: DataClass
    queryset: models.QuerySet


def _converter(field) -> Callable | None:
    """A function turning a database value into a JSON-ready one, or None."""
    if isinstance(field, models.DateTimeField | models.DateField | models.TimeField):
        return lambda value: value.isoformat() if value is not None else None
    if isinstance(field, models.DecimalField):
        return lambda value: str(value) if value is not None else None
    if isinstance(field, models.UUIDField):
        return lambda value: str(value) if value is not None else None
    if isinstance(field, models.DurationField):
        return lambda value: value.total_seconds() if value is not None else None
    if isinstance(field, models.BinaryField):
        return lambda value: base64.b64encode(bytes(value)).decode() if value else None
    if isinstance(field, models.FileField):
        return lambda value: str(value) if value else ""
    if field.is_relation or isinstance(field, models.JSONField):
        return None
    if isinstance(field, models.IntegerField | models.FloatField | models.BooleanField):
        return None
    if isinstance(field, models.CharField | models.TextField):
        return None
    # Anything unusual (a third-party field type): a string is always safe.
    return lambda value: value if value is None or isinstance(value, str | int) else str(value)


def _csv_value(value):
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _json_default(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _chunks(iterable: Iterable, size: int):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def section_path(data_class: DataClass, extension: str) -> str:
    return f"data/{data_class.category}/{data_class.label}.{extension}"


class ExportWriter:
    """Writes sections into ``path``; ``progress(rows)`` is called after each chunk
    and returns False when the job was cancelled."""

    def __init__(
        self,
        path: str,
        *,
        scope: dict,
        chunk_size: int = 2000,
        progress: Callable[[int], bool] | None = None,
        compresslevel: int = 6,
    ):
        self.path = path
        self.scope = scope
        self.chunk_size = chunk_size
        self.progress = progress or (lambda rows: True)
        self.compresslevel = compresslevel
        self.entries: list[dict] = []

    def write(self, sections: list[Section]) -> dict:
        directory = os.path.dirname(self.path) or "."
        with zipfile.ZipFile(
            self.path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=self.compresslevel
        ) as archive:
            for section in sections:
                self.entries.append(self._write_section(archive, section, directory))
            manifest = self.manifest()
            archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
            archive.writestr("README.txt", README)
        return manifest

    def manifest(self) -> dict:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "generated_at": timezone.now().isoformat(),
            "scope": self.scope,
            "counts": {entry["label"]: entry["rows"] for entry in self.entries},
            "total_rows": sum(entry["rows"] for entry in self.entries),
            "data_classes": self.entries,
        }

    def _write_section(self, archive: zipfile.ZipFile, section: Section, directory: str) -> dict:
        data_class = section.data_class
        fields = data_class.export_fields()
        names = [field.attname for field in fields]
        converters = [(index, conv) for index, f in enumerate(fields) if (conv := _converter(f))]
        rows = (
            section.queryset.order_by("pk").values_list(*names).iterator(chunk_size=self.chunk_size)
        )
        json_name = section_path(data_class, "json")
        csv_name = section_path(data_class, "csv")
        json_hash, csv_hash = hashlib.sha256(), hashlib.sha256()
        count = 0
        buffer = io.StringIO()
        csv_writer = csv.writer(buffer, lineterminator="\n")
        with tempfile.NamedTemporaryFile(dir=directory, suffix=".csv.part") as csv_file:
            header = _encode(buffer, csv_writer, [names])
            csv_hash.update(header)
            csv_file.write(header)
            with archive.open(json_name, "w", force_zip64=True) as json_out:
                json_out.write(b"[")
                json_hash.update(b"[")
                for chunk in _chunks(rows, self.chunk_size):
                    values = []
                    for row in chunk:
                        row = list(row)
                        for index, convert in converters:
                            row[index] = convert(row[index])
                        values.append(row)
                    separator = ",\n" if count else "\n"
                    text = separator + ",\n".join(
                        json.dumps(
                            dict(zip(names, row, strict=True)),
                            ensure_ascii=False,
                            default=_json_default,
                        )
                        for row in values
                    )
                    encoded = text.encode("utf-8")
                    json_hash.update(encoded)
                    json_out.write(encoded)
                    encoded = _encode(
                        buffer, csv_writer, ([_csv_value(v) for v in row] for row in values)
                    )
                    csv_hash.update(encoded)
                    csv_file.write(encoded)
                    count += len(values)
                    if not self.progress(len(values)):
                        raise ExportCancelled
                tail = b"\n]\n" if count else b"]\n"
                json_out.write(tail)
                json_hash.update(tail)
            csv_file.flush()
            archive.write(csv_file.name, arcname=csv_name)
        return {
            "label": data_class.label,
            "category": data_class.category,
            "rows": count,
            "fields": names,
            "personal_fields": list(data_class.personal_fields),
            "omitted_secret_fields": sorted(data_class.all_secret_fields()),
            "files": {"json": json_name, "csv": csv_name},
            "sha256": {"json": json_hash.hexdigest(), "csv": csv_hash.hexdigest()},
        }


def _encode(buffer: io.StringIO, writer, rows) -> bytes:
    buffer.seek(0)
    buffer.truncate()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


README = """NettPortal data export
======================

manifest.json lists what this archive holds: the format version, when it was
generated, whose data it is, and for every data class the number of rows, the
fields, and the files with their SHA-256 checksums.

Every data class comes twice under data/<category>/:
  <label>.json  a JSON array with one object per row
  <label>.csv   the same rows as CSV (UTF-8, comma-separated, header line)

Dates and times are ISO 8601 in UTC. Fields ending in _id hold the id of a
row in another file (for example organization_id, user_id, customer_id).
Secrets (passwords, router and payment-processor credentials, API keys,
two-factor secrets) are never exported; the manifest names the fields left out.
"""
