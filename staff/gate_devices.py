"""The phones signed in at the gate, for organisers: which gate, which volunteer, when
each last synced and how many people it let in, and a button to revoke a lost one."""

import datetime

from django.contrib import messages
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from registrations import gate
from registrations.models import GateDevice

from .permissions import staff_permission_required

# Phones of the last days stay listed after they expire, with their counts.
SHOWN_DAYS = 7


@staff_permission_required("registrations.view_gatedevice")
def devices(request):
    since = timezone.now() - datetime.timedelta(days=SHOWN_DAYS)
    rows = (
        GateDevice.objects.filter(created_at__gte=since)
        .select_related("user", "revoked_by")
        .prefetch_related("ceremonies")
        .annotate(people=Sum("checkins__people"))
    )
    return render(request, "staff/gate_devices.html", {"devices": rows, "now": timezone.now()})


@require_POST
@staff_permission_required("registrations.change_gatedevice")
def revoke(request, pk):
    device = get_object_or_404(GateDevice, pk=pk)
    if gate.gate_device_revoke(device=device, by=request.user):
        messages.success(
            request,
            _("“%(device)s” is signed out: it can no longer download the list or send check-ins.")
            % {"device": device},
        )
    else:
        messages.info(request, _("“%(device)s” was already signed out.") % {"device": device})
    return redirect("staff:gate_devices")
