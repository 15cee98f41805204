"""CSV import: upload → preview with per-row errors → import valid rows or nothing.

The upload is checked (header, size, row limit) and stored in private storage;
every row is then validated in chunks (progress on a BackgroundJob) and the
errors are kept per row. Importing validates again inside one transaction —
the customers may have changed since the preview — and either saves the valid
rows or, when the operator asked for all-or-nothing and any row fails, saves
nothing. The report (every row with its outcome) is rebuilt from the file.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers import validation
from customers.csvio import CsvFile
from customers.models import Customer, CustomerEvent, CustomerImport
from customers.packages import known_packages
from nettportal.errors import Conflict, ValidationFailed
from nettportal.jobs import job_create, job_finish, job_progress, job_start
from nettportal.models import BackgroundJob

logger = logging.getLogger(__name__)

CHUNK = 1000
TYPE_WORDS = {
    "hotspot": Customer.Type.HOTSPOT,
    "hot spot": Customer.Type.HOTSPOT,
    "hot-spot": Customer.Type.HOTSPOT,
    "pppoe": Customer.Type.PPPOE,
    "ppp": Customer.Type.PPPOE,
}
STATUS_WORDS = {
    "active": Customer.Status.ACTIVE,
    "suspended": Customer.Status.SUSPENDED,
    "closed": Customer.Status.CLOSED,
}


def storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.PRIVATE_STORAGE_ROOT)


@dataclass
class CleanRow:
    number: int
    name: str
    phone: str
    email: str
    customer_type: str
    status: str
    address: str
    notes: str
    tags: list[str]
    marketing_consent: bool
    pppoe: dict | None = None


@dataclass
class RowChecker:
    """Validates rows in chunks, remembering what earlier rows of the file used."""

    organization: object
    seen_phones: dict = field(default_factory=dict)
    seen_usernames: dict = field(default_factory=dict)
    packages: dict = field(default_factory=dict)
    routers: dict | None = None

    def __post_init__(self):
        self.region = self.organization.country
        self.packages = known_packages()
        from customers.services.pppoe import router_choices_by_name

        self.routers = router_choices_by_name()

    def check(self, chunk: list[tuple[int, dict]]) -> list[tuple[int, CleanRow | None, list[str]]]:
        results = []
        for number, raw in chunk:
            errors: list[str] = []
            row = self._clean(number, raw, errors)
            results.append((number, row, errors))
        self._check_database(results)
        return results

    def _clean(self, number: int, raw: dict, errors: list[str]) -> CleanRow | None:
        def take(column, func, *args, default=""):
            try:
                return func(raw.get(column, ""), *args)
            except ValidationError as error:
                errors.append(f"{column}: {error.messages[0]}")
                return default

        if raw.get("__extra__"):
            errors.append(_("The row has more cells than the header has columns."))
        name = take("name", validation.clean_name)
        phone = take("phone", validation.clean_phone, self.region)
        email = take("email", validation.clean_email)
        tags = take("tags", validation.split_tags, default=[])
        consent = take("marketing_consent", validation.parse_bool, default=False)
        username = (raw.get("pppoe_username") or "").strip()
        kind_word = (raw.get("type") or "").strip().lower()
        if kind_word:
            customer_type = TYPE_WORDS.get(kind_word)
            if customer_type is None:
                errors.append(_("type: write hotspot or pppoe."))
        else:
            customer_type = Customer.Type.PPPOE if username else Customer.Type.HOTSPOT
        status_word = (raw.get("status") or "").strip().lower()
        status = STATUS_WORDS.get(status_word or "active")
        if status is None:
            errors.append(_("status: write active, suspended or closed."))
        address = (raw.get("address") or "").strip()
        if len(address) > 300:
            errors.append(_("address: at most 300 characters."))
        if phone:
            first = self.seen_phones.setdefault(phone, number)
            if first != number:
                errors.append(
                    _("phone: the same number is on row %(row)s of this file.") % {"row": first}
                )
        pppoe = None
        if username or raw.get("package") or raw.get("pppoe_password"):
            pppoe = self._clean_pppoe(number, raw, errors, customer_type)
        if errors:
            return None
        return CleanRow(
            number=number,
            name=name,
            phone=phone,
            email=email,
            customer_type=customer_type,
            status=status,
            address=address,
            notes=(raw.get("notes") or "").strip(),
            tags=tags,
            marketing_consent=consent,
            pppoe=pppoe,
        )

    def _clean_pppoe(self, number, raw, errors, customer_type) -> dict | None:
        before = len(errors)
        if customer_type != Customer.Type.PPPOE:
            errors.append(_("type: PPPoE columns are filled but the type is hotspot."))
        try:
            username = validation.clean_username(raw.get("pppoe_username", ""))
        except ValidationError as error:
            errors.append(f"pppoe_username: {error.messages[0]}")
            username = ""
        try:
            password = validation.clean_password(raw.get("pppoe_password", ""))
        except ValidationError as error:
            errors.append(f"pppoe_password: {error.messages[0]}")
            password = ""
        package_name = (raw.get("package") or "").strip()
        package = self.packages.get(package_name.lower()) if package_name else None
        if not package_name:
            errors.append(_("package: a PPPoE customer needs a package."))
        elif package is None:
            errors.append(_("package: unknown package “%(name)s”.") % {"name": package_name})
        router_id = self._router(raw.get("router", ""), errors)
        if username:
            first = self.seen_usernames.setdefault(username.lower(), number)
            if first != number:
                errors.append(
                    _("pppoe_username: the same username is on row %(row)s of this file.")
                    % {"row": first}
                )
        if len(errors) > before:
            return None
        return {
            "username": username,
            "password": password,
            "profile": package.profile,
            "rate_limit": package.rate_limit,
            "router_id": router_id,
        }

    def _router(self, value: str, errors: list[str]) -> int | None:
        name = (value or "").strip().lower()
        if not name:
            if len(self.routers) == 1:
                return next(iter(self.routers.values()))
            errors.append(_("router: name the router this PPPoE account lives on."))
            return None
        router_id = self.routers.get(name)
        if router_id is None:
            errors.append(_("router: no router is called “%(name)s”.") % {"name": value.strip()})
        return router_id

    def _check_database(self, results) -> None:
        phones = {row.phone: number for number, row, _e in results if row and row.phone}
        if phones:
            taken = set(
                Customer.objects.filter(phone__in=list(phones)).values_list("phone", flat=True)
            )
            for _number, row, errors in results:
                if row and row.phone in taken:
                    errors.append(_("phone: a customer with this number already exists."))
        usernames = {row.pppoe["username"].lower() for _n, row, _e in results if row and row.pppoe}
        if usernames:
            from customers.services.pppoe import usernames_taken

            taken = usernames_taken(usernames)
            for _number, row, errors in results:
                if row and row.pppoe and row.pppoe["username"].lower() in taken:
                    errors.append(_("pppoe_username: this username is already in use."))
        for index, (number, row, errors) in enumerate(results):
            if errors and row is not None:
                results[index] = (number, None, errors)


# --- services ------------------------------------------------------------------------


@transaction.atomic
def customer_import_create(*, organization, actor, file_name: str, data: bytes) -> CustomerImport:
    """Check the upload's shape and store it; the rows are checked next."""
    if len(data) > settings.CUSTOMERS_IMPORT_MAX_BYTES:
        raise ValidationFailed(_("The file is too large."), field="file")
    csv_file = CsvFile(data)
    rows = csv_file.count_rows()
    if rows == 0:
        raise ValidationFailed(_("The file has a header but no rows."), field="file")
    if rows > settings.CUSTOMERS_IMPORT_MAX_ROWS:
        raise ValidationFailed(
            _("The file has %(n)s rows; import at most %(max)s at once.")
            % {"n": rows, "max": settings.CUSTOMERS_IMPORT_MAX_ROWS},
            field="file",
        )
    path = storage().save(
        f"customer-imports/{organization.pk}/{uuid.uuid4().hex}.csv", ContentFile(data)
    )
    job = job_create(
        organization=organization,
        kind="customer_import",
        title=_("Checking %(file)s") % {"file": file_name[:150]},
        total=rows,
        actor=actor,
    )
    return CustomerImport.objects.create(
        organization=organization,
        file_path=path,
        file_name=file_name[:200],
        file_size=len(data),
        row_count=rows,
        columns=csv_file.columns,
        message=(
            _("Ignored columns: %(cols)s") % {"cols": ", ".join(csv_file.ignored)}
            if csv_file.ignored
            else ""
        )[:300],
        job=job,
        created_by=actor,
    )


