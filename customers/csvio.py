"""Reading operators' CSV files (whatever spreadsheet wrote them) and writing ours.

Spreadsheets write UTF-8 with or without a byte-order mark, Windows-1252,
commas or semicolons (in countries that use a decimal comma), and headers such
as "Phone number" or "E-mail". We accept all of those and name the columns the
same way inside.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from nettportal.errors import ValidationFailed

COLUMNS = (
    "name",
    "phone",
    "email",
    "type",
    "status",
    "address",
    "notes",
    "tags",
    "marketing_consent",
    "pppoe_username",
    "pppoe_password",
    "package",
    "router",
)
ALIASES = {
    "full_name": "name",
    "customer": "name",
    "customer_name": "name",
    "phone_number": "phone",
    "mobile": "phone",
    "msisdn": "phone",
    "telephone": "phone",
    "tel": "phone",
    "e_mail": "email",
    "email_address": "email",
    "customer_type": "type",
    "service_type": "type",
    "tag": "tags",
    "labels": "tags",
    "consent": "marketing_consent",
    "marketing": "marketing_consent",
    "username": "pppoe_username",
    "pppoe_user": "pppoe_username",
    "password": "pppoe_password",
    "pppoe_pass": "pppoe_password",
    "profile": "package",
    "plan": "package",
    "pppoe_profile": "package",
    "comment": "notes",
    "note": "notes",
}


class CsvFile:
    """A decoded CSV upload: header mapping and rows as dicts of our column names."""

    def __init__(self, data: bytes):
        self.text = _decode(data)
        sample = self.text[:8192]
        try:
            self.dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            self.dialect = csv.excel
        reader = csv.reader(io.StringIO(self.text), self.dialect)
        header, self.header_line = None, 0
        try:
            for cells in reader:
                self.header_line += 1
                if any(cell.strip() for cell in cells):
                    header = cells
                    break
        except csv.Error:
            raise ValidationFailed(_("This is not a readable CSV file."), field="file") from None
        if header is None:
            raise ValidationFailed(_("The file is empty."), field="file")
        self.raw_header = [cell.strip() for cell in header]
        self.mapping: list[str | None] = []
        seen = set()
        for cell in self.raw_header:
            key = _header_key(cell)
            if key in seen:
                raise ValidationFailed(
                    _("The column “%(col)s” appears twice.") % {"col": cell}, field="file"
                )
            seen.add(key)
            self.mapping.append(key if key in COLUMNS else None)
        if "name" not in self.mapping:
            raise ValidationFailed(
                _("The file needs a header row with at least a “name” column."), field="file"
            )
        self.columns = [key for key in self.mapping if key]
        self.ignored = [
            raw for raw, key in zip(self.raw_header, self.mapping, strict=True) if key is None
        ]

    def rows(self) -> Iterator[tuple[int, dict, list[str]]]:
        """(row number, {column: value}, raw cells) for each non-blank data row.

        Row 1 is the first line after the header, as spreadsheets number it
        minus one; the report also shows the file line (row + 1).
        """
        reader = csv.reader(io.StringIO(self.text), self.dialect)
        for _skipped in range(self.header_line):
            next(reader, None)
        number = 0
        try:
            for cells in reader:
                number += 1
                if not any(cell.strip() for cell in cells):
                    continue
                row = dict.fromkeys(self.columns, "")
                for key, cell in zip(self.mapping, cells, strict=False):
                    if key:
                        row[key] = cell.strip()
                if len(cells) > len(self.mapping):
                    row["__extra__"] = "1"
                yield number, row, cells
        except csv.Error as error:
            raise ValidationFailed(
                _("The file could not be read after row %(n)s (%(error)s).")
                % {"n": number, "error": error},
                field="file",
            ) from None

    def count_rows(self) -> int:
        return sum(1 for _row in self.rows())


def _header_key(cell: str) -> str:
    key = cell.strip().lower().replace("-", "_").replace(" ", "_")
    key = "".join(ch for ch in key if ch.isalnum() or ch == "_")
    return ALIASES.get(key, key)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


class Echo:
    """A file-like object whose ``write`` returns the text, for streaming csv.writer output."""

    def write(self, value):
        return value


def csv_line_writer():
    """``write(row) -> str``: one CSV line per call, quoted like spreadsheets expect.

    Cells that start with ``= + - @`` are prefixed with an apostrophe so a
    spreadsheet never runs them as formulas (CSV injection).
    """
    writer = csv.writer(Echo())

    def write(row) -> str:
        return writer.writerow([safe_cell(cell) for cell in row])

    return write


def safe_cell(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        if value[:1] == "+" and value[1:].isdigit():
            return value  # an E.164 phone number, not a formula
        return "'" + value
    return value
