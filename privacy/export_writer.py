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
from django.db.models.functions import Cast
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


def _timestamp_text(value):
    """A timestamp read as text from the database, as ISO 8601 in UTC.

    Parsing a million timestamps into datetimes only to print them again is
    most of an export's time, so they are read as text (PostgreSQL gives
    ``2026-03-01 10:00:00.5+00``, SQLite ``2026-03-01 10:00:00.5``).
    """
    if value is None:
        return None
    text = value.replace(" ", "T", 1)
    if text.endswith("+00"):
        return text + ":00"
    if len(text) > 19 and ("+" in text[19:] or "-" in text[19:] or text.endswith("Z")):
        return text
    return text + "+00:00"


def _json_text(value):
    return None if value is None else json.loads(value)


def _isoformat(value):
    return value.isoformat() if value is not None else None


def _text(value):
    return str(value) if value is not None else None


def _boolean_text(value):
    return "" if value is None else ("true" if value else "false")


@dataclass
class Column:
    """How one field is read (``select``, maybe through ``expression``) and
    written to JSON and CSV (``to_json``/``to_csv``; ``None`` = as read)."""

    name: str
    select: str
    expression: object = None
    to_json: Callable | None = None
    to_csv: Callable | None = None


def _column(field) -> Column:
    name = field.attname
    if isinstance(field, models.DateTimeField):
        return Column(
            name, f"_x_{name}", Cast(name, models.TextField()), _timestamp_text, _timestamp_text
        )
    if isinstance(field, models.JSONField):
        # Read the JSON text once: parsed for the JSON file, as-is for the CSV.
        return Column(name, f"_x_{name}", Cast(name, models.TextField()), _json_text, None)
    if isinstance(field, models.DateField | models.TimeField):
        return Column(name, name, None, _isoformat, _isoformat)
    if isinstance(field, models.BooleanField):
        return Column(name, name, None, None, _boolean_text)
    if isinstance(field, models.DecimalField | models.UUIDField):
        return Column(name, name, None, _text, _text)
    if isinstance(field, models.DurationField):
        seconds = lambda value: value.total_seconds() if value is not None else None  # noqa: E731
        return Column(name, name, None, seconds, seconds)
    if isinstance(field, models.BinaryField):
        encoded = lambda value: base64.b64encode(bytes(value)).decode() if value else None  # noqa: E731
        return Column(name, name, None, encoded, encoded)
    if isinstance(field, models.FileField):
        return Column(name, name, None, _text, _text)
    if field.is_relation or isinstance(
        field, models.IntegerField | models.FloatField | models.CharField | models.TextField
    ):
        return Column(name, name)
    # Anything unusual (a third-party field type): a string is always safe.
    safe = lambda value: value if value is None or isinstance(value, str | int) else str(value)  # noqa: E731
    return Column(name, name, None, safe, safe)


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
        chunks = (
            _postgres_chunks(section.queryset, fields, self.chunk_size)
            if _postgres_can_format(section.queryset, fields)
            else _python_chunks(section.queryset, fields, self.chunk_size)
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
                for json_lines, csv_rows in chunks:
                    separator = ",\n" if count else "\n"
                    encoded = (separator + ",\n".join(json_lines)).encode("utf-8")
                    json_hash.update(encoded)
                    json_out.write(encoded)
                    encoded = _encode(buffer, csv_writer, csv_rows)
                    csv_hash.update(encoded)
                    csv_file.write(encoded)
                    count += len(json_lines)
                    if not self.progress(len(json_lines)):
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


def _python_chunks(queryset, fields, chunk_size: int):
    """(JSON texts, CSV rows) per chunk, formatted in Python (any database)."""
    columns = [_column(field) for field in fields]
    names = [column.name for column in columns]
    annotations = {c.select: c.expression for c in columns if c.expression is not None}
    to_json = [(i, c.to_json) for i, c in enumerate(columns) if c.to_json is not None]
    to_csv = [(i, c.to_csv) for i, c in enumerate(columns) if c.to_csv is not None]
    encode_json = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode
    rows = (
        queryset.order_by("pk")
        .annotate(**annotations)
        .values_list(*[column.select for column in columns])
        .iterator(chunk_size=chunk_size)
    )
    for chunk in _chunks(rows, chunk_size):
        json_lines = [
            encode_json(dict(zip(names, row, strict=True))) for row in _apply(chunk, to_json)
        ]
        yield json_lines, _apply(chunk, to_csv)


# --- PostgreSQL formats the rows itself -----------------------------------------------------
#
# For big tables most of the time went into turning database values into Python
# objects and back into text. On PostgreSQL the database writes each row's JSON
# (row_to_json) and the CSV cells as text in the same query, so Python only
# moves strings: one pass, one snapshot, several times faster.

_POSTGRES_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.BooleanField,
    models.DateTimeField,
    models.DateField,
    models.TimeField,
    models.JSONField,
    models.DecimalField,
    models.UUIDField,
    models.GenericIPAddressField,
    models.FileField,
)


def _postgres_can_format(queryset, fields) -> bool:
    from django.db import connections

    if connections[queryset.db].vendor != "postgresql":
        return False
    return all(field.is_relation or isinstance(field, _POSTGRES_PLAIN) for field in fields)


def _postgres_chunks(queryset, fields, chunk_size: int):
    from django.db import connections

    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    # Text where the JSON must hold a string (as the Python path writes them).
    casts = {
        f"_x_{f.attname}": Cast(f.attname, models.TextField())
        for f in fields
        if isinstance(f, models.DecimalField | models.UUIDField | models.GenericIPAddressField)
    }
    selects = [f"_x_{f.attname}" if f"_x_{f.attname}" in casts else f.attname for f in fields]
    inner, params = (
        queryset.order_by("pk").annotate(**casts).values_list(*selects).query.sql_with_params()
    )
    cells = []
    for field in fields:
        column = f"t.{quote(field.attname)}"
        if isinstance(field, models.BooleanField):
            cells.append(f"CASE WHEN {column} THEN 'true' WHEN NOT {column} THEN 'false' END")
        elif isinstance(field, models.DateTimeField):
            cells.append(f"to_json({column}) #>> '{{}}'")  # the same ISO text as the JSON
        else:
            cells.append(f"{column}::text")
    aliases = ", ".join(quote(field.attname) for field in fields)
    # A simple projection over the ordered subquery keeps its ORDER BY.
    sql = (
        f"SELECT row_to_json(t)::text, {', '.join(cells)} "  # noqa: S608 - quoted names, bound values
        f"FROM ({inner}) AS t({aliases})"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield [row[0] for row in rows], [row[1:] for row in rows]


def _apply(chunk: list, converters: list) -> list:
    if not converters:
        return chunk
    converted = []
    for row in chunk:
        row = list(row)
        for index, convert in converters:
            row[index] = convert(row[index])
        converted.append(row)
    return converted


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
