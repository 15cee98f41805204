"""Voucher batches: creating them and filling them with codes, fast.

Generation fills a batch up to its quantity in chunks, each chunk its own
transaction, so the progress bar moves, a crash loses at most one chunk, and
running the task again simply continues (it is idempotent).

Each chunk is drawn with :func:`vouchers.codes.random_strings` and loaded in
bulk. On PostgreSQL the rows go through ``COPY`` into a temporary table and
one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` into the voucher table; on
other databases ``bulk_create(ignore_conflicts=True)`` does the same job. The
unique constraint on ``(organization, lookup)`` is the judge of uniqueness:
codes that collide (with older codes, or with a batch generated at the same
moment) are simply not inserted, and only that many fresh codes are drawn
again.
"""

from __future__ import annotations

import logging
from datetime import datetime
from string import Formatter

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from nettportal.errors import ApplicationError, ValidationFailed
from nettportal.jobs import job_create, job_finish, job_progress, job_start
from nettportal.models import BackgroundJob
from vouchers.codes import (
    ALPHABETS,
    MAX_PIN,
    MIN_PIN,
    CodeFormat,
    CodeFormatError,
    random_pins,
    random_strings,
)
from vouchers.models import Package, Voucher, VoucherBatch

logger = logging.getLogger(__name__)

MAX_QUANTITY = 100_000
CHUNK_SIZE = 10_000
MAX_ROUNDS = 50  # collision rounds per chunk before giving up (never reached in practice)
QR_PLACEHOLDERS = {"code", "org"}


class GenerationFailed(ApplicationError):
    code = "generation_failed"


# ------------------------------------------------------------------ validation
def validate_qr_url_template(template: str) -> str:
    template = (template or "").strip()
    if not template:
        return ""
    if not template.startswith(("https://", "http://")):
        raise ValidationFailed(
            "The QR link must start with https:// or http://.", field="qr_url_template"
        )
    try:
        names = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
    except ValueError:
        raise ValidationFailed(
            "The QR link has an unmatched { or }.", field="qr_url_template"
        ) from None
    unknown = names - QR_PLACEHOLDERS
    if unknown:
        raise ValidationFailed(
            f"Unknown placeholder {{{sorted(unknown)[0]}}}: use {{code}} and {{org}}.",
            field="qr_url_template",
        )
    if "code" not in names:
        raise ValidationFailed(
            "Put {code} in the QR link so the landing page gets the voucher code.",
            field="qr_url_template",
        )
    return template


