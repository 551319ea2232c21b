"""Delete stored photos and renditions that no row refers to.

PhotoField deletes a photo's files when the change that drops them commits, and cleans up
after itself when making the renditions fails. What is left are files written by a save
whose transaction was then rolled back (a constraint, an error later in the same request, a
worker killed half way): Django has no hook on rollback, and while the transaction runs its
new file cannot be told apart from an orphan. So this sweep, run daily, deletes only files
older than a grace period, which no upload in progress ever reaches.

It looks only in the folders that PhotoFields upload to (the fixed start of `upload_to`,
e.g. memorials/photos/), which belong to them, and uses only the Storage API (listdir,
get_modified_time, delete), so it works on S3 as on a local disk. The storage must hold this
database's photos alone: a staging site sharing the bucket would lose its photos.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from elbeday.fields import photo_fields
from elbeday.images import rendition_name


def _upload_root(field):
    """The folder every upload of `field` goes under: `upload_to` (a folder, passed through
    strftime) up to its first placeholder, so memorials/photos/%Y/ gives memorials/photos."""
    upload_to = "" if callable(field.upload_to) else str(field.upload_to)
    fixed, placeholder, _rest = upload_to.partition("%")
    if placeholder and not fixed.endswith("/"):
        fixed = fixed.rpartition("/")[0]
    root = fixed.strip("/")
    if not root:
        raise CommandError(
            f"{field.model._meta.label}.{field.name} does not upload into a folder of its "
            "own; sweeping the whole storage would delete files that are not photos."
        )
    return root


def _walk(storage, folder):
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for file in files:
        yield f"{folder}/{file}" if folder else file
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}" if folder else sub)


class Command(BaseCommand):
    help = (
        "Delete stored photos and renditions that no row refers to, once older than the "
        "grace period. Run it daily; running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=24,
            metavar="HOURS",
            help="Keep files younger than this, which may belong to an upload in progress "
            "(default: 24).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted; delete nothing."
        )

    def handle(self, *args, older_than, dry_run, **options):
        fields = photo_fields()
        roots = {(field.storage, _upload_root(field)) for field in fields}
        referenced = set()
        for field in fields:
            rows = field.model._base_manager.exclude(**{field.attname: ""})
            if field.renditions_field:
                rows = rows.values_list(field.attname, field.renditions_field)
            else:
                rows = ((name, []) for name in rows.values_list(field.attname, flat=True))
            for name, widths in rows:
                referenced.add(name)
                referenced.update(rendition_name(name, width) for width in widths or [])
        cutoff = timezone.now() - datetime.timedelta(hours=older_than)
        orphans = sorted(
            (
                (name, storage)
                for storage, root in roots
                for name in _walk(storage, root)
                if name not in referenced and storage.get_modified_time(name) < cutoff
            ),
            key=lambda orphan: orphan[0],
        )
        for name, storage in orphans:
            if dry_run:
                self.stdout.write(f"Would delete {name}")
            else:
                storage.delete(name)
                if options["verbosity"] > 1:
                    self.stdout.write(f"Deleted {name}")
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {len(orphans)} orphaned files.")
