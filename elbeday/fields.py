import contextlib

from django import forms
from django.core.files.base import ContentFile
from django.db import models
from PIL import Image

from . import images


class PhotoFormField(forms.FileField):
    """A file input that leaves the checks to the model field, so one set of messages
    applies everywhere."""

    widget = forms.ClearableFileInput(attrs={"accept": images.ACCEPTED_MIME_TYPES})


class PhotoField(models.ImageField):
    """An image field that accepts only sound JPEG, PNG or WebP files within the limits
    (in `full_clean()` and again on save, so scripts cannot bypass it), stores them upright
    and without metadata, and makes the WebP versions for `srcset` once, at upload.

    `renditions_field` names a JSONField that receives the widths made.
    """

    default_validators = [images.validate_photo]

    def __init__(self, *args, renditions_field=None, **kwargs):
        self.renditions_field = renditions_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.renditions_field:
            kwargs["renditions_field"] = self.renditions_field
        return name, path, args, kwargs

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        # Django reads the size of a file as soon as it is assigned, before any validation;
        # Pillow raises on a decompression bomb there. Leave the size unset instead:
        # `validate_photo` refuses the file with a message.
        with contextlib.suppress(Image.DecompressionBombError):
            super().update_dimension_fields(instance, force, *args, **kwargs)

    def formfield(self, **kwargs):
        field = super().formfield(**{"form_class": PhotoFormField, **kwargs})
        # The admin swaps in its own widget; keep the hint about accepted types.
        field.widget.attrs.setdefault("accept", images.ACCEPTED_MIME_TYPES)
        return field

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            self.run_validators(file)
            data, width, height = images.sanitise(file)
            file.file = ContentFile(data)
            file = super().pre_save(model_instance, add)
            if self.width_field:
                setattr(model_instance, self.width_field, width)
            if self.height_field:
                setattr(model_instance, self.height_field, height)
            if self.renditions_field:
                setattr(
                    model_instance,
                    self.renditions_field,
                    images.make_renditions(file.storage, file.name, data),
                )
            return file
        return super().pre_save(model_instance, add)
