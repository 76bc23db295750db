/** The plan's reviews: scheduled ones (overdue ones say so), held ones with their decisions. */
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { formatDay } from "../children/ChildDetails";
import { CheckboxGroup } from "../components/Choices";
import { TextField } from "../components/Field";
import { FormFooter, FormOpener } from "../components/FormOpener";
import { errorsFor } from "../components/formErrors";
import { NoticeSlot } from "../components/Notice";
import { FormProblem } from "../components/Problem";
import { QueryResults } from "../components/QueryResults";
import { OverdueTag } from "../referrals/parts";
import { today, type CasePlan, type Review } from "./labels";
import { planKeys, usePlanChange, useTeam } from "./queries";

export function Reviews({ plan }: { plan: CasePlan }) {
  const [notice, setNotice] = useState("");
  const reviews = useQuery({
    queryKey: planKeys.reviews(plan.id),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/case-plans/{plan_pk}/reviews/", {
          params: { path: { plan_pk: plan.id }, query: { page_size: 100 } },
        }),
      ),
  });
  const mayChange = plan.can_manage && plan.status !== "closed";
  return (
    <section aria-labelledby="reviews-heading" className="panel">
      <h2 id="reviews-heading">Reviews</h2>
      <NoticeSlot notice={notice} />
      <QueryResults query={reviews} what="the reviews" empty="No review has been scheduled yet.">
        {(results) => (
          <ul className="review-list">
            {results.map((review) => (
              <ReviewItem
                key={review.id}
                plan={plan}
                review={review}
                mayRecord={mayChange}
                onRecorded={() => setNotice("The review is recorded.")}
              />
            ))}
          </ul>
        )}
      </QueryResults>
      {mayChange ? <ScheduleReview plan={plan} onScheduled={() => setNotice("The review is scheduled.")} /> : null}
    </section>
  );
}

function ReviewItem({
  plan,
  review,
  mayRecord,
  onRecorded,
}: {
  plan: CasePlan;
  review: Review;
  mayRecord: boolean;
  onRecorded: () => void;
}) {
  if (review.status === "held") {
    return (
      <li>
        <p className="item-title">
          Held {review.held_on ? formatDay(review.held_on) : ""} (scheduled for {formatDay(review.scheduled_for)})
        </p>
        {review.attendees.length ? (
          <p className="cell-note">Attended: {review.attendees.map((person) => person.name).join(", ")}</p>
        ) : null}
        {review.other_attendees ? <p className="cell-note">Also: {review.other_attendees}</p> : null}
        {"decisions" in review ? <p className="narrative">{review.decisions}</p> : null}
        {review.recorded_by ? <p className="cell-note">Recorded by {review.recorded_by.name}</p> : null}
      </li>
    );
  }
  return (
    <li className={review.is_overdue ? "work-item--overdue" : undefined}>
      <p className="item-title">
        Scheduled for <time dateTime={review.scheduled_for}>{formatDay(review.scheduled_for)}</time>
        {review.is_overdue ? <OverdueTag /> : null}
      </p>
      {mayRecord ? (
        <FormOpener label={`Record the review of ${formatDay(review.scheduled_for)}`} small>
          {({ done, cancel }) => (
            <RecordReview
              plan={plan}
              review={review}
              onDone={() => {
                done();
                onRecorded();
              }}
              onCancel={cancel}
            />
          )}
        </FormOpener>
      ) : null}
    </li>
  );
}

function ScheduleReview({ plan, onScheduled }: { plan: CasePlan; onScheduled: () => void }) {
  const [date, setDate] = useState("");
  const schedule = usePlanChange(
    plan.id,
    (body: Schemas["ReviewScheduleRequest"]) =>
      unwrap(api.POST("/api/v1/case-plans/{plan_pk}/reviews/", { params: { path: { plan_pk: plan.id } }, body })),
    () => {
      setDate("");
      onScheduled();
    },
  );
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    schedule.mutate({ scheduled_for: date });
  };
  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-labelledby="schedule-review">
      <h3 id="schedule-review">Schedule a review</h3>
      <FormProblem error={schedule.error} fieldLabels={{ scheduled_for: "Review date" }} />
      <TextField label="Review date" name="scheduled_for" type="date" value={date} onChange={setDate} required errors={errorsFor(schedule.error, "scheduled_for")} />
      <button type="submit" className="button" disabled={schedule.isPending}>
        {schedule.isPending ? "Scheduling…" : "Schedule the review"}
      </button>
    </form>
  );
}

function RecordReview({
  plan,
  review,
  onDone,
  onCancel,
}: {
  plan: CasePlan;
  review: Review;
  onDone: () => void;
  onCancel: () => void;
}) {
  const team = useTeam(plan.id);
  const [heldOn, setHeldOn] = useState(today());
  const [attendees, setAttendees] = useState<string[]>([]);
  const [others, setOthers] = useState("");
  const [decisions, setDecisions] = useState("");
  const [next, setNext] = useState("");
  const record = usePlanChange(
    plan.id,
    (body: Schemas["ReviewRecordRequest"]) =>
      unwrap(
        api.POST("/api/v1/case-plans/{plan_pk}/reviews/{id}/record/", {
          params: { path: { plan_pk: plan.id, id: review.id } },
          body,
        }),
      ),
    onDone,
  );
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    record.mutate({
      held_on: heldOn,
      attendees: attendees.map(Number),
      other_attendees: others.trim(),
      decisions: decisions.trim(),
      next_review_date: next || null,
    });
  };
  const errors = (field: string) => errorsFor(record.error, field);
  const members = (team.data?.results ?? []).filter((member) => member.is_current);
  return (
    <form className="form inline-form" onSubmit={onSubmit} noValidate aria-label={`Record the review of ${formatDay(review.scheduled_for)}`}>
      <FormProblem
        error={record.error}
        fieldLabels={{ held_on: "Held on", attendees: "Who attended", decisions: "Decisions", next_review_date: "Next review" }}
      />
      <TextField label="Held on" name="held_on" type="date" value={heldOn} onChange={setHeldOn} required errors={errors("held_on")} />
      <CheckboxGroup
        legend="Who attended from the team"
        name="attendees"
        options={members.map((member) => ({ value: String(member.user.id), label: member.user.name }))}
        value={attendees}
        onChange={setAttendees}
        errors={errors("attendees")}
      />
      <TextField label="Others who attended" name="other_attendees" value={others} onChange={setOthers} hint="e.g. the child, a parent" errors={errors("other_attendees")} />
      <TextField label="Decisions" name="decisions" value={decisions} onChange={setDecisions} multiline required errors={errors("decisions")} />
      <TextField label="Next review" name="next_review_date" type="date" value={next} onChange={setNext} hint="Schedules the next review." errors={errors("next_review_date")} />
      <FormFooter label="Record the review" pendingLabel="Saving…" pending={record.isPending} onCancel={onCancel} />
    </form>
  );
}
