import contextlib
import functools
from pathlib import PurePosixPath

from django import forms
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import signals
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

    Stored files leave with the last row that refers to them. When a save replaces or
    clears the photo, or a row is deleted, the old file and its renditions are deleted
    once the transaction commits (a rolled-back change still refers to them), and only if
    no row of any model refers to the file then: a ceremony copied to next year shares
    its photo, and the benchmark shares one file among all its rows. (django-cleanup does
    the first half, but deletes a file shared by several rows: its README says it assumes
    each file is referenced once.)

    Files written by a save that then fails are deleted at once when the failure is the
    field's own (making the renditions). When the row is refused later (a constraint, an
    error further on in the transaction, a killed worker), Django offers no hook on
    rollback, and until the transaction ends such a file cannot be told apart from an
    upload in progress: `manage.py delete_orphaned_photos`, run daily, deletes stored
    files that no row refers to once they are a day old.
    """

    default_validators = [images.validate_photo]

    def __init__(self, *args, renditions_field=None, **kwargs):
        self.renditions_field = renditions_field
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        if not cls._meta.abstract:
            signals.post_init.connect(self._remember_stored, sender=cls)
            signals.post_save.connect(self._delete_replaced, sender=cls)
            signals.post_delete.connect(self._delete_with_row, sender=cls)

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

    def generate_filename(self, instance, filename):
        return images.available_name(self.storage, super().generate_filename(instance, filename))

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
                try:
                    widths = images.make_renditions(file.storage, file.name, data)
                except BaseException:
                    # No row refers to the new files yet.
                    images.delete_photo(file.storage, file.name)
                    raise
                setattr(model_instance, self.renditions_field, widths)
            return file
        if not file and self.renditions_field:
            setattr(model_instance, self.renditions_field, [])
        return super().pre_save(model_instance, add)

    # Deleting files no row refers to any more.

    def _stored_name(self, instance):
        """The name of the stored file `instance` holds ("" for none), or None when it
        holds a new upload or the field was not loaded."""
        if self.attname not in instance.__dict__:
            return None
        file = getattr(instance, self.attname)
        return (file.name or "") if file._committed else None

    def _remember_stored(self, instance, **kwargs):
        # A new dict each time: copy.copy() of an instance would share the old one.
        instance.__dict__["_stored_photos"] = {
            **instance.__dict__.get("_stored_photos", {}),
            self.attname: self._stored_name(instance),
        }

    def _delete_replaced(self, instance, created, raw, using, update_fields, **kwargs):
        if raw or (update_fields is not None and self.attname not in update_fields):
            return
        before = instance.__dict__.get("_stored_photos", {}).get(self.attname)
        now = self._stored_name(instance)
        if before and before != now and not created:
            self._delete_on_commit(before, using)
        self._remember_stored(instance)

    def _delete_with_row(self, instance, using, **kwargs):
        names = {instance.__dict__.get("_stored_photos", {}).get(self.attname)}
        names.add(self._stored_name(instance))
        for name in sorted(filter(None, names)):
            self._delete_on_commit(name, using)

    def _delete_on_commit(self, name, using):
        # Robust: the change is committed by then, and a storage that fails to delete must
        # not turn it into an error page; the daily sweep deletes the file later.
        transaction.on_commit(
            functools.partial(self._delete_unreferenced, name), using, robust=True
        )

    def _delete_unreferenced(self, name):
        """Delete the stored photo `name` and its renditions unless a row refers to it.

        Rows that refer to another file with the same name but another extension (stored
        before names were kept apart, see `images.available_name`) share its renditions,
        which then stay."""
        path = PurePosixPath(name)
        same_stem = set()
        for field in photo_fields():
            candidates = field.model._base_manager.filter(
                **{f"{field.attname}__startswith": f"{path.parent / path.stem}."}
            ).values_list(field.attname, flat=True)
            same_stem.update(
                candidate
                for candidate in candidates
                if PurePosixPath(candidate).parent == path.parent
                and PurePosixPath(candidate).stem == path.stem
            )
        if name not in same_stem:
            images.delete_photo(self.storage, name, renditions=not same_stem)


def store_new_photos(instance):
    """Check, clean and store the new photos of `instance` now, with their renditions, so
    that its save, in a transaction, finds them stored: the image work (decoding,
    re-encoding, resizing) never runs while a database lock is held. Returns what was
    stored, for `delete_stored` when that save fails."""
    stored = []
    for field in instance._meta.concrete_fields:
        file = getattr(instance, field.attname, None) if isinstance(field, PhotoField) else None
        if file and not file._committed:
            field.pre_save(instance, add=instance._state.adding)
            stored.append((field.storage, getattr(instance, field.attname).name))
    return stored


def delete_stored(stored):
    """Delete what `store_new_photos` stored, for a save that failed."""
    for storage, name in stored:
        images.delete_photo(storage, name)


def photo_fields():
    """The PhotoFields of all installed models."""
    return [
        field
        for model in apps.get_models()
        for field in model._meta.local_fields
        if isinstance(field, PhotoField)
    ]
