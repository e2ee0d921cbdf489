"""Web pages of move requests: a worker registered in another wilayah, asked for by an import.

An import by a region-bound operator never changes a worker outside their wilayah (row code
NIK_OUTSIDE_SCOPE); its commit records a MoveRequest instead. The page lists the pending
requests whose worker lives in the user's wilayah today (those the user decides, with the
worker and the requested values) and the user's own requests, shown only as a masked NIK and a
state: a requester learns nothing of the worker's current record.
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db.models import Field, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lindung.accounts.models import User
from lindung.decorators import require, user_of
from lindung.formats import format_date, format_rupiah, mask_nik
from lindung.registry import services
from lindung.registry.models import MoveRequest, MoveState, Occupation, Sex, Worker
from lindung.registry.queries import visible_workers
from lindung.roles import Capability

LIST_LIMIT = 200


class DecisionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note (optional)"), max_length=500, required=False)


def _to_decide(user: User) -> "QuerySet[MoveRequest]":
    """Pending requests whose worker lives in the user's wilayah today, oldest first."""
    return MoveRequest.objects.filter(
        state=MoveState.PENDING, worker__in=visible_workers(user).values("pk")
    ).order_by("id")


def _get_to_decide(user: User, pk: int) -> MoveRequest:
    move = _to_decide(user).filter(pk=pk).first()
    if move is None:
        raise Http404
    return move


@dataclass(frozen=True)
class OwnRequest:
    nik: str  # masked
    target: str
    state: str
    created_at: datetime.datetime
    decided_at: datetime.datetime | None


def _requested_values(move: MoveRequest) -> list[tuple[str, str]]:
    """The values the import row gave, as (field label, text)."""
    rows = []
    for name in services.EDITABLE_FIELDS:
        if name not in move.fields:
            continue
        value = move.fields[name]
        field = Worker._meta.get_field(name)
        label = str(field.verbose_name) if isinstance(field, Field) else name
        if name == "sex":
            text = str(Sex(value).label)
        elif name == "occupation":
            text = str(Occupation(value).label)
        elif name in ("disability", "female_head"):
            text = str(_("yes") if value else _("no"))
        elif name == "birth_date":
            text = format_date(datetime.date.fromisoformat(value))
        elif name == "income":
            text = format_rupiah(value)
        else:
            text = str(value)
        rows.append((label[:1].upper() + label[1:], text))
    return rows


@require(Capability.EDIT_DATA)
def move_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    pending = _to_decide(user).select_related(
        "worker__desa", "worker__kecamatan", "target_desa__parent", "requested_by", "batch"
    )[:LIST_LIMIT]
    own = MoveRequest.objects.filter(requested_by=user).select_related("worker", "target_desa")
    context = {
        "to_decide": [(move, _requested_values(move)) for move in pending],
        "own": [
            OwnRequest(
                mask_nik(move.worker.nik),
                move.target_desa.display_name,
                move.get_state_display(),
                move.created_at,
                move.decided_at,
            )
            for move in own.order_by("-id")[:LIST_LIMIT]
        ],
        "form": DecisionForm(),
    }
    return render(request, "registry/move_list.html", context)


def _decide(request: HttpRequest, pk: int, *, accept: bool) -> HttpResponse:
    user = user_of(request)
    move = _get_to_decide(user, pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    decide = services.accept_move if accept else services.refuse_move
    try:
        decide(by=user, move=move, note=note)
    except services.RegistryError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The worker was moved to the requested desa.")
            if accept
            else _("The request was refused; the worker stays where they are."),
        )
    return redirect("registry:move-list")


@require_POST
@require(Capability.EDIT_DATA)
def move_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, accept=True)


@require_POST
@require(Capability.EDIT_DATA)
def move_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, accept=False)
