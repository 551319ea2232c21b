"""The editors' side of corrections and photos from the public: the review queue in the
admin, accepting (applied, credited, in the site's history), declining with a reason,
the email to the visitor, and anonymising the senders later."""

import datetime
import io
import uuid

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from elbeday import images
from memorials import services
from memorials.models import Correction, Photo, PhotoSubmission, Source
from registrations.models import OutgoingEmail
from tests.factories import MemorialSiteFactory, UserFactory
from tests.helpers import admin_action, logged_in
from tests.images import exif_data, upload

pytestmark = pytest.mark.django_db

QUEUE = "/en/admin/memorials/correction/"
PHOTO_QUEUE = "/en/admin/memorials/photosubmission/"


@pytest.fixture
def site():
    return MemorialSiteFactory(
        slug="torgau-monument", name_en="Monument of the Meeting", name_de="Denkmal der Begegnung"
    )


def send_correction(site, **fields):
    defaults = {
        "field": "history",
        "proposed_text": "Unveiled in 1995.",
        "source": "https://example.org/torgau",
        "submitter_name": "Anna Schmidt",
        "email": "anna@example.org",
        "language": "en",
        "submission_key": uuid.uuid4(),
    }
    correction, _created = services.submission_create(
        submission=Correction(site=site, **{**defaults, **fields})
    )
    return correction


def send_photo(site, **fields):
    defaults = {
        "image": upload("IMG_0042.jpg", exif=exif_data(gps=True)),
        "alt_text": "The monument seen from the river",
        "caption": "In spring",
        "credit": "Anna Schmidt",
        "licence": PhotoSubmission.Licence.CC_BY,
        "email": "anna@example.org",
        "language": "en",
        "submission_key": uuid.uuid4(),
    }
    submission, _created = services.submission_create(
        submission=PhotoSubmission(site=site, **{**defaults, **fields})
    )
    return submission


def site_history(client, site):
    """The change messages of the site's admin History page, newest first."""
    response = client.get(f"/en/admin/memorials/memorialsite/{site.pk}/history/")
    assert response.status_code == 200
    return list(
        LogEntry.objects.filter(object_id=str(site.pk), content_type__model="memorialsite")
        .order_by("-action_time", "-pk")
        .values_list("change_message", flat=True)
    )


# Accepting ---------------------------------------------------------------------------------


def test_accepted_correction_in_german_changes_the_german_text(client, page, site, editor):
    correction = send_correction(site, language="de", proposed_text="Eingeweiht 1995.")

    services.submission_accept(submission=correction, by=editor)

    site.refresh_from_db()
    assert (site.history_en, site.history_de) == ("Built after the war.", "Eingeweiht 1995.")
    shown = page(client.get("/de/memorials/torgau-monument/"))
    history = shown.find("section", **{"aria-labelledby": "history-heading"})
    assert shown.texts("p", within=history) == ["Eingeweiht 1995."]


def test_accepted_correction_adds_its_source_with_the_credit(site, editor):
    correction = send_correction(site)

    services.submission_accept(submission=correction, by=editor)

    source = Source.objects.get(url="https://example.org/torgau")
    assert list(site.sources.all()) == [source]
    assert (source.title, source.note_en) == (
        "https://example.org/torgau",
        "Sent by Anna Schmidt with a correction of the history.",
    )
    correction.refresh_from_db()
    assert (correction.status, correction.decided_by, correction.applied_source) == (
        "accepted",
        editor,
        source,
    )


def test_accepted_correction_is_in_the_sites_history(site, editor):
    correction = send_correction(site)

    services.submission_accept(submission=correction, by=editor)

    client = logged_in(editor)
    assert site_history(client, site) == [
        f"history (English) changed as proposed in Correction {correction.pk}: history of "
        "Monument of the Meeting; source: https://example.org/torgau"
    ]
    shown = client.get(f"/en/admin/memorials/memorialsite/{site.pk}/history/")
    assert f"Correction {correction.pk}: history of Monument of the Meeting" in shown.text


