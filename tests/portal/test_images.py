import io

import pytest
from PIL import Image

from nettportal.errors import ValidationFailed
from portal.images import LOGO_BOX, reencode_image
from tests.portal import images


def test_png_logo_is_shrunk_and_stripped_of_metadata():
    encoded = reencode_image(images.png_upload(), box=LOGO_BOX)
    assert encoded.content_type == "image/png"
    assert (encoded.width, encoded.height) == (320, 160)
    result = Image.open(io.BytesIO(encoded.content))
    assert result.format == "PNG"
    assert not result.getexif()
    assert b"secret description" not in encoded.content


def test_photo_becomes_a_small_jpeg_without_gps():
    encoded = reencode_image(images.jpeg_upload(), box=(720, 720))
    result = Image.open(io.BytesIO(encoded.content))
    assert result.format == "JPEG"
    assert max(result.size) == 720
    assert not result.getexif()
    assert b"CameraMaker" not in encoded.content
    assert len(encoded.digest) == 64


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (images.svg_upload, "Upload a PNG, JPEG, GIF or WebP image."),
        (images.fake_png_upload, "Upload a PNG, JPEG, GIF or WebP image."),
        (images.huge_upload, "The image is too large"),
        (images.bomb_upload, "The image is too big"),
    ],
)
def test_unsafe_or_unusable_files_are_refused_with_a_reason(upload, message):
    with pytest.raises(ValidationFailed) as error:
        reencode_image(upload(), box=LOGO_BOX, field="logo")
    assert message in error.value.message
    assert error.value.field == "logo"
