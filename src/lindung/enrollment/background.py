"""Enrollment work as background jobs (`lindung.jobs`): making a registration batch, checking
an answer file, saving it. Each page shows the job's steps with a moving bar, then its result.

    job = start_batch(by=user, beneficiary_list=approved, wadah=wadah, start=..., kind=...)
    job = start_check(by=user, answer=answer)
    job = start_commit(by=user, answer=answer)
"""

import datetime
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lindung.enrollment.answers import service as answers
from lindung.enrollment.batches import create_batch
from lindung.enrollment.models import Answer, AnswerStatus, Wadah
from lindung.enrollment.services import EnrollmentError
from lindung.jobs.kinds import JobKind, Step
from lindung.jobs.models import Job
from lindung.jobs.services import JobError, Progress, start_job
from lindung.roles import Capability
from lindung.targeting.models import BeneficiaryList

if TYPE_CHECKING:
    from lindung.accounts.models import User

BATCH = "enrollment.batch"
CHECK = "enrollment.answer-check"
COMMIT = "enrollment.answer-commit"


def _make_batch(job: Job, progress: Progress) -> str:
    params = job.params
    approved = BeneficiaryList.objects.filter(pk=params.get("list")).first()
    wadah = Wadah.objects.filter(pk=params.get("wadah")).first()
    if approved is None or wadah is None:
        raise JobError(_("The list or the wadah no longer exists."))

    def report(step: str, done: int, total: int) -> None:
        if progress.job.step != step:
            progress.step(step, total=total)
        progress.advance(done, total)

    try:
        batch = create_batch(
            by=job.started_by,
            beneficiary_list=approved,
            wadah=wadah,
            start=datetime.date.fromisoformat(params["start"]) if params.get("start") else None,
            kind=str(params.get("kind") or "new"),
            progress=report,
        )
    except EnrollmentError as error:
        raise JobError(error.message) from error
    return reverse("enrollment:batch-detail", kwargs={"pk": batch.pk})


BATCH_KIND = JobKind(
    code=BATCH,
    title=gettext_lazy("Registration batch"),
    steps=(
        Step("check", gettext_lazy("Checking the candidates")),
        Step("write", gettext_lazy("Writing the file")),
        Step("save", gettext_lazy("Saving the batch")),
    ),
    run=_make_batch,
    redirect=True,
)


def start_batch(
    *,
    by: "User",
    beneficiary_list: BeneficiaryList,
    wadah: Wadah,
    start: datetime.date | None,
    kind: str,
) -> Job:
    return start_job(
        by=by,
        kind=BATCH,
        key=f"{beneficiary_list.pk}:{wadah.pk}:{kind}",
        capability=Capability.ENROLL,
        params={
            "list": beneficiary_list.pk,
            "wadah": wadah.pk,
            "start": start.isoformat() if start else "",
            "kind": kind,
        },
    )


def _answer(job: Job) -> Answer:
    answer = Answer.objects.filter(pk=job.params.get("answer")).first()
    if answer is None:
        raise JobError(_("This answer no longer exists."))
    return answer


def _check(job: Job, progress: Progress) -> str:
    answer = _answer(job)
    progress.step("read")
    answers.run_check(answer, progress=lambda done: progress.advance(done))
    return reverse("enrollment:answer-detail", kwargs={"pk": answer.pk})


CHECK_KIND = JobKind(
    code=CHECK,
    title=gettext_lazy("Checking the branch's answer"),
    steps=(Step("read", gettext_lazy("Reading and checking the rows")),),
    run=_check,
    redirect=True,
)


def start_check(*, by: "User", answer: Answer) -> Job:
    return start_job(
        by=by,
        kind=CHECK,
        key=str(answer.pk),
        capability=Capability.ENROLL,
        params={"answer": answer.pk},
    )


def _commit(job: Job, progress: Progress) -> str:
    answer = _answer(job)
    try:
        answers.commit(by=job.started_by, answer=answer, progress=progress.step)
    except EnrollmentError as error:
        Answer.objects.filter(pk=answer.pk, status=AnswerStatus.COMMITTING).update(
            status=AnswerStatus.CHECKED
        )
        raise JobError(error.message) from error
    return reverse("enrollment:answer-detail", kwargs={"pk": answer.pk})


COMMIT_KIND = JobKind(
    code=COMMIT,
    title=gettext_lazy("Saving the branch's answer"),
    steps=(
        Step("check", gettext_lazy("Checking the rows again")),
        Step("save", gettext_lazy("Saving the participations")),
    ),
    run=_commit,
    redirect=True,
)


def start_commit(*, by: "User", answer: Answer) -> Job:
    return start_job(
        by=by,
        kind=COMMIT,
        key=str(answer.pk),
        capability=Capability.ENROLL,
        params={"answer": answer.pk},
    )