def _validate(*, organization, package, quantity, code_format, pin_length, expires_at, note):
    if package.organization_id != organization.pk:
        raise ValidationFailed("Choose one of your packages.", field="package")
    if not package.is_active:
        raise ValidationFailed(
            "This package is inactive; activate it before printing vouchers.", field="package"
        )
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationFailed(f"Choose between 1 and {MAX_QUANTITY:,} vouchers.", field="quantity")
    existing = Voucher.objects.filter(status=Voucher.Status.UNUSED).count()
    try:
        code_format.validate(quantity=quantity, existing=existing)
    except CodeFormatError as error:
        raise ValidationFailed(str(error), field="code_length") from None
    if pin_length and not MIN_PIN <= pin_length <= MAX_PIN:
        raise ValidationFailed(
            f"A PIN has between {MIN_PIN} and {MAX_PIN} digits (or 0 for none).",
            field="pin_length",
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed("The expiry date must be in the future.", field="expires_at")
    if len(note) > 200:
        raise ValidationFailed("Keep the note under 200 characters.", field="note")


# -------------------------------------------------------------------- services
@transaction.atomic
def voucher_batch_create(
    *,
    organization,
    actor,
    package: Package,
    quantity: int,
    code_length: int = 8,
    prefix: str = "",
    group_size: int = 4,
    separator: str = "-",
    alphabet: str = "mixed",
    pin_length: int = 0,
    expires_at: datetime | None = None,
    note: str = "",
    qr_url_template: str = "",
    enqueue: bool = True,
) -> VoucherBatch:
    """Record a batch and enqueue its generation (after the commit).

    ``enqueue=False`` leaves generation to the caller (the management command
    and the bench generate in the same process with :func:`voucher_batch_generate`).
    """
    prefix = (prefix or "").strip().upper()
    code_format = CodeFormat(
        length=code_length,
        prefix=prefix,
        group_size=group_size,
        separator=separator,
        alphabet=alphabet,
    )
    note = (note or "").strip()
    _validate(
        organization=organization,
        package=package,
        quantity=quantity,
        code_format=code_format,
        pin_length=pin_length,
        expires_at=expires_at,
        note=note,
    )
    qr_url_template = validate_qr_url_template(qr_url_template)
    job = job_create(
        organization=organization,
        kind="voucher_batch",
        title=f"Generating {quantity:,} vouchers for {package.name}",
        total=quantity,
        actor=actor,
    )
    batch = VoucherBatch.objects.create(
        organization=organization,
        package=package,
        quantity=quantity,
        code_length=code_length,
        prefix=prefix,
        group_size=group_size,
        separator=separator,
        alphabet=alphabet,
        pin_length=pin_length,
        expires_at=expires_at,
        note=note,
        qr_url_template=qr_url_template,
        job=job,
        created_by=actor,
    )
    logger.info(
        "voucher batch %s (%s codes) created by user %s",
        batch.pk,
        quantity,
        getattr(actor, "pk", None),
    )
    if enqueue:
        from vouchers.tasks import generate_voucher_batch_task

        org_id, batch_id = organization.pk, batch.pk
        transaction.on_commit(lambda: generate_voucher_batch_task.delay(org_id, batch_id))
    return batch


def voucher_batch_generate(*, batch_id: int, chunk_size: int = CHUNK_SIZE) -> VoucherBatch:
    """Fill the batch up to its quantity; safe to run again after a crash."""
    batch = VoucherBatch.objects.select_related("package").get(pk=batch_id)
    if batch.status == VoucherBatch.Status.READY:
        return batch
    done = Voucher.objects.filter(batch=batch).count()
    if batch.job_id:
        job_start(batch.job_id, total=batch.quantity)
        job_progress(batch.job_id, done=done)
    try:
        while done < batch.quantity:
            size = min(chunk_size, batch.quantity - done)
            with transaction.atomic():
                _fill_chunk(batch, size)
            done += size
            if batch.job_id:
                job_progress(batch.job_id, done=done)
    except Exception as error:
        VoucherBatch.objects.filter(pk=batch.pk).update(
            status=VoucherBatch.Status.FAILED, generated_count=done
        )
        if batch.job_id:
            message = error.message if isinstance(error, ApplicationError) else "Generation failed."
            job_finish(batch.job_id, status=BackgroundJob.Status.FAILED, message=message)
        logger.exception("voucher batch %s: generation failed after %s codes", batch.pk, done)
        raise
    VoucherBatch.objects.filter(pk=batch.pk).update(
        status=VoucherBatch.Status.READY, generated_count=done
    )
    if batch.job_id:
        job_finish(batch.job_id, message=f"{done:,} vouchers ready.", result={"count": done})
    batch.status, batch.generated_count = VoucherBatch.Status.READY, done
    logger.info("voucher batch %s: %s codes generated", batch.pk, done)
    return batch


def _fill_chunk(batch: VoucherBatch, size: int) -> None:
    code_format = batch.code_format
    insert = _insert_copy if connection.vendor == "postgresql" else _insert_orm
    missing = size
    for _round in range(MAX_ROUNDS):
        rows = _draw(code_format, missing, batch.pin_length)
        missing -= insert(batch, rows)
        if missing <= 0:
            return
        logger.info("voucher batch %s: %s code(s) collided; drawing again", batch.pk, missing)
    raise GenerationFailed("Could not find enough unused codes; use longer codes.")


def _draw(code_format: CodeFormat, count: int, pin_length: int) -> list[tuple[str, str, str]]:
    """``count`` distinct (code, lookup, pin) rows."""
    display, prefix = code_format.formatter(), code_format.prefix
    seen: set[str] = set()
    rows: list[tuple[str, str, str]] = []
    while len(rows) < count:
        need = count - len(rows)
        randoms = random_strings(need, code_format.length, code_format.alphabet)
        pins = random_pins(need, pin_length) if pin_length else [""] * need
        for random_part, pin in zip(randoms, pins, strict=True):
            lookup = prefix + random_part
            if lookup in seen:
                continue
            seen.add(lookup)
            rows.append((display(random_part), lookup, pin))
    return rows


def _common_values(batch: VoucherBatch) -> dict:
    return {
        "organization_id": batch.organization_id,
        "batch_id": batch.pk,
        "package_id": batch.package_id,
        "status": str(Voucher.Status.UNUSED),
        "source": str(Voucher.Source.BATCH),
        "unsold_expires_at": batch.expires_at,
        "created_at": timezone.now(),
        "used_seconds": 0,
        "used_bytes": 0,
        "usage_base_seconds": 0,
        "usage_base_bytes": 0,
        "device_mac": "",
        "currency": "",
    }


_TEMP_TABLE = "vouchers_new_codes"
UNIQUE_VIOLATION = "23505"


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _copy_text(rows, head: str = "") -> bytes:
    """COPY text for ``rows`` of (code, lookup, pin), each line starting with ``head``.

    Codes, look-ups and PINs are letters, digits, dashes and spaces (see
    vouchers.codes), so they need no escaping; building the text in one go
    costs a fraction of adapting 100,000 rows value by value.
    """
    return "".join(f"{head}{code}\t{lookup}\t{pin}\n" for code, lookup, pin in rows).encode()


def _insert_copy(batch: VoucherBatch, rows: list[tuple[str, str, str]]) -> int:
    """PostgreSQL: COPY straight into the voucher table; if a code collides
    (the COPY fails as a whole), load through a temporary table and one
    conflict-safe INSERT instead."""
    table = Voucher._meta.db_table
    common = _common_values(batch)
    columns = list(common)
    values = [common[column] for column in columns]
    head = "".join(_copy_field(value) + "\t" for value in values)
    with connection.cursor() as cursor:
        # Safe: a chunk lost in a crash is regenerated by the next run, and the
        # batch's final "ready" commit is synchronous, flushing every chunk.
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        statement = f"COPY {table} ({', '.join(columns)}, code, lookup, pin) FROM STDIN"
        try:
            with (
                transaction.atomic(),
                connection.wrap_database_errors,
                cursor.copy(statement) as copy,
            ):
                copy.write(_copy_text(rows, head))
            return len(rows)
        except IntegrityError as error:
            if getattr(error.__cause__, "sqlstate", None) != UNIQUE_VIOLATION:
                raise
            # Some code is taken; the conflict-safe path below skips it.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_TEMP_TABLE} "
            "(code varchar(40), lookup varchar(40), pin varchar(8)) ON COMMIT DELETE ROWS"
        )
        with cursor.copy(f"COPY {_TEMP_TABLE} (code, lookup, pin) FROM STDIN") as copy:
            copy.write(_copy_text(rows))
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}, code, lookup, pin) "  # noqa: S608 - names from our model
            f"SELECT {placeholders}, code, lookup, pin FROM {_TEMP_TABLE} "
            "ON CONFLICT (organization_id, lookup) DO NOTHING",
            values,
        )
        inserted = cursor.rowcount
        cursor.execute(f"TRUNCATE {_TEMP_TABLE}")
    return inserted


def _insert_orm(batch: VoucherBatch, rows: list[tuple[str, str, str]]) -> int:
    """Any database: bulk_create that skips conflicting codes; count what landed."""
    common = _common_values(batch)
    before = Voucher.objects.filter(batch=batch).count()
    Voucher.objects.bulk_create(
        [Voucher(code=code, lookup=lookup, pin=pin, **common) for code, lookup, pin in rows],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return Voucher.objects.filter(batch=batch).count() - before


def alphabet_choices():
    return [(key, key) for key in ALPHABETS]
