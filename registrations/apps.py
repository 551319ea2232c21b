from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self):
        from events import signals

        from . import receivers

        signals.ceremony_changed.connect(
            receivers.notify_registrants, dispatch_uid="registrations-notify"
        )
        signals.seats_added.connect(receivers.fill_seats, dispatch_uid="registrations-fill")

        from memorials import signals as memorials_signals

        memorials_signals.submission_decided.connect(
            receivers.email_submission_decision, dispatch_uid="registrations-submission-decided"
        )
        memorials_signals.submissions_anonymised.connect(
            receivers.forget_submitters, dispatch_uid="registrations-submissions-anonymised"
        )

        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(
            receivers.revoke_gate_devices, dispatch_uid="registrations-gate-sign-out"
        )

        from elbeday.cache import connect_invalidation

        from .models import Delegation

        # The ceremony page shows the published order of wreaths: a delegation placed,
        # moved, approved or declined clears the page cache.
        connect_invalidation([Delegation])
