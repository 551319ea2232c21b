"""Signals for the apps that build on the catalogue: memorials imports none of them, so it
tells them what happened and each decides what to do (registrations writes the emails)."""

from django.dispatch import Signal

# An editor accepted or declined what a visitor sent (a Correction or a PhotoSubmission),
# sent in the decision's transaction with `submission=`, the submission as decided.
submission_decided = Signal()

# Submitters' addresses were removed (`services.submissions_anonymise`), sent in its
# transaction with `emails=` (the addresses, as they were stored) and `before=` (the end of the
# retention time): whatever else holds those addresses for decisions made before it must
# let them go too.
submissions_anonymised = Signal()
