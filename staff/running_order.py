"""Protocol staff's pages for the order of a ceremony: the order of wreaths (precedence
of kinds, moves by hand, publishing), the speakers, and the printable running order.

Every button is a POST form that works without scripts and with the keyboard; each write
goes through `registrations.order`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events.models import Ceremony
from registrations import order
from registrations.forms import KindPrecedenceForm, SpeakerForm, WreathPlaceForm, WreathRankForm
from registrations.models import Delegation, Speaker

from .permissions import staff_permission_required

PERMISSION = "registrations.manage_protocol"


def _ceremony(slug):
    return get_object_or_404(Ceremony, slug=slug)


def _error_text(error: ValidationError):
    return " ".join(error.messages)


@staff_permission_required(PERMISSION)
def wreaths(request, slug):
    ceremony = _ceremony(slug)
    kinds = order.kind_precedence(ceremony)
    wreath_order = list(order.wreath_order(ceremony))
    return render(
        request,
        "staff/order_wreaths.html",
        {
            "ceremony": ceremony,
            "precedence_form": KindPrecedenceForm(kinds=kinds),
            "wreath_order": wreath_order,
            "count": len(wreath_order),
        },
    )


@require_POST
@staff_permission_required(PERMISSION)
def precedence(request, slug):
    ceremony = _ceremony(slug)
    form = KindPrecedenceForm(request.POST, kinds=order.kind_precedence(ceremony))
    if form.is_valid():
        order.kind_precedence_set(ceremony=ceremony, kinds=form.ordered_kinds(), by=request.user)
        messages.success(
            request, _("The precedence of kinds is saved; the order is proposed anew.")
        )
    else:
        messages.error(
            request, _("Give each kind a place from 1 to %(count)d.") % {"count": len(form.fields)}
        )
    return redirect("staff:order_wreaths", slug=ceremony.slug)


@require_POST
@staff_permission_required(PERMISSION)
def wreath_move(request, slug, pk):
    ceremony = _ceremony(slug)
    delegation = get_object_or_404(Delegation, ceremony=ceremony, pk=pk)
    if "up" in request.POST or "down" in request.POST:
        current = delegation.wreath_position or 1
        position = current - 1 if "up" in request.POST else current + 1
    else:
        form = WreathPlaceForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a place from 1 on."))
            return redirect("staff:order_wreaths", slug=ceremony.slug)
        position = form.cleaned_data["position"]
    try:
        placed = order.wreath_move(
            delegation=delegation, position=max(position, 1), by=request.user
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        place = next(i for i, d in enumerate(placed, start=1) if d.pk == delegation.pk)
        messages.success(
            request,
            _("%(organisation)s is now in place %(place)d, placed by hand.")
            % {"organisation": delegation.organisation, "place": place},
        )
    return redirect(f"{_order_url(ceremony)}#delegation-{delegation.pk}")


@require_POST
@staff_permission_required(PERMISSION)
def wreath_rank(request, slug, pk):
    ceremony = _ceremony(slug)
    delegation = get_object_or_404(Delegation, ceremony=ceremony, pk=pk)
    form = WreathRankForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a rank from 1 on, or none."))
    else:
        order.delegation_rank_set(
            delegation=delegation, rank=form.cleaned_data["rank"], by=request.user
        )
        messages.success(
            request,
            _("The rank of %(organisation)s within its kind is saved; the order is proposed anew.")
            % {"organisation": delegation.organisation},
        )
    return redirect(f"{_order_url(ceremony)}#delegation-{delegation.pk}")


def _order_url(ceremony):
    return reverse("staff:order_wreaths", kwargs={"slug": ceremony.slug})


@require_POST
@staff_permission_required(PERMISSION)
def wreath_release(request, slug, pk):
    ceremony = _ceremony(slug)
    delegation = get_object_or_404(Delegation, ceremony=ceremony, pk=pk)
    order.wreath_release(delegation=delegation, by=request.user)
    messages.success(
        request,
        _("%(organisation)s is placed by the proposal again.")
        % {"organisation": delegation.organisation},
    )
    return redirect("staff:order_wreaths", slug=ceremony.slug)


@require_POST
@staff_permission_required(PERMISSION)
def wreath_recompute(request, slug):
    ceremony = _ceremony(slug)
    order.wreath_order_propose(ceremony=ceremony, by=request.user)
    messages.success(request, _("The order is proposed anew; places set by hand are kept."))
    return redirect("staff:order_wreaths", slug=ceremony.slug)


@require_POST
@staff_permission_required(PERMISSION)
def wreath_publish(request, slug):
    ceremony = _ceremony(slug)
    published = request.POST.get("published") == "1"
    order.wreath_order_publish(ceremony=ceremony, published=published)
    messages.success(
        request,
        _("The order of wreaths is shown on the ceremony page.")
        if published
        else _("The order of wreaths is no longer shown on the ceremony page."),
    )
    return redirect("staff:order_wreaths", slug=ceremony.slug)


# Speakers


def _speakers_page(request, ceremony, form, status=200):
    return render(
        request,
        "staff/speakers.html",
        {"ceremony": ceremony, "running": order.running_order(ceremony), "form": form},
        status=status,
    )


def _speaker_form(request, ceremony, instance=None):
    programme = list(ceremony.programme.order_by("starts_at", "pk"))
    return SpeakerForm(
        request.POST or None, instance=instance, ceremony=ceremony, programme=programme
    )


def _save_speaker(request, ceremony, form):
    if not form.is_valid():
        return False
    try:
        order.speaker_save(speaker=form.instance, by=request.user)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return False
    return True


@staff_permission_required(PERMISSION)
def speakers(request, slug):
    ceremony = _ceremony(slug)
    form = _speaker_form(request, ceremony)
    if request.method == "POST":
        if _save_speaker(request, ceremony, form):
            messages.success(request, _("%(name)s is added.") % {"name": form.instance.name})
            return redirect("staff:speakers", slug=ceremony.slug)
        return _speakers_page(request, ceremony, form, status=400)
    return _speakers_page(request, ceremony, form)


@staff_permission_required(PERMISSION)
def speaker_edit(request, slug, pk):
    ceremony = _ceremony(slug)
    speaker = get_object_or_404(Speaker, ceremony=ceremony, pk=pk)
    form = _speaker_form(request, ceremony, instance=speaker)
    if request.method == "POST":
        if _save_speaker(request, ceremony, form):
            messages.success(request, _("%(name)s is saved.") % {"name": form.instance.name})
            return redirect("staff:speakers", slug=ceremony.slug)
        status = 400
    else:
        status = 200
    return render(
        request,
        "staff/speakers_edit.html",
        {"ceremony": ceremony, "speaker": speaker, "form": form},
        status=status,
    )


@require_POST
@staff_permission_required(PERMISSION)
def speaker_delete(request, slug, pk):
    ceremony = _ceremony(slug)
    speaker = get_object_or_404(Speaker, ceremony=ceremony, pk=pk)
    order.speaker_delete(speaker=speaker, by=request.user)
    messages.success(request, _("%(name)s is removed.") % {"name": speaker.name})
    return redirect("staff:speakers", slug=ceremony.slug)


@require_POST
@staff_permission_required(PERMISSION)
def speaker_move(request, slug, pk):
    ceremony = _ceremony(slug)
    speaker = get_object_or_404(Speaker, ceremony=ceremony, pk=pk)
    order.speaker_move(speaker=speaker, offset=-1 if "up" in request.POST else 1, by=request.user)
    return redirect(f"{_speakers_url(ceremony)}#speaker-{speaker.pk}")


def _speakers_url(ceremony):
    return reverse("staff:speakers", kwargs={"slug": ceremony.slug})


@staff_permission_required(PERMISSION)
def running_order(request, slug):
    ceremony = _ceremony(slug)
    return render(
        request,
        "staff/running_order.html",
        {"ceremony": ceremony, "running": order.running_order(ceremony)},
    )
