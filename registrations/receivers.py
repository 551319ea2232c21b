"""How registrations answer changes made to ceremonies (`events.signals`): each receiver
hands over to the service that does the work, in the sender's transaction."""

from django.utils import translation
from django.utils.translation import gettext as _

from . import emails, gate, services
from .models import OutgoingEmail


def notify_registrants(sender, *, ceremony, notice, **kwargs) -> int:
    return services.ceremony_notify_change(ceremony=ceremony, kind=OutgoingEmail.Kind(notice))


def fill_seats(sender, *, category, now, **kwargs) -> list:
    return services.waiting_list_fill(category=category, now=now)


def revoke_gate_devices(sender, *, request, **kwargs) -> int:
    """Signing out, by any door, takes back the credentials of the phones signed in with
    that session (their lists are wiped by the sign-out answer, see elbeday.views)."""
    return gate.gate_devices_signed_out(session_key=request.session.session_key or "")


def email_submission_decision(sender, *, submission, **kwargs) -> OutgoingEmail:
    """Tell the visitor who sent a correction or a photo (`memorials.signals`) what the
    editors decided, in the visitor's language. The email holds the decision, the reason,
    and the site's name and address, but none of the text the form took: anybody may give
    any address there, and it must not carry their words to it."""
    site = submission.site
    with translation.override(submission.language):
        subject = _("Your contribution to %(site)s") % {"site": site.name}
        site_page_url = emails.absolute_url(site.get_absolute_url())
    return emails.queue_written_email(
        kind=OutgoingEmail.Kind.SUBMISSION_DECISION,
        to=submission.email,
        language=submission.language,
        subject=subject,
        template="registrations/email/submission_decision.txt",
        context={
            "submission": submission,
            "is_photo": submission._meta.model_name == "photosubmission",
            "site": site,
            "site_page_url": site_page_url,
        },
    )


def forget_submitters(sender, *, emails, before, **kwargs) -> int:
    """Blank the decision emails to visitors whose submissions were anonymised (those
    written before the end of their retention time), as anonymising a registration does."""
    sent = OutgoingEmail.objects.filter(
        kind=OutgoingEmail.Kind.SUBMISSION_DECISION, to__in=emails, created_at__lt=before
    )
    sent.filter(status=OutgoingEmail.Status.QUEUED).delete()
    return sent.update(
        to="anonymised@invalid",
        subject="",
        body_text="",
        body_html="",
        attachments=[],
        last_error="",
    )
