"""Writes to the catalogue that have side effects: what the public sends (corrections and
photos) is saved out of sight, and reaches the site only when an editor accepts it.

An accepted submission changes the site through the same checks as an edit in the admin
(`full_clean`), credits the visitor and is written into the site's history (the admin's
log, shown on its History page). Each decision is announced with
`signals.submission_decided` in its transaction; registrations queues the email to the
visitor from it (memorials imports no app that builds on it).
"""

import datetime
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

from elbeday.fields import delete_stored, store_new_photos

from . import signals
from .models import Correction, MemorialSite, Photo, PhotoSubmission, Source, parse_coordinates

Submission = Correction | PhotoSubmission


class SubmissionError(Exception):
    """Why a decision could not be made, in words for the editor."""

    def __init__(self, message, *, code=""):
        super().__init__(message)
        self.message = message
        self.code = code


# A form sent again by the one who sent it (a double click, a reload) comes within minutes.
RESUBMISSION_WINDOW = datetime.timedelta(minutes=15)


def _earlier_submission(submission: Submission, now) -> Submission | None:
    """What this form already saved, if the same person sends it again; when anybody else
    sends the same form (a copy, a page left open), it gets a key of its own."""
    if not submission.submission_key:
        return None
    model = type(submission)
    earlier = model.objects.filter(submission_key=submission.submission_key).first()
    if earlier is None:
        return None
    if (
        earlier.anonymised_at is None
        and now - earlier.created_at <= RESUBMISSION_WINDOW
        and earlier.email.casefold() == submission.email.strip().casefold()
    ):
        return earlier
    submission.submission_key = uuid.uuid4()
    return None


def _random_name(name):
    """A random name for a sent photo: one no editor has seen yet gets an address nobody
    can guess, and the visitor's file name (which may hold a name or a place) is not kept."""
    suffix = PurePosixPath(name).suffix.lower()
    return uuid.uuid4().hex + (suffix if suffix in (".jpg", ".jpeg", ".png", ".webp") else "")


def submission_create(*, submission: Submission, now=None) -> tuple[Submission, bool]:
    """Save what a visitor sent (an unsaved Correction or PhotoSubmission, with its site,
    language and form key) as waiting for review; returns (submission, created). The same
    form sent twice by the same person saves it once. Nothing of it is shown to the public
    until accepted. Raises ValidationError for what the form should have caught."""
    now = now or timezone.now()
    if earlier := _earlier_submission(submission, now):
        return earlier, False
    submission.status = submission.Status.PENDING
    submission.created_at = now
    if isinstance(submission, PhotoSubmission) and submission.image:
        submission.image.name = _random_name(submission.image.name)
    submission.full_clean(validate_unique=False)
    # The photo is cleaned and stored before the row is written, outside its transaction.
    stored = store_new_photos(submission)
    try:
        with transaction.atomic():
            submission.save()
    except BaseException as error:
        delete_stored(stored)
        # The same form sent twice at the very same moment.
        if isinstance(error, IntegrityError) and (earlier := _earlier_submission(submission, now)):
            return earlier, False
        raise
    return submission, True


def _locked(submission: Submission, *, lock=True) -> Submission:
    """The submission as it is now (locked, unless `lock` is false), if still pending."""
    rows = type(submission).objects
    submission = (rows.select_for_update() if lock else rows).get(pk=submission.pk)
    if not submission.is_pending:
        raise SubmissionError(
            _("%(submission)s was decided already.") % {"submission": submission},
            code="decided",
        )
    return submission


def _log(by, obj, message):
    """An entry in the admin's history of `obj`."""
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=[obj],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )


def column_for(model, field, language):
    """The column that holds `field` in `language`: its own for a translated field."""
    if field in translator.get_options_for_model(model).all_fields:
        return build_localized_fieldname(field, language)
    return field


def _full_clean(obj):
    try:
        obj.full_clean()
    except ValidationError as error:
        raise SubmissionError(" ".join(error.messages), code="invalid") from None


def _source_for(correction: Correction) -> Source:
    """The correction's source as one of the catalogue's sources: the one with that web
    address if there is one; the visitor named in its note, in every language."""
    text = " ".join(correction.source.split())
    try:
        URLValidator()(text)
    except ValidationError:
        url = ""
    else:
        url = text
    source = Source.objects.filter(url=url).first() if url else None
    if source is None:
        source = Source(title=text[:300], url=url)
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                if correction.submitter_name:
                    note = _("Sent by %(name)s with a correction of the %(field)s.") % {
                        "name": correction.submitter_name,
                        "field": correction.get_field_display(),
                    }
                else:
                    note = _("Sent by a visitor with a correction of the %(field)s.") % {
                        "field": correction.get_field_display()
                    }
            setattr(source, build_localized_fieldname("note", code), note)
        _full_clean(source)
        source.save()
    return source