def test_accepted_coordinates_move_the_site(site, editor):
    correction = send_correction(site, field="coordinates", proposed_text="51.5712, 13.0035")

    services.submission_accept(submission=correction, by=editor)

    site.refresh_from_db()
    assert (site.coordinates, site.location_precision) == ("51.5712, 13.0035", "town")


def test_correction_the_site_refuses_is_not_accepted(site, editor):
    # A name of blanks: the site must have an English name.
    correction = send_correction(site, field="name", proposed_text="   ")

    with pytest.raises(services.SubmissionError) as error:
        services.submission_accept(submission=correction, by=editor)

    assert error.value.code == "invalid"
    correction.refresh_from_db()
    site.refresh_from_db()
    assert (correction.status, site.name_en) == ("pending", "Monument of the Meeting")


def test_accepted_photo_is_published_with_its_credit_and_licence(
    client, page, site, editor, django_capture_on_commit_callbacks
):
    submission = send_photo(site, language="de", caption="Im Frühling")
    sent_file = submission.image.name
    storage = submission.image.storage

    with django_capture_on_commit_callbacks(execute=True):
        services.submission_accept(submission=submission, by=editor)

    photo = Photo.objects.get()
    assert (
        photo.site,
        photo.credit,
        photo.licence,
        photo.caption_de,
        photo.alt_text_de,
        photo.alt_text_en,
    ) == (
        site,
        "Anna Schmidt",
        "CC BY 4.0",
        "Im Frühling",
        "The monument seen from the river",
        "The monument seen from the river",
    )
    assert photo.renditions == [320, 640, 800]
    submission.refresh_from_db()
    assert (submission.status, submission.photo, submission.image.name) == ("accepted", photo, "")
    # The sent file is gone once published (the photo has its own copy).
    assert not storage.exists(sent_file)
    shown = page(client.get("/en/memorials/torgau-monument/"))
    assert shown.find("figcaption").text == "Credit: Anna Schmidt · Licence: CC BY 4.0"


def test_decided_submission_cannot_be_decided_again(site, editor):
    correction = send_correction(site)
    services.submission_decline(submission=correction, by=editor, reason="No source.")

    with pytest.raises(services.SubmissionError) as error:
        services.submission_accept(submission=correction, by=editor)

    assert error.value.code == "decided"
    correction.refresh_from_db()
    assert correction.status == "declined"


def test_photo_decided_meanwhile_is_not_published_and_leaves_no_file(site, editor, settings):
    submission = send_photo(site)
    services.submission_decline(submission=submission, by=editor, reason="Blurred.")

    with pytest.raises(services.SubmissionError) as error:
        services.submission_accept(submission=submission, by=editor)

    assert error.value.code == "decided"
    assert not Photo.objects.filter(site=site).exists()
    assert not [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]


@pytest.mark.django_db(transaction=True)
def test_photo_work_happens_outside_any_database_transaction(site, editor, monkeypatch):
    """Decoding, re-encoding and resizing a sent photo never holds a database lock (on
    SQLite a transaction locks the whole database): not when it is sent, not when it is
    published."""
    in_transaction = []

    def watched(work):
        def run(*args, **kwargs):
            in_transaction.append(connection.in_atomic_block)
            return work(*args, **kwargs)

        return run

    for name in ("sanitise", "make_renditions"):
        monkeypatch.setattr(images, name, watched(getattr(images, name)))
    submission = send_photo(site)
    services.submission_accept(submission=submission, by=editor)

    assert Photo.objects.filter(site=site).count() == 1
    assert in_transaction == [False, False, False]


# Declining and the email ----------------------------------------------------------------


