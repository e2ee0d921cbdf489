"""Changes to the deployment: which kabupaten/kota this installation serves."""

from django.db import transaction
from django.utils.translation import gettext as _

from lindung.audit.actions import Action
from lindung.audit.actors import Actor
from lindung.audit.services import record
from lindung.regions.models import DECREE_FIELDS, Deployment, Level, RegencyDecree, Region


class DeploymentError(Exception):
    pass


@transaction.atomic
def configure_deployment(*, kabupaten: list[str], by: Actor | None, name: str = "") -> Deployment:
    """Serve the given kabupaten/kota (codes like `52.03`); audited with before/after."""
    codes = sorted(set(kabupaten))
    if not codes:
        raise DeploymentError(_("Name at least one kabupaten/kota code, e.g. 52.03."))
    regions = list(Region.objects.filter(code__in=codes, level=Level.KABUPATEN_KOTA))
    unknown = sorted(set(codes) - {r.code for r in regions})
    if unknown:
        raise DeploymentError(
            _(
                "Unknown kabupaten/kota code(s): %(codes)s. Use codes like 52.03 and load the "
                "wilayah tree first (lindung regions load)."
            )
            % {"codes": ", ".join(unknown)}
        )
    deployment = Deployment.objects.filter(pk=1).first()
    before = {"name": deployment.name, "areas": deployment.area_codes()} if deployment else {}
    name = (name or _deployment_name(regions))[:200]
    if deployment is None:
        deployment = Deployment.objects.create(pk=1, name=name)
    elif deployment.name != name:
        deployment.name = name
        deployment.save(update_fields=["name", "configured_at"])
    deployment.areas.set(regions)
    after = {"name": name, "areas": codes}
    if before != after:
        record(
            by=by, action=Action.DEPLOYMENT_CONFIGURED, obj=deployment, before=before, after=after
        )
    return deployment


def _deployment_name(regions: list[Region]) -> str:
    """The installation's default name: one kabupaten/kota's name, two or three joined, or for
    more of one province "Provinsi Nusa Tenggara Barat (10 kabupaten/kota)"."""
    ordered = sorted(regions, key=lambda r: r.code)
    provinces = {r.code.split(".")[0] for r in ordered}
    if len(ordered) > 3 and len(provinces) == 1:
        province = Region.objects.filter(code=provinces.pop()).first()
        if province is not None:
            return f"Provinsi {province.name} ({len(ordered)} kabupaten/kota)"
    return " · ".join(r.name for r in ordered)


@transaction.atomic
def update_decree_settings(
    *,
    by: Actor,
    head_title: str,
    head_name: str,
    signing_place: str,
    decree_subject: str,
    kabupaten: str | None = None,
) -> Deployment | RegencyDecree:
    """What the decrees of the head of region say (the lampiran of an approved list): the
    title (Bupati, Wali Kota), the name, the place of signing and the default subject: the
    installation's, or `kabupaten`'s own in an installation that serves several. Audited with
    before/after; nothing is recorded when nothing changed."""
    deployment = Deployment.objects.select_for_update().filter(pk=1).first()
    if deployment is None:
        raise DeploymentError(_("The deployment is not configured yet (lindung setup)."))
    target: Deployment | RegencyDecree = deployment
    if kabupaten is not None and deployment.area_codes() != [kabupaten]:
        if kabupaten not in deployment.area_codes():
            raise DeploymentError(
                _("%(code)s is not a regency/city of this installation.") % {"code": kabupaten}
            )
        own = RegencyDecree.objects.select_for_update().filter(kabupaten_id=kabupaten).first()
        target = own or RegencyDecree(kabupaten_id=kabupaten)
    values = {
        "head_title": " ".join(head_title.split()),
        "head_name": " ".join(head_name.split()),
        "signing_place": " ".join(signing_place.split()),
        "decree_subject": " ".join(decree_subject.split()),
    }
    before = {field: getattr(target, field) for field in DECREE_FIELDS}
    if before == values and not target._state.adding:
        return target
    for field, value in values.items():
        setattr(target, field, value)
    target.save()
    record(
        by=by,
        action=Action.DECREE_SETTINGS_CHANGED,
        obj=target,
        before={k: v for k, v in before.items() if v != values[k]},
        after={k: v for k, v in values.items() if v != before[k]}
        | ({"kabupaten": kabupaten} if isinstance(target, RegencyDecree) else {}),
    )
    return target
