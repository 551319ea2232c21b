from django.urls import path

from . import delegations, gate_devices, press, running_order, views

app_name = "staff"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("gate/devices/", gate_devices.devices, name="gate_devices"),
    path("gate/devices/<int:pk>/revoke/", gate_devices.revoke, name="gate_device_revoke"),
    # The press (registrations.press).
    path("ceremonies/<slug:slug>/press/", press.accreditations, name="press"),
    path("ceremonies/<slug:slug>/press/export/", press.export, name="press_export"),
    path("ceremonies/<slug:slug>/press/<int:pk>/decide/", press.decide, name="press_decide"),
    path("press/<int:pk>/letter/", press.letter, name="press_letter"),
    path("ceremonies/<slug:slug>/export/", views.export, name="export"),
    path("ceremonies/<slug:slug>/guest-list/", views.guest_list, name="guest_list"),
    path("ceremonies/<slug:slug>/message/", views.message, name="message"),
    path(
        "ceremonies/<slug:slug>/registrations/add/",
        views.registration_add,
        name="registration_add",
    ),
    # The order of a ceremony: wreaths, speakers, the running order (registrations.order).
    path("ceremonies/<slug:slug>/wreaths/", running_order.wreaths, name="order_wreaths"),
    path(
        "ceremonies/<slug:slug>/wreaths/precedence/",
        running_order.precedence,
        name="order_precedence",
    ),
    path(
        "ceremonies/<slug:slug>/wreaths/recompute/",
        running_order.wreath_recompute,
        name="order_recompute",
    ),
    path(
        "ceremonies/<slug:slug>/wreaths/publish/",
        running_order.wreath_publish,
        name="order_publish",
    ),
    path(
        "ceremonies/<slug:slug>/wreaths/<int:pk>/move/",
        running_order.wreath_move,
        name="order_move",
    ),
    path(
        "ceremonies/<slug:slug>/wreaths/<int:pk>/rank/",
        running_order.wreath_rank,
        name="order_rank",
    ),
    path(
        "ceremonies/<slug:slug>/wreaths/<int:pk>/release/",
        running_order.wreath_release,
        name="order_release",
    ),
    path("ceremonies/<slug:slug>/speakers/", running_order.speakers, name="speakers"),
    path(
        "ceremonies/<slug:slug>/speakers/<int:pk>/",
        running_order.speaker_edit,
        name="speaker_edit",
    ),
    path(
        "ceremonies/<slug:slug>/speakers/<int:pk>/delete/",
        running_order.speaker_delete,
        name="speaker_delete",
    ),
    path(
        "ceremonies/<slug:slug>/speakers/<int:pk>/move/",
        running_order.speaker_move,
        name="speaker_move",
    ),
    path(
        "ceremonies/<slug:slug>/running-order/",
        running_order.running_order,
        name="running_order",
    ),
    path(
        "ceremonies/<slug:slug>/delegations/",
        delegations.delegation_list,
        name="delegations",
    ),
    path(
        "ceremonies/<slug:slug>/delegations/invitations/",
        delegations.invitations,
        name="delegation_invitations",
    ),
    path(
        "ceremonies/<slug:slug>/delegations/export/",
        delegations.delegation_export,
        name="delegation_export",
    ),
    path(
        "ceremonies/<slug:slug>/delegations/<int:pk>/",
        delegations.delegation_detail,
        name="delegation_detail",
    ),
    path(
        "ceremonies/<slug:slug>/delegations/<int:pk>/decide/",
        delegations.delegation_decide,
        name="delegation_decide",
    ),
]
