import pytest
from django.db import DatabaseError, connection, models, transaction

from lindung.accounts.tests.factories import admin
from lindung.audit.actions import Action
from lindung.audit.models import AppendOnlyError, Event
from lindung.audit.services import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> Event:
    return record(by=admin(), action=Action.USER_UPDATED, before={"a": 1}, after={"a": 2})


def test_saving_an_existing_event_is_refused(event: Event) -> None:
    event.action = "something_else"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_updating_events_through_the_queryset_is_refused(event: Event) -> None:
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(action="something_else")
    with pytest.raises(AppendOnlyError):
        Event.objects.bulk_update([event], ["action"])


def test_the_database_rejects_an_update_in_sql(event: Event) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_event SET action = 'forged' WHERE id = %s", [event.pk])
    assert Event.objects.get(pk=event.pk).action == "user_updated"


def test_the_database_rejects_an_update_that_bypasses_the_queryset_guard(event: Event) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        models.QuerySet.update(Event.objects.filter(pk=event.pk), action="forged")
    assert Event.objects.get(pk=event.pk).action == "user_updated"


def test_deleting_events_through_the_orm_is_refused(event: Event) -> None:
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).delete()
    assert Event.objects.filter(pk=event.pk).exists()


def test_an_event_records_the_actor_as_text_that_outlives_the_account() -> None:
    boss = admin(username="boss")
    event = record(by=boss, action=Action.LOGIN)
    assert (event.actor, event.actor_label) == (boss, "boss")
    assert record(by=None, action=Action.LOGIN).actor_label == "system"