def _read(customer_import: CustomerImport) -> CsvFile:
    with storage().open(customer_import.file_path, "rb") as handle:
        return CsvFile(handle.read())


def _chunks(csv_file: CsvFile):
    chunk = []
    for number, row, _cells in csv_file.rows():
        chunk.append((number, row))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def customer_import_validate(*, customer_import_id: int) -> CustomerImport:
    """Check every row (outside a transaction, so the progress bar moves)."""
    customer_import = CustomerImport.objects.select_related("organization").get(
        pk=customer_import_id
    )
    if customer_import.status != CustomerImport.Status.VALIDATING:
        return customer_import  # already done (a retried task)
    job_id = customer_import.job_id
    job_start(job_id, total=customer_import.row_count)
    checker = RowChecker(organization=customer_import.organization)
    errors, valid, done = {}, 0, 0
    for chunk in _chunks(_read(customer_import)):
        for number, row, row_errors in checker.check(chunk):
            if row is None:
                errors[str(number)] = row_errors
            else:
                valid += 1
        done += len(chunk)
        job_progress(job_id, done=done)
    updated = CustomerImport.objects.filter(
        pk=customer_import.pk, status=CustomerImport.Status.VALIDATING
    ).update(
        status=CustomerImport.Status.VALIDATED,
        valid_count=valid,
        error_count=len(errors),
        row_count=done,
        errors=errors,
    )
    job_finish(
        job_id,
        message=ngettext("%(n)s row checked", "%(n)s rows checked", done) % {"n": done},
    )
    if updated:
        logger.info(
            "customer import %s checked: %s rows, %s with errors",
            customer_import.pk,
            done,
            len(errors),
        )
    customer_import.refresh_from_db()
    return customer_import