def _apply_correction(correction: Correction, site: MemorialSite) -> str:
    """Change the site as the correction says, through the model's checks; returns what
    the site's history says about it."""
    if correction.field == Correction.Field.COORDINATES:
        site.latitude, site.longitude = parse_coordinates(correction.proposed_text)
        if site.location_precision == MemorialSite.Precision.UNKNOWN:
            site.location_precision = MemorialSite.Precision.EXACT
    else:
        column = column_for(MemorialSite, correction.field, correction.language)
        setattr(site, column, correction.proposed_text.strip())
    _full_clean(site)
    site.save()
    source = _source_for(correction)
    site.sources.add(source)
    correction.applied_source = source
    return _(
        "%(field)s (%(language)s) changed as proposed in %(submission)s; source: %(source)s"
    ) % {
        "field": correction.get_field_display(),
        "language": correction.get_language_display(),
        "submission": correction,
        "source": source,
    }


def _photo_from(submission: PhotoSubmission) -> tuple[Photo, list]:
    """The sent photo as a photo of its site, with its credit and licence, checked and
    stored with its renditions (before the decision's transaction: no image work while
    the site is locked); with what was stored, for `delete_stored`."""
    with submission.image.open("rb") as file:
        data = file.read()
    photo = Photo(
        site_id=submission.site_id,
        image=ContentFile(data, name=PurePosixPath(submission.image.name).name),
        credit=submission.credit,
        licence=submission.Licence(submission.licence).label,
    )
    for field in ("caption", "alt_text"):
        setattr(photo, column_for(Photo, field, submission.language), getattr(submission, field))
    # The English text is the one every photo must have (translation.py); until an editor
    # translates it, the visitor's words stand there too.
    if not photo.alt_text_en:
        photo.alt_text_en = submission.alt_text
    _full_clean(photo)
    return photo, store_new_photos(photo)


def _publish_photo(submission: PhotoSubmission, site: MemorialSite, photo: Photo) -> str:
    """Add the photo made of the sent one (`_photo_from`) to the site's photos, last."""
    photo.position = (site.photos.aggregate(last=Max("position"))["last"] or 0) + 1
    photo.save()
    submission.photo = photo
    return _("Photo added as sent in %(submission)s; credit: %(credit)s, licence: %(licence)s") % {
        "submission": submission,
        "credit": photo.credit,
        "licence": photo.licence,
    }


def _decided(submission: Submission, *, status, by, now):
    submission.status = status
    submission.decided_by = by
    submission.decided_at = now
    if isinstance(submission, PhotoSubmission):
        # Published as a photo of the site, or declined: the sent file is not kept. It is
        # deleted once the transaction commits (elbeday.fields.PhotoField).
        submission.image = ""
    submission.full_clean()
    submission.save()
    signals.submission_decided.send(sender=type(submission), submission=submission)


def submission_accept(*, submission: Submission, by, now=None) -> Submission:
    """Accept a pending correction or photo: apply it to the site through the model's
    checks (a correction of a translated text goes into the visitor's language), credit
    the visitor, write it into the site's history, and queue the email to the visitor.
    Raises SubmissionError when it was decided already or the site refuses the change."""
    now = now or timezone.now()
    photo, stored = None, []
    if isinstance(submission, PhotoSubmission):
        photo, stored = _photo_from(_locked(submission, lock=False))
    try:
        with transaction.atomic():
            submission = _locked(submission)
            site = MemorialSite.objects.select_for_update().get(pk=submission.site_id)
            if photo is None:
                message = _apply_correction(submission, site)
            else:
                message = _publish_photo(submission, site, photo)
            _decided(submission, status=submission.Status.ACCEPTED, by=by, now=now)
            _log(by, site, message)
            _log(by, submission, _("Accepted."))
    except BaseException:
        delete_stored(stored)
        raise
    return submission


def submission_decline(*, submission: Submission, by, reason: str, now=None) -> Submission:
    """Decline a pending correction or photo with a reason, which the visitor is sent;
    nothing of it reaches the site. Raises SubmissionError without a reason or when it
    was decided already."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise SubmissionError(_("Give the reason for declining."), code="reason")
    with transaction.atomic():
        submission = _locked(submission)
        submission.decline_reason = reason
        _decided(submission, status=submission.Status.DECLINED, by=by, now=now)
        _log(by, submission, _("Declined: %(reason)s") % {"reason": reason})
    return submission


def submissions_anonymise(*, now=None) -> int:
    """Remove the submitters' addresses and names from what was decided more than
    SUBMISSION_RETENTION_DAYS ago (pending submissions wait for their decision); the
    credit of a published photo stays with the photo. Safe to run any number of times;
    returns how many were anonymised."""
    now = now or timezone.now()
    before = now - datetime.timedelta(days=settings.SUBMISSION_RETENTION_DAYS)
    count = 0
    with transaction.atomic():
        emails = set()
        for model, personal in (
            (Correction, {"email": "", "submitter_name": ""}),
            (PhotoSubmission, {"email": "", "credit": ""}),
        ):
            due = model.objects.to_anonymise(decided_before=before)
            emails.update(due.values_list("email", flat=True))
            count += due.update(**personal, anonymised_at=now)
        if emails:
            signals.submissions_anonymised.send(sender=None, emails=emails, before=before)
    return count
