"""Periodic sweeps on the real task runner: idempotent reminders, transactional enqueueing,
the scheduler's clock and the package's worker command."""

import contextlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from agencies.models import Agency, Role
from notifications import sweeps
from notifications.management.commands.run_scheduler import enqueue_due
from notifications.models import Notification, NotificationKind, SentReminder
from notifications.services import recipients_in
from notifications.tasks import run_sweep, wake_at
from tests.factories import member

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
WARN = timedelta(hours=2)
GRACE = timedelta(hours=4)


class Clock:
    """A test-only sweep source: acknowledgement deadlines on agencies standing in for
    referrals, with the same stages the referral SLA sweep uses."""

    name = "tests.clock"

    def __init__(self) -> None:
        self.deadlines: dict[int, datetime] = {}

    def __call__(self, now: datetime):
        for agency in Agency.objects.filter(pk__in=self.deadlines).order_by("pk"):
            yield from sweeps.deadline_reminders(
                obj=agency,
                reference=f"R-2026-{agency.pk:04d}",
                due=self.deadlines[agency.pk],
                now=now,
                recipients=recipients_in(agency, [Role.DUTY_MANAGER]),
                soon=NotificationKind.ACKNOWLEDGEMENT_DUE_SOON,
                warn_before=WARN,
                overdue=NotificationKind.ACKNOWLEDGEMENT_OVERDUE,
                escalation=NotificationKind.ESCALATION,
                escalate_after=GRACE,
                escalate_to=recipients_in(agency, [Role.AGENCY_ADMIN]),
            )


@pytest.fixture
def clock():
    source = Clock()
    sweeps.register(source.name, source, every=timedelta(seconds=30))
    yield source
    sweeps.unregister(source.name)


@pytest.fixture
def staff(social_services):
    return {
        "duty": member(social_services, Role.DUTY_MANAGER),
        "admin": member(social_services, Role.AGENCY_ADMIN),
        "worker": member(social_services, Role.SOCIAL_WORKER),
    }


def kinds_for(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", flat=True)
    )


@pytest.mark.django_db
def test_sla_sweep_walks_the_stages_and_notifies_each_once(clock, social_services, staff):
    clock.deadlines[social_services.pk] = NOW
    assert sweeps.run(clock.name, NOW - WARN - timedelta(minutes=1)) == 0
    assert sweeps.run(clock.name, NOW - timedelta(minutes=30)) == 1
    assert sweeps.run(clock.name, NOW - timedelta(minutes=29)) == 0  # run twice: once only
    assert sweeps.run(clock.name, NOW + timedelta(minutes=1)) == 1
    assert sweeps.run(clock.name, NOW + timedelta(minutes=2)) == 0
    assert sweeps.run(clock.name, NOW + GRACE) == 1
    assert sweeps.run(clock.name, NOW + GRACE * 2) == 0

    assert kinds_for(staff["duty"]) == ["acknowledgement_due_soon", "acknowledgement_overdue"]
    assert kinds_for(staff["admin"]) == ["escalation"]
    assert kinds_for(staff["worker"]) == []
    escalation = Notification.objects.get(recipient=staff["admin"])
    assert escalation.reference == f"R-2026-{social_services.pk:04d}"
    assert (escalation.object_type, escalation.object_id) == (
        "agencies.agency",
        str(social_services.pk),
    )


@pytest.mark.django_db
def test_a_moved_deadline_is_a_new_reminder(clock, social_services, staff):
    clock.deadlines[social_services.pk] = NOW
    sweeps.run(clock.name, NOW + timedelta(minutes=1))
    clock.deadlines[social_services.pk] = NOW + timedelta(days=1)
    sweeps.run(clock.name, NOW + timedelta(days=1, minutes=1))
    sweeps.run(clock.name, NOW + timedelta(days=1, minutes=2))
    assert kinds_for(staff["duty"]) == ["acknowledgement_overdue"] * 2


@pytest.mark.django_db
def test_late_first_run_sends_what_is_due_not_what_is_stale(clock, social_services, staff):
    clock.deadlines[social_services.pk] = NOW
    assert sweeps.run(clock.name, NOW + GRACE + timedelta(hours=1)) == 2
    assert kinds_for(staff["duty"]) == ["acknowledgement_overdue"]
    assert kinds_for(staff["admin"]) == ["escalation"]


