"""Roles and what each may do: the one table every permission check reads."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Disnakertrans administrator")
    OPERATOR_KABUPATEN = "operator_kabupaten", _("Regency operator")
    OPERATOR_KECAMATAN = "operator_kecamatan", _("District operator")
    OPERATOR_DESA = "operator_desa", _("Village operator")
    BPJS = "bpjs", _("BPJS Ketenagakerjaan officer")
    PIMPINAN = "pimpinan", _("Leadership (aggregates only)")
    AUDITOR = "auditor", _("Auditor")
    # A province running one installation for its kabupaten/kota: sees all of them, changes
    # nothing (each kabupaten/kota's own admins run its policy, lists and approvals).
    PROVINSI = "provinsi", _("Provincial officer (read-only)")


class Capability(StrEnum):
    VIEW_NIK = "view_nik"  # see full NIK / No. KK; everyone else sees them masked
    VIEW_PERSONS = "view_persons"  # see person-level rows at all (pimpinan: aggregates only)
    EDIT_DATA = "edit_data"  # change registry data within scope
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    CONFIGURE = "configure"  # deployment, policy, rules
    APPROVE = "approve"  # approve a targeting scenario as the beneficiary list (lampiran SK)
    ENROLL = "enroll"  # registration batches to BPJS TK, the branch's answers, self-payers
    BILL = "bill"  # bills, payments, refunds and reconciliation with BPJS TK
    CLAIM = "claim"  # report a death or accident, work its claims to BPJS TK


_ALL = set(Capability)
CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMIN: frozenset(_ALL),
    Role.OPERATOR_KABUPATEN: frozenset(
        {
            Capability.VIEW_NIK,
            Capability.VIEW_PERSONS,
            Capability.EDIT_DATA,
            Capability.ENROLL,
            Capability.BILL,
            Capability.CLAIM,
        }
    ),
    Role.OPERATOR_KECAMATAN: frozenset(
        {Capability.VIEW_NIK, Capability.VIEW_PERSONS, Capability.EDIT_DATA, Capability.CLAIM}
    ),
    Role.OPERATOR_DESA: frozenset(
        {Capability.VIEW_NIK, Capability.VIEW_PERSONS, Capability.EDIT_DATA, Capability.CLAIM}
    ),
    Role.BPJS: frozenset(
        {
            Capability.VIEW_NIK,
            Capability.VIEW_PERSONS,
            Capability.ENROLL,
            Capability.BILL,
            Capability.CLAIM,
        }
    ),
    Role.PIMPINAN: frozenset(),
    Role.AUDITOR: frozenset({Capability.VIEW_NIK, Capability.VIEW_PERSONS, Capability.VIEW_AUDIT}),
    Role.PROVINSI: frozenset({Capability.VIEW_PERSONS}),
}

# The region level a role is bound to; None means the whole deployment (or one kabupaten of it).
REQUIRED_LEVEL: dict[str, int | None] = {
    Role.OPERATOR_KECAMATAN: 3,
    Role.OPERATOR_DESA: 4,
}
