"""Checking and processing uploaded photos with Pillow.

Everything here works on file-like objects, so the same rules hold for the admin, public
forms and scripts: `elbeday.fields.PhotoField` calls these functions.
"""

import io
import re
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
ACCEPTED_MIME_TYPES = "image/jpeg,image/png,image/webp"
# Widths of the WebP versions made at upload for `srcset`.
RENDITION_WIDTHS = (320, 640, 1280)


def _read_head(file, size=2048):
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head if isinstance(head, bytes) else head.encode()


def validate_photo(file):
    """Refuse anything but a sound JPEG, PNG or WebP within the size and pixel limits.

    Already stored files (a model saved again) are not read again.
    """
    if getattr(file, "_committed", False):
        return
    max_bytes = settings.PHOTO_MAX_UPLOAD_BYTES
    if file.size is not None and file.size > max_bytes:
        raise ValidationError(
            _("This file is %(size)s; a photo may be at most %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(max_bytes)},
        )
    head = _read_head(file).lstrip().lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        raise ValidationError(
            _("SVG drawings are not accepted. Please upload a JPEG, PNG or WebP photo."),
            code="svg",
        )
    try:
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            if image_format not in ACCEPTED_FORMATS:
                raise ValidationError(
                    _(
                        "Images in %(format)s format are not accepted. "
                        "Please upload a JPEG, PNG or WebP photo."
                    ),
                    code="format",
                    params={"format": image_format},
                )
            _check_pixels(width, height)
            image.verify()
        # verify() leaves the image unusable; decode it fully once to catch truncation.
        file.seek(0)
        with Image.open(file) as image:
            image.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError(_too_many_pixels_message(), code="too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This file is not an image we can read. Please upload a JPEG, PNG or WebP photo."),
            code="not_an_image",
        ) from None
    finally:
        file.seek(0)


def _too_many_pixels_message():
    return _("This image has too many pixels; at most %(limit)s million are accepted.") % {
        "limit": settings.PHOTO_MAX_PIXELS // 1_000_000
    }


def _check_pixels(width, height):
    if width * height > settings.PHOTO_MAX_PIXELS:
        raise ValidationError(_too_many_pixels_message(), code="too_many_pixels")


def sanitise(file):
    """Return the photo re-encoded upright and without metadata (EXIF, GPS, comments).

    Returns (bytes, width, height).
    """
    file.seek(0)
    with Image.open(file) as original:
        image_format = original.format
        image = ImageOps.exif_transpose(original)
        out = io.BytesIO()
        if image_format == "JPEG":
            image = image.convert("RGB")
            image.save(out, "JPEG", quality=88, optimize=True, progressive=True)
        elif image_format == "WEBP":
            image.save(out, "WEBP", quality=85)
        else:
            if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                image = image.convert("RGBA")
            image.save(out, "PNG", optimize=True)
        return out.getvalue(), image.width, image.height


def rendition_name(name, width):
    """Renditions are named by the photo's name without its extension, so no two photos in
    a folder may share that (`available_name`)."""
    path = PurePosixPath(name)
    return str(path.parent / "renditions" / f"{path.stem}-{width}w.webp")


def _listdir(storage, folder):
    """The files in a folder of the storage; none if there is no such folder (the local
    file system raises, S3 has no folders and lists nothing)."""
    try:
        return storage.listdir(folder)[1]
    except FileNotFoundError:
        return []


def available_name(storage, name):
    """`name`, or an alternative (photo_a1B2c3D.jpg, as Django makes them), such that no
    stored photo in its folder has the same name without its extension: photo.jpg and
    photo.png would share, and overwrite, each other's renditions."""
    path = candidate = PurePosixPath(name)
    taken = {PurePosixPath(file).stem for file in _listdir(storage, str(path.parent))}
    while candidate.stem in taken:
        candidate = path.parent / storage.get_alternative_name(path.stem, path.suffix)
    return str(candidate)


def stored_renditions(storage, name):
    """The names of the renditions stored for the photo `name`, whatever their widths."""
    path = PurePosixPath(name)
    folder = path.parent / "renditions"
    pattern = re.compile(rf"{re.escape(path.stem)}-[0-9]+w\.webp")
    return sorted(
        str(folder / file) for file in _listdir(storage, str(folder)) if pattern.fullmatch(file)
    )


def delete_photo(storage, name, *, renditions=True):
    """Delete a stored photo and (unless told not to) its renditions. The original goes
    last, so that its name stays taken (`available_name`) while its renditions remain."""
    if renditions:
        for rendition in stored_renditions(storage, name):
            storage.delete(rendition)
    storage.delete(name)


def srcset(file, widths):
    """The `srcset` of a stored photo's renditions."""
    return ", ".join(f"{file.storage.url(rendition_name(file.name, w))} {w}w" for w in widths)


def make_renditions(storage, name, data):
    """Save WebP versions of the photo at the standard widths; return the widths made.

    A photo narrower than the smallest width gets one version at its own width.
    """
    widths = []
    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        targets = [w for w in RENDITION_WIDTHS if w < image.width] or [image.width]
        if image.width not in targets and image.width < RENDITION_WIDTHS[-1]:
            targets.append(image.width)
        for width in targets:
            height = max(1, round(image.height * width / image.width))
            resized = image.resize((width, height), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            resized.save(out, "WEBP", quality=80, method=4)
            target = rendition_name(name, width)
            if storage.exists(target):
                storage.delete(target)
            storage.save(target, io.BytesIO(out.getvalue()))
            widths.append(width)
    return sorted(widths)
