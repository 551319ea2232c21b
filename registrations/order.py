"""The order of a ceremony: who lays a wreath when, who speaks when, and the running order
(the programme with both merged) that the master of ceremonies reads from.

Germany has no official order of precedence, so the organisers set one per ceremony: a
precedence of delegation kinds (`KindPrecedence`) and a rank within a kind
(`Delegation.rank_in_kind`). `wreath_order_propose` turns them into the order of wreaths;
a delegation placed by hand (`wreath_move`) keeps its place whenever the proposal is
made again, until it is released (`wreath_release`). The delegations' own services call
`wreath_order_propose` after every decision or amendment, so the order always holds
exactly the approved delegations that bring a wreath.

Every write here is in one transaction, records who made it (simple_history) and clears
the page cache through the models' save signals (the public ceremony page shows the
published order).
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from events.models import Ceremony, ProgrammeItem

from .models import Delegation, KindPrecedence, Speaker

KIND_ORDER = {kind: index for index, kind in enumerate(Delegation.Kind.values)}


def kind_precedence(ceremony: Ceremony) -> list[str]:
    """All kinds in the ceremony's precedence: those it ordered first, then the others in
    the order of `Delegation.Kind`."""
    chosen = list(
        KindPrecedence.objects.filter(ceremony=ceremony)
        .order_by("position", "pk")
        .values_list("kind", flat=True)
    )
    return chosen + [kind for kind in Delegation.Kind.values if kind not in chosen]


def _proposal_key(precedence):
    rank_of_kind = {kind: index for index, kind in enumerate(precedence)}

    def key(delegation):
        return (
            rank_of_kind.get(delegation.kind, len(rank_of_kind)),
            delegation.rank_in_kind is None,
            delegation.rank_in_kind or 0,
            delegation.created_at,
            delegation.pk,
        )

    return key


def _save_places(delegations, places, by):
    """Write each delegation's (position, fixed) if it changed; one save each, so that
    the history records it."""
    for delegation in delegations:
        position, fixed = places.get(delegation.pk, (None, False))
        if (delegation.wreath_position, delegation.wreath_position_fixed) == (position, fixed):
            continue
        delegation.wreath_position = position
        delegation.wreath_position_fixed = fixed
        delegation._history_user = by
        delegation.save(update_fields=["wreath_position", "wreath_position_fixed", "updated_at"])


def _locked_delegations(ceremony):
    # Locks the ceremony's delegations for the rest of the transaction, so that two
    # organisers moving wreaths at once do not write two orders over each other.
    return list(Delegation.objects.select_for_update().filter(ceremony=ceremony).order_by("pk"))


def _in_wreath_order(delegation):
    return delegation.status == Delegation.Status.APPROVED and delegation.brings_wreath


@transaction.atomic
def wreath_order_propose(*, ceremony: Ceremony, by=None) -> list[Delegation]:
    """Propose the order of wreaths again and write it (`wreath_position` 1..n).

    In it: the approved delegations that bring a wreath, by the ceremony's precedence of
    kinds, then their rank within the kind (unranked last), then the time of their
    request. Delegations placed by hand keep their place (moved up if the order became
    shorter); the others fill the places around them. Delegations no longer in it
    (declined, withdrawn, waiting again, no wreath) lose their place and their mark.
    Returns the order."""
    delegations = _locked_delegations(ceremony)
    wreaths = sorted(
        (d for d in delegations if _in_wreath_order(d)),
        key=_proposal_key(kind_precedence(ceremony)),
    )
    count = len(wreaths)
    slots = [None] * count
    fixed = sorted(
        (d for d in wreaths if d.wreath_position_fixed and d.wreath_position),
        key=lambda d: d.wreath_position,
    )
    for delegation in fixed:
        wanted = min(delegation.wreath_position, count) - 1
        # Two delegations placed at the same place (the order became shorter): the later
        # one takes the nearest free place after it, else before it.
        free = [i for i in range(wanted, count) if slots[i] is None] or [
            i for i in range(wanted, -1, -1) if slots[i] is None
        ]
        slots[free[0]] = delegation
    rest = iter(d for d in wreaths if d not in fixed)
    slots = [delegation if delegation is not None else next(rest) for delegation in slots]
    places = {
        delegation.pk: (index, delegation in fixed)
        for index, delegation in enumerate(slots, start=1)
    }
    _save_places(delegations, places, by)
    return slots


def wreath_order(ceremony: Ceremony):
    """The delegations in the order of wreaths, as last written."""
    return Delegation.objects.filter(ceremony=ceremony, wreath_position__isnull=False).order_by(
        "wreath_position", "pk"
    )


@transaction.atomic
def wreath_move(*, delegation: Delegation, position: int, by=None) -> list[Delegation]:
    """Put a delegation at `position` (1 is first) by hand; the ones from there on move
    down a place. It stays there when the order is proposed again. Returns the order."""
    delegations = _locked_delegations(delegation.ceremony_id)
    delegation = next(d for d in delegations if d.pk == delegation.pk)
    if not _in_wreath_order(delegation):
        raise ValidationError(
            _("Only approved delegations that bring a wreath are in the order of wreaths."),
            code="not_in_order",
        )
    order = sorted(
        (d for d in delegations if _in_wreath_order(d) and d.pk != delegation.pk),
        key=lambda d: (d.wreath_position is None, d.wreath_position or 0, d.pk),
    )
    index = min(max(position, 1), len(order) + 1) - 1
    order.insert(index, delegation)
    places = {
        d.pk: (place, d.wreath_position_fixed or d.pk == delegation.pk)
        for place, d in enumerate(order, start=1)
    }
    _save_places(delegations, places, by)
    return order


@transaction.atomic
def wreath_release(*, delegation: Delegation, by=None) -> list[Delegation]:
    """Let the proposal place a delegation again (undoes `wreath_move`)."""
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if delegation.wreath_position_fixed:
        delegation.wreath_position_fixed = False
        delegation._history_user = by
        delegation.save(update_fields=["wreath_position_fixed", "updated_at"])
    return wreath_order_propose(ceremony=delegation.ceremony, by=by)


@transaction.atomic
def delegation_rank_set(*, delegation: Delegation, rank: int | None, by=None) -> list[Delegation]:
    """Set a delegation's rank within its kind (1 first, None last; e.g. ambassadors by
    the date of their credentials) and propose the order again."""
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if rank is not None and rank < 1:
        raise ValidationError({"rank_in_kind": _("Give a rank from 1 on, or none.")})
    if delegation.rank_in_kind != rank:
        delegation.rank_in_kind = rank
        delegation._history_user = by
        delegation._change_reason = "rank set"
        delegation.save(update_fields=["rank_in_kind", "updated_at"])
    return wreath_order_propose(ceremony=delegation.ceremony, by=by)


@transaction.atomic
def kind_precedence_set(*, ceremony: Ceremony, kinds: list[str], by=None) -> list[Delegation]:
    """Set the ceremony's precedence of kinds (first comes first; kinds left out follow
    in the order of `Delegation.Kind`) and propose the order of wreaths again."""
    unknown = [kind for kind in kinds if kind not in KIND_ORDER]
    if unknown or len(set(kinds)) != len(kinds):
        raise ValidationError(_("Give each kind of delegation once."), code="kinds")
    KindPrecedence.objects.filter(ceremony=ceremony).delete()
    rows = [
        KindPrecedence(ceremony=ceremony, kind=kind, position=position)
        for position, kind in enumerate(kinds, start=1)
    ]
    for row in rows:
        row.full_clean(validate_unique=False, validate_constraints=False)
    KindPrecedence.objects.bulk_create(rows)
    return wreath_order_propose(ceremony=ceremony, by=by)


def wreath_order_publish(*, ceremony: Ceremony, published: bool) -> Ceremony:
    """Show the order of wreaths on the public ceremony page, or stop showing it."""
    ceremony.wreath_order_published = published
    ceremony.save(update_fields=["wreath_order_published", "updated_at"])
    return ceremony


# Speakers


def _minutes(delta: datetime.timedelta) -> int:
    return int(delta.total_seconds() // 60)


def slot_minutes(item: ProgrammeItem, programme: list[ProgrammeItem], ceremony: Ceremony) -> int:
    """The minutes from a programme item to the next one (or to the ceremony's end)."""
    later = [other.starts_at for other in programme if other.starts_at > item.starts_at]
    until = min(later) if later else ceremony.end
    return max(0, _minutes(until - item.starts_at))


def speaker_fit_problem(speaker: Speaker, speakers=None, programme=None) -> str | None:
    """Why the speeches of `speaker`'s programme item, with `speaker` as it is now, would
    not fit before the next item; None if they fit (or it has no programme item)."""
    item = speaker.programme_item
    if item is None:
        return None
    ceremony = speaker.ceremony
    if programme is None:
        programme = list(ceremony.programme.all())
    if speakers is None:
        speakers = list(Speaker.objects.filter(programme_item=item))
    others = sum(
        s.minutes for s in speakers if s.programme_item_id == item.pk and s.pk != speaker.pk
    )
    total = others + (speaker.minutes or 0)
    available = slot_minutes(item, programme, ceremony)
    if total <= available:
        return None
    return _(
        "The speeches during “%(item)s” would take %(total)d minutes, but there are only "
        "%(available)d minutes until the next item of the programme."
    ) % {"item": item.title, "total": total, "available": available}


def _check_speaker(speaker: Speaker):
    speaker.full_clean()
    if speaker.programme_item and speaker.programme_item.ceremony_id != speaker.ceremony_id:
        raise ValidationError(
            {"programme_item": _("This programme item belongs to another ceremony.")}
        )
    if speaker.delegation and speaker.delegation.ceremony_id != speaker.ceremony_id:
        raise ValidationError({"delegation": _("This delegation belongs to another ceremony.")})
    if problem := speaker_fit_problem(speaker):
        raise ValidationError({"minutes": problem})


@transaction.atomic
def speaker_save(*, speaker: Speaker, by=None) -> Speaker:
    """Add or change a speaker; a new one speaks last. Raises ValidationError (on the
    field) if the speeches would not fit into the programme."""
    # Locks the ceremony row: two organisers adding speakers to one slot at once would
    # otherwise both see the time as free.
    Ceremony.objects.select_for_update().filter(pk=speaker.ceremony_id).first()
    _check_speaker(speaker)
    if speaker.pk is None:
        last = Speaker.objects.filter(ceremony_id=speaker.ceremony_id).aggregate(Max("position"))
        speaker.position = (last["position__max"] or 0) + 1
    speaker._history_user = by
    speaker.save()
    return speaker


@transaction.atomic
def speaker_delete(*, speaker: Speaker, by=None) -> None:
    speaker._history_user = by
    speaker.delete()


@transaction.atomic
def speakers_reorder(*, ceremony: Ceremony, speakers: list[int], by=None) -> list[Speaker]:
    """Put the ceremony's speakers in the order of `speakers` (their ids); any left out
    follow in their present order."""
    present = list(Speaker.objects.select_for_update().filter(ceremony=ceremony))
    by_pk = {speaker.pk: speaker for speaker in present}
    if any(pk not in by_pk for pk in speakers):
        raise ValidationError(_("A speaker of another ceremony."), code="speaker")
    order = [by_pk[pk] for pk in dict.fromkeys(speakers)]
    order += sorted((s for s in present if s not in order), key=lambda s: (s.position, s.pk))
    for position, speaker in enumerate(order, start=1):
        if speaker.position != position:
            speaker.position = position
            speaker._history_user = by
            speaker.save(update_fields=["position"])
    return order


def speaker_move(*, speaker: Speaker, offset: int, by=None) -> list[Speaker]:
    """Move a speaker `offset` places (-1 up, 1 down) in the ceremony's list."""
    order = list(Speaker.objects.filter(ceremony_id=speaker.ceremony_id).order_by("position", "pk"))
    pks = [s.pk for s in order]
    index = pks.index(speaker.pk)
    target = min(max(index + offset, 0), len(pks) - 1)
    pks.insert(target, pks.pop(index))
    return speakers_reorder(ceremony=speaker.ceremony, speakers=pks, by=by)


# The running order


@dataclass
class SpeakerSlot:
    speaker: Speaker
    item: ProgrammeItem | None = None
    starts_at: datetime.datetime | None = None


@dataclass
class RunningOrderItem:
    item: ProgrammeItem
    minutes: int
    speakers: list = field(default_factory=list)
    spoken_minutes: int = 0
    wreaths: list = field(default_factory=list)

    @property
    def overrun(self):
        return self.spoken_minutes > self.minutes


@dataclass
class RunningOrder:
    items: list
    wreaths: list
    wreath_item: ProgrammeItem | None
    unscheduled_speakers: list
    # Every speaker in the ceremony's order, each a SpeakerSlot.
    speakers: list


def wreath_programme_item(
    programme: list[ProgrammeItem], speakers: list[Speaker], chosen_id: int | None = None
):
    """The programme item in which the wreaths are laid: the one the organisers chose
    (`Ceremony.wreath_programme_item`), else the first one after the last item with
    speeches (wreaths are laid after the speeches), else the last item."""
    if not programme:
        return None
    chosen = next((item for item in programme if item.pk == chosen_id), None)
    if chosen is not None:
        return chosen
    with_speeches = {speaker.programme_item_id for speaker in speakers}
    last_speech = max(
        (index for index, item in enumerate(programme) if item.pk in with_speeches), default=None
    )
    if last_speech is not None and last_speech + 1 < len(programme):
        return programme[last_speech + 1]
    return programme[-1]


def running_order(ceremony: Ceremony) -> RunningOrder:
    """The programme with the speakers in their slots (each with the time they begin)
    and the order of wreaths in the item in which the wreaths are laid; three queries."""
    programme = list(ceremony.programme.order_by("starts_at", "pk"))
    speakers = list(ceremony.speakers.select_related("delegation").order_by("position", "pk"))
    wreaths = list(wreath_order(ceremony))
    items = {
        item.pk: RunningOrderItem(item=item, minutes=slot_minutes(item, programme, ceremony))
        for item in programme
    }
    unscheduled = []
    slots = []
    for speaker in speakers:
        entry = items.get(speaker.programme_item_id)
        if entry is None:
            unscheduled.append(speaker)
            slots.append(SpeakerSlot(speaker=speaker))
            continue
        start = entry.item.starts_at + datetime.timedelta(minutes=entry.spoken_minutes)
        slot = SpeakerSlot(speaker=speaker, item=entry.item, starts_at=start)
        entry.speakers.append(slot)
        slots.append(slot)
        entry.spoken_minutes += speaker.minutes
    wreath_item = wreath_programme_item(programme, speakers, ceremony.wreath_programme_item_id)
    if wreath_item is not None:
        items[wreath_item.pk].wreaths = wreaths
    return RunningOrder(
        items=list(items.values()),
        wreaths=wreaths,
        wreath_item=wreath_item,
        unscheduled_speakers=unscheduled,
        speakers=slots,
    )