def test_declined_correction_in_german_is_emailed_with_the_reason(
    client, page, site, editor, translated, settings
):
    correction = send_correction(site, language="de", proposed_text="Buy cheap pills")

    services.submission_decline(
        submission=correction, by=editor, reason="Die Quelle nennt das nicht."
    )

    email = OutgoingEmail.objects.get()
    assert (email.kind, email.to, email.language) == (
        "submission_decision",
        "anna@example.org",
        "de",
    )
    assert email.subject == translated("de", "Your contribution to %(site)s") % {
        "site": "Denkmal der Begegnung"
    }
    lines = email.body_text.strip().splitlines()
    assert lines == [
        translated("de", "Hello,"),
        "",
        translated(
            "de",
            "Thank you for your correction of the %(field)s of %(name)s. We are sorry: the "
            "editors have decided not to make it.",
        )
        % {"field": translated("de", "history"), "name": "Denkmal der Begegnung"},
        "",
        translated("de", "The editors' reason:"),
        "Die Quelle nennt das nicht.",
        "",
        f"{settings.SITE_URL}/de/memorials/torgau-monument/",
    ]
    # Nothing the form took is sent on, nor who decided.
    assert "Buy cheap pills" not in email.body_text
    assert "Anna Schmidt" not in email.body_text
    assert editor.username not in email.body_text
    # Nothing of it reaches the site.
    shown = page(client.get("/de/memorials/torgau-monument/"))
    history = shown.find("section", **{"aria-labelledby": "history-heading"})
    assert shown.texts("p", within=history) == ["Built after the war."]


def test_accepted_photo_is_emailed_in_the_visitors_language(site, editor, translated):
    services.submission_accept(submission=send_photo(site, language="ru"), by=editor)

    email = OutgoingEmail.objects.get()
    assert (email.kind, email.language) == ("submission_decision", "ru")
    assert email.body_text.splitlines()[2] == translated(
        "ru",
        "Thank you for your photo of %(name)s: the editors have accepted it, and it is now "
        "shown on the site's page with your credit.",
    ) % {"name": site.name_ru}


def test_declined_photo_file_is_deleted(site, editor, django_capture_on_commit_callbacks):
    submission = send_photo(site)
    sent_file = submission.image.name
    storage = submission.image.storage

    with django_capture_on_commit_callbacks(execute=True):
        services.submission_decline(submission=submission, by=editor, reason="Blurred.")

    submission.refresh_from_db()
    assert (submission.status, submission.image.name, Photo.objects.count()) == (
        "declined",
        "",
        0,
    )
    assert not storage.exists(sent_file)


def test_declining_needs_a_reason(site, editor):
    correction = send_correction(site)

    with pytest.raises(services.SubmissionError) as error:
        services.submission_decline(submission=correction, by=editor, reason="  ")

    assert error.value.code == "reason"
    assert OutgoingEmail.objects.count() == 0


# The review queue in the admin ------------------------------------------------------------


