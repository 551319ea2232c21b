"""Images drawn with Pillow for the tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(*, fmt="JPEG", size=(800, 600), colour=(120, 160, 200), exif=None, mode="RGB"):
    image = Image.new(mode, size, colour)
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def upload(name="photo.jpg", data=None, content_type="image/jpeg", **kwargs):
    return SimpleUploadedFile(
        name, data if data is not None else image_bytes(**kwargs), content_type
    )