@transaction.atomic
def customer_import_start(*, customer_import: CustomerImport, actor, mode: str) -> CustomerImport:
    """Claim a checked import for importing (once, even if the button is clicked twice)."""
    if mode not in CustomerImport.Mode.values:
        raise ValidationFailed(_("Choose what to import."), field="mode")
    if mode == CustomerImport.Mode.ALL_OR_NOTHING and customer_import.error_count:
        raise ValidationFailed(
            _(
                "Some rows have errors, so “all or nothing” would import nothing. Fix the file "
                "and upload it again, or import the valid rows."
            ),
            field="mode",
        )
    if mode == CustomerImport.Mode.VALID_ROWS and not customer_import.valid_count:
        raise ValidationFailed(_("No row is valid, so there is nothing to import."), field="mode")
    job = job_create(
        organization=customer_import.organization,
        kind="customer_import",
        title=_("Importing %(file)s") % {"file": customer_import.file_name[:150]},
        total=customer_import.row_count,
        actor=actor,
    )
    claimed = CustomerImport.objects.filter(
        pk=customer_import.pk, status=CustomerImport.Status.VALIDATED
    ).update(status=CustomerImport.Status.IMPORTING, mode=mode, job=job)
    if not claimed:
        job.delete()
        raise Conflict(_("This import has already been started."))
    customer_import.refresh_from_db()
    return customer_import


