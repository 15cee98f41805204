"""Image files for upload tests, made with Pillow."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png_upload(name="logo.png", size=(1200, 600), color=(11, 110, 105, 255), exif=True):
    image = Image.new("RGBA", size, color)
    out = io.BytesIO()
    info = {}
    if exif:
        exif_data = Image.Exif()
        exif_data[0x010E] = "secret description"  # ImageDescription
        info["exif"] = exif_data.tobytes()
    image.save(out, format="PNG", **info)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def jpeg_upload(name="photo.jpg", size=(2000, 1500)):
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x8825] = {2: (5.0, 36.0, 0.0)}  # GPS block
    exif[0x010F] = "CameraMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def svg_upload():
    body = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    return SimpleUploadedFile("logo.svg", body, content_type="image/svg+xml")


def fake_png_upload():
    return SimpleUploadedFile("logo.png", b"this is not an image at all", content_type="image/png")


def huge_upload():
    return SimpleUploadedFile(
        "big.png", b"\x89PNG" + b"0" * (3 * 1024 * 1024), content_type="image/png"
    )


def bomb_upload():
    """A small file that would decode to 36 million pixels."""
    image = Image.new("1", (6000, 6000), 0)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png")
