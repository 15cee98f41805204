"""Uploaded images: checked, then re-encoded so nothing the operator uploads is served as-is.

Re-encoding with Pillow drops metadata (EXIF location, comments), any payload
hidden after the image data, and scales the picture down to what a phone
screen needs, so the landing page stays small on a weak link.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from nettportal.errors import ValidationFailed

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_SOURCE_PIXELS = 25_000_000  # refuse decompression bombs before decoding
ACCEPTED_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
LOGO_BOX = (480, 160)
BLOCK_IMAGE_BOX = (720, 720)


@dataclass(frozen=True)
class EncodedImage:
    content: bytes
    content_type: str
    width: int
    height: int

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def reencode_image(upload, *, box: tuple[int, int], field: str = "image") -> EncodedImage:
    """Check ``upload`` (a Django UploadedFile or file-like) and return it re-encoded.

    PNG when the picture has transparency, JPEG otherwise. Raises
    :class:`ValidationFailed` with a message for the person who uploaded it.
    """
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            _("The image is too large (%(size)s KB); the limit is %(limit)s KB.")
            % {"size": size // 1024, "limit": MAX_UPLOAD_BYTES // 1024},
            field=field,
        )
    upload.seek(0)
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            image_format = probe.format
            width, height = probe.size
            if image_format not in ACCEPTED_FORMATS:
                raise ValidationFailed(_("Upload a PNG, JPEG, GIF or WebP image."), field=field)
            if width * height > MAX_SOURCE_PIXELS:
                raise ValidationFailed(
                    _("The image is too big (%(w)s×%(h)s pixels).") % {"w": width, "h": height},
                    field=field,
                )
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(_("Upload a PNG, JPEG, GIF or WebP image."), field=field) from None
    except Exception:  # truncated or corrupt files raise many different errors
        raise ValidationFailed(
            _("This image file is damaged or incomplete."), field=field
        ) from None

    if getattr(image, "is_animated", False):
        image.seek(0)  # first frame only: no animations on a captive portal
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail(box, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if has_alpha:
        image.save(out, format="PNG", optimize=True)
        content_type = "image/png"
    else:
        image.save(out, format="JPEG", quality=82, optimize=True, progressive=True)
        content_type = "image/jpeg"
    return EncodedImage(
        content=out.getvalue(), content_type=content_type, width=image.width, height=image.height
    )