def customer_import_execute(*, customer_import_id: int, actor=None) -> CustomerImport:
    """Validate again and save, all in one transaction; see the module docstring."""
    customer_import = CustomerImport.objects.select_related("organization", "created_by").get(
        pk=customer_import_id
    )
    if customer_import.status != CustomerImport.Status.IMPORTING:
        return customer_import
    actor = actor or customer_import.created_by
    job_id = customer_import.job_id
    job_start(
        job_id,
        message=_("Saving up to %(n)s customers…") % {"n": customer_import.valid_count},
    )
    try:
        outcome = _import_rows(customer_import, actor)
    except IntegrityError:
        outcome = {
            "status": CustomerImport.Status.VALIDATED,
            "message": _(
                "Another change added the same phone number or username while importing; "
                "nothing was imported. Check the file again and retry."
            ),
        }
        CustomerImport.objects.filter(pk=customer_import.pk).update(
            status=CustomerImport.Status.VALIDATED, message=outcome["message"][:300]
        )
    status = outcome["status"]
    job_finish(
        job_id,
        status=(
            BackgroundJob.Status.SUCCEEDED
            if status == CustomerImport.Status.IMPORTED
            else BackgroundJob.Status.FAILED
        ),
        message=outcome["message"],
    )
    customer_import.refresh_from_db()
    logger.info(
        "customer import %s finished: %s, %s imported",
        customer_import.pk,
        customer_import.status,
        customer_import.imported_count,
    )
    return customer_import


class _AllOrNothing(Exception):
    def __init__(self, errors):
        self.errors = errors


def _import_rows(customer_import: CustomerImport, actor) -> dict:
    organization = customer_import.organization
    all_or_nothing = customer_import.mode == CustomerImport.Mode.ALL_OR_NOTHING
    try:
        with transaction.atomic():
            claimed = list(
                CustomerImport.objects.select_for_update()
                .filter(pk=customer_import.pk, status=CustomerImport.Status.IMPORTING)
                .values_list("pk", flat=True)
            )
            if not claimed:  # another worker got here first (a redelivered task)
                return {"status": CustomerImport.Status.IMPORTED, "message": ""}
            checker = RowChecker(organization=organization)
            errors, imported = {}, 0
            for chunk in _chunks(_read(customer_import)):
                valid = []
                for number, row, row_errors in checker.check(chunk):
                    if row is None:
                        errors[str(number)] = row_errors
                    else:
                        valid.append(row)
                if errors and all_or_nothing:
                    raise _AllOrNothing(errors)
                imported += _save(organization, actor, valid)
            now = timezone.now()
            message = ngettext(
                "%(n)s customer imported.", "%(n)s customers imported.", imported
            ) % {"n": imported}
            CustomerImport.objects.filter(pk=customer_import.pk).update(
                status=CustomerImport.Status.IMPORTED,
                imported_count=imported,
                errors=errors,
                error_count=len(errors),
                valid_count=imported,
                finished_at=now,
                message=message[:300],
            )
            return {"status": CustomerImport.Status.IMPORTED, "message": message}
    except _AllOrNothing as stop:
        message = _(
            "Rows changed since the check and some are no longer valid, so nothing was "
            "imported. Review the errors and choose again."
        )
        CustomerImport.objects.filter(pk=customer_import.pk).update(
            status=CustomerImport.Status.VALIDATED,
            errors=stop.errors,
            error_count=len(stop.errors),
            valid_count=max(customer_import.row_count - len(stop.errors), 0),
            message=message[:300],
        )
        return {"status": CustomerImport.Status.VALIDATED, "message": message}


