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


def svg_bytes():
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<script>alert("hi")</script><rect width="10" height="10"/></svg>'
    )


def truncated_jpeg(*, size=(800, 600)):
    """A JPEG cut off halfway: its header reads, its pixels do not."""
    data = image_bytes(fmt="JPEG", size=size)
    return data[: len(data) // 2]


def pixel_bomb_png(*, side=10_000):
    """A black-and-white PNG of side x side pixels: tiny on disk, huge once decoded."""
    return image_bytes(fmt="PNG", size=(side, side), mode="1", colour=0)


def exif_data(*, orientation=None, gps=False):
    """EXIF with an orientation tag and/or a GPS position (Torgau), as cameras write them."""
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    if orientation is not None:
        exif[0x0112] = orientation
    if gps:
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1] = "N"
        gps_ifd[2] = (51.0, 33.0, 36.0)
        gps_ifd[3] = "E"
        gps_ifd[4] = (13.0, 0.0, 36.0)
    return exif