def test_queue_lists_pending_submissions_oldest_first(page, site, editor):
    later = send_correction(site, proposed_text="Later.")
    earlier = send_correction(site, proposed_text="Earlier.")
    Correction.objects.filter(pk=earlier.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    decided = send_correction(site, proposed_text="Decided.")
    services.submission_decline(submission=decided, by=editor, reason="No.")

    shown = page(logged_in(editor).get(QUEUE))

    rows = shown.table(shown.find("table", id="result_list"))
    assert [row[1] for row in rows] == [str(earlier), str(later)]


def test_queue_shows_decided_ones_on_request(page, site, editor):
    pending = send_correction(site)
    declined = send_correction(site)
    services.submission_decline(submission=declined, by=editor, reason="No.")

    shown = page(logged_in(editor).get(QUEUE + "?status=all"))

    rows = shown.table(shown.find("table", id="result_list"))
    assert [row[1] for row in rows] == [str(pending), str(declined)]


def test_change_page_offers_the_decisions_and_no_way_to_edit(page, site, editor):
    correction = send_correction(site)

    shown = page(logged_in(editor).get(f"{QUEUE}{correction.pk}/change/"))

    form = shown.find("form", id="correction_form")
    assert [
        element.attrs["name"]
        for element in shown.find_all("input", within=form)
        + shown.find_all("textarea", within=form)
        if element.attrs.get("type") != "hidden"
    ] == ["_accept", "_decline", "reason"]


def test_editor_accepts_on_the_change_page(site, editor):
    correction = send_correction(site)

    response = logged_in(editor).post(f"{QUEUE}{correction.pk}/change/", {"_accept": "1"})

    assert (response.status_code, response["Location"]) == (302, QUEUE)
    site.refresh_from_db()
    assert site.history_en == "Unveiled in 1995."


def test_editor_declines_on_the_change_page_with_a_reason(site, editor):
    correction = send_correction(site)
    client = logged_in(editor)

    without = client.post(f"{QUEUE}{correction.pk}/change/", {"_decline": "1", "reason": ""})
    correction.refresh_from_db()
    assert (without.status_code, correction.status) == (302, "pending")

    client.post(f"{QUEUE}{correction.pk}/change/", {"_decline": "1", "reason": "No source."})
    correction.refresh_from_db()
    assert (correction.status, correction.decline_reason) == ("declined", "No source.")


def test_saving_the_change_page_changes_nothing(site, editor):
    correction = send_correction(site)

    logged_in(editor).post(
        f"{QUEUE}{correction.pk}/change/", {"_save": "Save", "status": "accepted"}
    )

    correction.refresh_from_db()
    site.refresh_from_db()
    assert (correction.status, site.history_en) == ("pending", "Built after the war.")


def test_editor_accepts_with_the_list_action(site, editor):
    submissions = [send_photo(site), send_photo(site)]

    shown = admin_action(logged_in(editor), PHOTO_QUEUE, "accept_selected", submissions)

    assert shown == ["Accepted: 2."]
    assert Photo.objects.filter(site=site).count() == 2


def test_editor_declines_with_the_list_action_after_giving_a_reason(page, site, editor):
    corrections = [send_correction(site), send_correction(site)]
    client = logged_in(editor)

    asked = client.post(
        QUEUE,
        {
            "action": "decline_selected",
            "index": "0",
            "_selected_action": [c.pk for c in corrections],
        },
    )
    assert page(asked).find("textarea", name="reason").attrs["id"] == "id_reason"
    assert Correction.objects.pending().count() == 2

    done = client.post(
        QUEUE,
        {
            "action": "decline_selected",
            "apply": "1",
            "reason": "Not in the sources.",
            "_selected_action": [c.pk for c in corrections],
        },
    )

    assert done.status_code == 302
    assert list(Correction.objects.values_list("status", "decline_reason")) == [
        ("declined", "Not in the sources."),
        ("declined", "Not in the sources."),
    ]
    assert OutgoingEmail.objects.count() == 2


def test_staff_without_the_permission_cannot_decide(site):
    reader = UserFactory(username="rita", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_correction"))
    correction = send_correction(site)
    client = logged_in(reader)

    on_page = client.post(f"{QUEUE}{correction.pk}/change/", {"_accept": "1"})
    by_action = client.post(
        QUEUE, {"action": "accept_selected", "index": "0", "_selected_action": [correction.pk]}
    )

    assert on_page.status_code == 403
    assert by_action.status_code in (200, 302)
    correction.refresh_from_db()
    assert correction.status == "pending"
    assert "_accept" not in client.get(f"{QUEUE}{correction.pk}/change/").content.decode()


def test_volunteers_do_not_see_the_queue(site, volunteer):
    response = logged_in(volunteer).get(QUEUE)

    assert response.status_code == 302


def test_queue_queries_do_not_grow_with_the_submissions(
    site, editor, django_assert_max_num_queries
):
    client = logged_in(editor)

    def queries():
        with django_assert_max_num_queries(20) as captured:
            assert client.get(QUEUE).status_code == 200
        return len(captured)

    for _ in range(3):
        send_correction(site)
    few = queries()
    for _ in range(30):
        send_correction(site)
    assert queries() == few


# Anonymising -------------------------------------------------------------------------------


def decide_days_ago(decide, days, **kwargs):
    """Decide as if `days` ago, with the decision email written then too."""
    when = timezone.now() - datetime.timedelta(days=days)
    submission = decide(now=when, **kwargs)
    OutgoingEmail.objects.filter(to=submission.email).update(
        created_at=when, status=OutgoingEmail.Status.SENT, sent_at=when
    )
    return submission


def test_senders_are_anonymised_after_the_retention_time(site, editor, settings):
    settings.SUBMISSION_RETENTION_DAYS = 180
    decline = services.submission_decline
    decide_days_ago(
        decline,
        181,
        submission=send_correction(site, email="old@example.org"),
        by=editor,
        reason="No.",
    )
    decide_days_ago(
        decline,
        10,
        submission=send_correction(site, email="recent@example.org"),
        by=editor,
        reason="No.",
    )
    old_photo = decide_days_ago(
        services.submission_accept,
        200,
        submission=send_photo(site, email="photo@example.org"),
        by=editor,
    )
    pending = send_correction(site, email="pending@example.org")
    Correction.objects.filter(pk=pending.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )

    output = io.StringIO()
    call_command("anonymise_registrations", stdout=output)

    assert "Corrections and photos from the public anonymised: 2." in output.getvalue()
    assert [
        (c.email, c.submitter_name, c.anonymised_at is not None)
        for c in Correction.objects.order_by("pk")
    ] == [
        ("", "", True),
        ("recent@example.org", "Anna Schmidt", False),
        ("pending@example.org", "Anna Schmidt", False),
    ]
    old_photo.refresh_from_db()
    assert (old_photo.email, old_photo.credit, old_photo.anonymised_at is not None) == (
        "",
        "",
        True,
    )
    # The published photo keeps its credit.
    assert Photo.objects.get().credit == "Anna Schmidt"
    # The old decision emails keep no address and no text; the recent one stays.
    assert sorted((e.to, bool(e.body_text)) for e in OutgoingEmail.objects.all()) == [
        ("anonymised@invalid", False),
        ("anonymised@invalid", False),
        ("recent@example.org", True),
    ]

    again = io.StringIO()
    call_command("anonymise_registrations", stdout=again)
    assert "Corrections and photos from the public anonymised: 0." in again.getvalue()


# A photo waiting for review is private -----------------------------------------------------


def test_photo_waiting_for_review_has_no_public_address(client, site, settings):
    submission = send_photo(site)

    stored = settings.PRIVATE_MEDIA_ROOT / submission.image.name
    assert stored.is_file()
    assert not [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]
    for path in (f"/media/{submission.image.name}", f"{PHOTO_QUEUE}{submission.pk}/photo/"):
        assert client.get(path).status_code in (302, 404)


def test_editor_sees_the_photo_waiting_for_review(site, editor):
    submission = send_photo(site)
    client = logged_in(editor)

    change_page = client.get(f"{PHOTO_QUEUE}{submission.pk}/change/").content.decode()
    photo = client.get(f"{PHOTO_QUEUE}{submission.pk}/photo/")

    assert f'src="{PHOTO_QUEUE}{submission.pk}/photo/"' in change_page
    assert (photo.status_code, photo["Content-Type"]) == (200, "image/jpeg")
    assert b"".join(photo.streaming_content) == submission.image.open("rb").read()


def test_staff_who_may_not_see_submissions_cannot_fetch_the_photo(site):
    submission = send_photo(site)
    reader = UserFactory(username="rita", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_correction"))

    response = logged_in(reader).get(f"{PHOTO_QUEUE}{submission.pk}/photo/")

    assert response.status_code == 403
