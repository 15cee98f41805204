"""What an attachment may be: a few harmless types, checked by content, not
only by name, and at most ``SUPPORT_ATTACHMENT_MAX_BYTES`` each."""

import hashlib
import os

from django.conf import settings
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from nettportal.errors import ValidationFailed

TEXT_TYPES = {".txt": "text/plain", ".log": "text/plain", ".csv": "text/csv", ".rsc": "text/plain"}
BINARY_TYPES = {
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".pdf": ("application/pdf", (b"%PDF-",)),
}
ALLOWED_EXTENSIONS = sorted([*TEXT_TYPES, *BINARY_TYPES])


def checked_attachment(upload) -> dict:
    """Validate an uploaded file; returns the facts to store, or raises."""
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower()
    label = name or _("the file")
    if upload.size > settings.SUPPORT_ATTACHMENT_MAX_BYTES:
        raise ValidationFailed(
            _("%(name)s is larger than %(mb)s MB.")
            % {"name": label, "mb": settings.SUPPORT_ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            field="attachments",
        )
    if upload.size == 0:
        raise ValidationFailed(_("%(name)s is empty.") % {"name": label}, field="attachments")
    upload.seek(0)
    head = upload.read(65536)
    upload.seek(0)
    if extension in BINARY_TYPES:
        content_type, signatures = BINARY_TYPES[extension]
        if not head.startswith(signatures):
            raise ValidationFailed(
                _("%(name)s is not really a %(ext)s file.") % {"name": label, "ext": extension},
                field="attachments",
            )
    elif extension in TEXT_TYPES:
        content_type = TEXT_TYPES[extension]
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(head) - 4:  # a cut multi-byte character at the end is fine
                raise ValidationFailed(
                    _("%(name)s is not a UTF-8 text file.") % {"name": label}, field="attachments"
                ) from None
        if b"\x00" in head:
            raise ValidationFailed(
                _("%(name)s is not a text file.") % {"name": label}, field="attachments"
            )
    else:
        raise ValidationFailed(
            _("%(name)s: only %(types)s files can be attached.")
            % {"name": label, "types": ", ".join(ALLOWED_EXTENSIONS)},
            field="attachments",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    safe_name = get_valid_filename(name)[-120:] or f"attachment{extension}"
    return {
        "original_name": safe_name,
        "content_type": content_type,
        "size": upload.size,
        "sha256": digest.hexdigest(),
    }


def check_attachments(files) -> list[tuple[object, dict]]:
    files = list(files or [])
    if len(files) > settings.SUPPORT_ATTACHMENTS_PER_MESSAGE:
        raise ValidationFailed(
            _("Attach at most %(n)s files to one message.")
            % {"n": settings.SUPPORT_ATTACHMENTS_PER_MESSAGE},
            field="attachments",
        )
    return [(upload, checked_attachment(upload)) for upload in files]
