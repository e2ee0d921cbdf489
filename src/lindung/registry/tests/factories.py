import datetime

import factory
from django.utils import timezone

from lindung.registry.models import Occupation, Sex, Source, Worker, WorkerStatus


def nik_for(kecamatan: str, birth_date: datetime.date, sex: str, serial: int) -> str:
    """A NIK consistent with a kecamatan code ("52.03.07"), birth date and sex."""
    day = birth_date.day + (40 if sex == Sex.FEMALE else 0)
    return f"{kecamatan.replace('.', '')}{day:02d}{birth_date:%m%y}{serial:04d}"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("name",)

    name = "DTKS"


class WorkerFactory(factory.django.DjangoModelFactory):
    """A worker in Desa/Kel. 52.03.07.1001 (Selong) unless told otherwise."""

    class Meta:
        model = Worker

    class Params:
        serial = factory.Sequence(lambda n: n % 9999 + 1)

    desa_id = "52.03.07.1001"
    kecamatan_id = factory.LazyAttribute(lambda o: o.desa_id[:8])
    kabupaten_id = factory.LazyAttribute(lambda o: o.desa_id[:5])
    sex = Sex.MALE
    birth_date = datetime.date(1980, 5, 28)
    nik = factory.LazyAttribute(lambda o: nik_for(o.kecamatan_id, o.birth_date, o.sex, o.serial))
    name = factory.Sequence(lambda n: f"Lalu Pekerja {n}")
    name_key = factory.LazyAttribute(lambda o: o.name.lower())
    occupation = Occupation.PETANI
    status = WorkerStatus.AKTIF
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)