@pytest.mark.django_db
def test_someone_who_joins_later_still_gets_the_reminder(clock, social_services, staff):
    clock.deadlines[social_services.pk] = NOW
    sweeps.run(clock.name, NOW + timedelta(minutes=1))
    newcomer = member(social_services, Role.DUTY_MANAGER)
    assert sweeps.run(clock.name, NOW + timedelta(minutes=2)) == 1
    assert kinds_for(newcomer) == ["acknowledgement_overdue"]
    assert kinds_for(staff["duty"]) == ["acknowledgement_overdue"]


@pytest.mark.django_db
def test_one_failing_reminder_does_not_hold_up_the_others(social_services, other_agency, staff):
    outside_duty = member(other_agency, Role.DUTY_MANAGER)

    def source(now):
        yield sweeps.Reminder(
            [staff["duty"]], NotificationKind.REVIEW_DUE, social_services, "bad ref", "k"
        )
        yield sweeps.Reminder(
            [outside_duty], NotificationKind.REVIEW_DUE, other_agency, "CP-2026-0001", "k"
        )

    sweeps.register("tests.failing", source)
    try:
        with pytest.raises(RuntimeError, match="1 reminder"):
            sweeps.run("tests.failing", NOW)
    finally:
        sweeps.unregister("tests.failing")
    assert kinds_for(outside_duty) == ["review_due"]
    assert kinds_for(staff["duty"]) == []
    assert not SentReminder.objects.filter(recipient=staff["duty"]).exists()


def test_registering_a_different_sweep_under_a_taken_name_is_refused(clock):
    with pytest.raises(ValueError, match="already registered"):
        sweeps.register(clock.name, lambda now: None)
    sweeps.register(clock.name, clock, every=timedelta(seconds=30))  # the same one again is fine


@pytest.mark.django_db
def test_enqueueing_is_part_of_the_transaction(clock):
    deadline = datetime(2030, 1, 1, tzinfo=UTC)
    with contextlib.suppress(RuntimeError), transaction.atomic():
        wake_at(clock.name, deadline)
        assert DBTaskResult.objects.count() == 1
        raise RuntimeError("the change that set the deadline failed")
    assert DBTaskResult.objects.count() == 0

    with transaction.atomic():
        wake_at(clock.name, deadline)
    task = DBTaskResult.objects.get()
    assert task.task_path == "notifications.tasks.run_sweep"
    assert task.args_kwargs == {"args": [clock.name], "kwargs": {}}
    assert task.run_after == deadline
    with pytest.raises(KeyError):
        wake_at("tests.nobody-registered-this", deadline)


@pytest.mark.django_db
def test_scheduler_enqueues_each_sweep_on_its_interval_without_piling_up(clock):
    last: dict = {}
    assert clock.name in enqueue_due(last, NOW)
    assert clock.name not in enqueue_due(last, NOW + timedelta(seconds=10))  # not yet due
    # Due again, but the previous run is still waiting for a worker: no second copy.
    assert clock.name not in enqueue_due(last, NOW + timedelta(seconds=40))
    assert DBTaskResult.objects.filter(args_kwargs__args__0=clock.name).count() == 1
    # A run deferred to a future deadline does not count as waiting.
    DBTaskResult.objects.all().delete()
    wake_at(clock.name, datetime(2030, 1, 1, tzinfo=UTC))
    assert clock.name in enqueue_due(last, NOW + timedelta(seconds=80))


@pytest.mark.django_db
def test_run_scheduler_once_enqueues_every_registered_sweep(clock):
    call_command("run_scheduler", "--once")
    queued = set(DBTaskResult.objects.values_list("args_kwargs__args__0", flat=True))
    assert queued == {sweep.name for sweep in sweeps.registered()}
    assert clock.name in queued


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_runs_the_sweep_once(clock, social_services, staff):
    clock.deadlines[social_services.pk] = datetime.now(UTC) - timedelta(minutes=5)
    run_sweep.enqueue(clock.name)
    run_sweep.enqueue(clock.name)  # e.g. two schedulers: still one notification
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
    assert kinds_for(staff["duty"]) == ["acknowledgement_overdue"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_never_notify_twice(clock, social_services, staff):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for truly concurrent transactions")
    clock.deadlines[social_services.pk] = NOW
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait()
            sweeps.run(clock.name, NOW + timedelta(minutes=1))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert kinds_for(staff["duty"]) == ["acknowledgement_overdue"]
