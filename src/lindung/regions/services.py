"""Changes to the deployment: which kabupaten/kota this installation serves."""

from django.db import transaction
from django.utils.translation import gettext as _

from lindung.audit.actions import Action
from lindung.audit.actors import Actor
from lindung.audit.services import record
from lindung.regions.models import Deployment, Level, Region


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
    name = name or " · ".join(r.name for r in sorted(regions, key=lambda r: r.code))
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
