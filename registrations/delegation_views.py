"""A delegation's pages: the request form (reached by an invitation's link, or from the
ceremony page when it takes open requests) and, behind the link in its emails, the
request with its decision, its ticket, its amendments and its withdrawal.

Every page here shows or takes personal data, so none is kept by a browser or a proxy."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from events.models import Ceremony

from . import delegations
from .forms import DelegationForm
from .models import Delegation, DelegationInvitation
from .views import _client_ip_limited, _email_limited


def _add_errors(form, error):
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
    else:
        form.add_error(error.field if error.field in form.fields else None, error.message)


def _request_page(request, ceremony, invitation=None):
    closed = not delegations.takes_requests(ceremony)
    problem = delegations.invitation_problem(invitation, ceremony) if invitation else None
    initial = {"organisation": invitation.organisation} if invitation else {}
    form = DelegationForm(
        request.POST or None, ceremony=ceremony, invitation=invitation, initial=initial
    )
    if invitation is None and "invitation_code" in form.fields:
        # By invitation only: the page takes the code from the invitation email.
        form.fields["invitation_code"].required = (
            ceremony.delegation_requests != Ceremony.DelegationRequests.OPEN
        )
    status = 200
    if closed or problem:
        return render(
            request,
            "registrations/delegation_closed.html",
            {"ceremony": ceremony, "problem": problem},
            status=403 if request.method == "POST" else 200,
        )
    if request.method == "POST":
        if _client_ip_limited(request, group="delegation-ip"):
            form.add_error(None, _("Too many requests from your network. Please try again later."))
            status = 429
        elif not form.is_valid():
            status = 400
        elif _email_limited(request, form.cleaned_data["contact_email"], group="delegation-email"):
            form.add_error(
                None, _("Too many attempts for this email address. Please try again later.")
            )
            status = 429
        else:
            try:
                delegation = delegations.delegation_request(
                    ceremony=ceremony,
                    delegation=form.instance,
                    invitation=invitation,
                    code=form.cleaned_data.get("invitation_code", ""),
                )
            except (delegations.DelegationError, ValidationError) as error:
                _add_errors(form, error)
                status = 400
            else:
                messages.success(
                    request,
                    _("Thank you: your request has been sent. We have emailed you this link."),
                )
                return redirect("registrations:delegation_manage", token=delegation.manage_token)
    return render(
        request,
        "registrations/delegation_form.html",
        {"ceremony": ceremony, "form": form, "invitation": invitation},
        status=status,
    )


@never_cache
def request_open(request, slug):
    """The ceremony's delegation page: open requests, or a typed invitation code."""
    ceremony = get_object_or_404(Ceremony.objects.public(), slug=slug)
    return _request_page(request, ceremony)


@never_cache
def request_by_invitation(request, token):
    invitation = DelegationInvitation.from_token(token)
    if invitation is None or invitation.anonymised_at:
        raise Http404
    return _request_page(request, invitation.ceremony, invitation)


def _delegation_or_404(token):
    delegation = Delegation.from_token(token)
    if delegation is None or delegation.anonymised_at:
        raise Http404
    return delegation


def _manage_context(delegation, form=None):
    can_amend = delegations.can_amend(delegation)
    registration = delegation.registration
    return {
        "delegation": delegation,
        "ceremony": delegation.ceremony,
        "form": form
        or (
            DelegationForm(instance=delegation, ceremony=delegation.ceremony, amend=True)
            if can_amend
            else None
        ),
        "can_amend": can_amend,
        "can_withdraw": delegations.can_withdraw(delegation),
        "deadline": delegations.changes_deadline(delegation.ceremony),
        "ticket_url": registration.get_ticket_url()
        if delegation.status == Delegation.Status.APPROVED
        and registration
        and registration.is_active
        else "",
    }


@never_cache
def manage(request, token):
    delegation = _delegation_or_404(token)
    if request.method != "POST":
        return render(request, "registrations/delegation_manage.html", _manage_context(delegation))
    if not delegations.can_amend(delegation):
        return redirect("registrations:delegation_manage", token=token)
    # The form fills in a copy: the page around it keeps showing the request as it is.
    shown = Delegation.from_token(token)
    form = DelegationForm(request.POST, instance=shown, ceremony=delegation.ceremony, amend=True)
    if form.is_valid():
        try:
            delegations.delegation_amend(delegation=delegation, changes=form.changes())
        except (delegations.DelegationError, ValidationError) as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your request has been changed."))
            return redirect("registrations:delegation_manage", token=token)
    context = _manage_context(delegation, form)
    return render(request, "registrations/delegation_manage.html", context, status=400)


@never_cache
def withdraw(request, token):
    """Asks first (GET), withdraws on the answer (POST)."""
    delegation = _delegation_or_404(token)
    if not delegations.can_withdraw(delegation):
        return redirect("registrations:delegation_manage", token=token)
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        return render(
            request,
            "registrations/delegation_withdraw.html",
            {"delegation": delegation, "ceremony": delegation.ceremony, "token": token},
        )
    delegations.delegation_withdraw(delegation=delegation)
    messages.success(request, _("Your request has been withdrawn."))
    return redirect("registrations:delegation_manage", token=token)