def _save(organization, actor, rows: list[CleanRow]) -> int:
    if not rows:
        return 0
    from customers.services.customers import tags_resolve
    from customers.services.pppoe import pppoe_accounts_import

    now = timezone.now()
    customers = Customer.objects.bulk_create(
        [
            Customer(
                organization=organization,
                name=row.name,
                phone=row.phone,
                email=row.email,
                customer_type=row.customer_type,
                status=row.status,
                address=row.address,
                notes=row.notes,
                marketing_consent=row.marketing_consent,
                marketing_consent_at=now if row.marketing_consent else None,
                source=Customer.Source.IMPORT,
                status_changed_at=None,
                created_at=now,
            )
            for row in rows
        ]
    )
    names = {tag for row in rows for tag in row.tags}
    if names:
        tags = {
            tag.name.lower(): tag for tag in tags_resolve(organization=organization, names=names)
        }
        through = Customer.tags.through
        through.objects.bulk_create(
            [
                through(customer_id=customer.pk, tag_id=tags[name.lower()].pk)
                for customer, row in zip(customers, rows, strict=True)
                for name in row.tags
            ],
            ignore_conflicts=True,
        )
    CustomerEvent.objects.bulk_create(
        [
            CustomerEvent(
                organization=organization,
                customer_id=customer.pk,
                kind=CustomerEvent.Kind.IMPORTED,
                message=_("Imported from CSV"),
                actor=actor,
                at=now,
            )
            for customer in customers
        ]
    )
    from customers.services.customers import customers_webhook_emit, forget_counts

    forget_counts(organization.pk)
    customers_webhook_emit(organization.pk, "customer.created", [c.pk for c in customers])
    pppoe_rows = [
        (customer, row.pppoe) for customer, row in zip(customers, rows, strict=True) if row.pppoe
    ]
    if pppoe_rows:
        pppoe_accounts_import(organization=organization, rows=pppoe_rows)
    return len(customers)


@transaction.atomic
def customer_import_cancel(*, customer_import: CustomerImport) -> bool:
    cancelled = CustomerImport.objects.filter(
        pk=customer_import.pk,
        status__in=[CustomerImport.Status.VALIDATING, CustomerImport.Status.VALIDATED],
    ).update(status=CustomerImport.Status.CANCELLED, finished_at=timezone.now())
    if cancelled and customer_import.job_id:
        job_finish(customer_import.job_id, status=BackgroundJob.Status.CANCELLED)
    return bool(cancelled)


def customer_import_report_lines(customer_import: CustomerImport):
    """The report, as CSV lines: every row with its outcome and messages, then its cells."""
    from customers.csvio import csv_line_writer

    write = csv_line_writer()
    csv_file = _read(customer_import)
    yield write(["row", "line", "outcome", "errors", *csv_file.raw_header])
    errors = customer_import.errors or {}
    imported = customer_import.status == CustomerImport.Status.IMPORTED
    for number, _row, cells in csv_file.rows():
        row_errors = errors.get(str(number))
        if row_errors:
            outcome = "skipped" if imported else "error"
        else:
            outcome = "imported" if imported else "valid"
        yield write(
            [number, number + csv_file.header_line, outcome, " | ".join(row_errors or []), *cells]
        )


def customer_import_errors_page(customer_import: CustomerImport, *, limit: int = 200) -> list[dict]:
    """The first rows with errors, with the cells the operator typed, for the preview page."""
    errors = customer_import.errors or {}
    if not errors:
        return []
    wanted = sorted(int(number) for number in errors)[:limit]
    wanted_set = set(wanted)
    found = []
    for number, row, _cells in _read(customer_import).rows():
        if number in wanted_set:
            found.append(
                {"number": number, "line": number + 1, "row": row, "errors": errors[str(number)]}
            )
            if len(found) == len(wanted):
                break
    return found


def customer_import_files_remove(*, organization, instances, reason: str) -> None:
    """Erasure hook (``customers/personal_data.py``): the stored CSV of each
    import row being deleted — by the retention sweep after
    ``CUSTOMERS_IMPORT_KEEP_DAYS`` or by an organisation's deletion — goes
    too, once the deletion commits."""
    paths = [item.file_path for item in instances if item.file_path]
    if not paths:
        return

    def remove():
        for path in paths:
            try:
                storage().delete(path)
            except OSError:  # already gone: nothing left to remove
                logger.warning("customer import file could not be removed")

    transaction.on_commit(remove)
