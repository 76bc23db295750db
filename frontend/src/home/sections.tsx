/**
 * What the home page shows, in order: each section is one component with the capability
 * that makes it relevant. Adding what needs someone now (case plans, reviews, re-assessments
 * due...) is one entry here.
 */
import type { ReactNode } from "react";

import type { Capability } from "../auth/session";
import { DueReviews, MyCasePlans } from "../caseplans/HomeSections";
import { PLAN_OPENERS } from "../caseplans/OpenPlan";
import { IncomingReferrals } from "./IncomingReferrals";
import { RecentNotifications } from "./RecentNotifications";
import { ReferralCounts } from "./ReferralCounts";
import { YourAgencies } from "./YourAgencies";

export interface HomeSection {
  id: string;
  /** Shown only to people whose active agency role grants this (or any one of a list). */
  capability?: Capability | readonly Capability[];
  element: ReactNode;
}

export const HOME_SECTIONS: HomeSection[] = [
  { id: "incoming-referrals", capability: "referrals.receive", element: <IncomingReferrals /> },
  { id: "reviews-due", capability: PLAN_OPENERS, element: <DueReviews /> },
  { id: "my-case-plans", capability: "caseplans.lead", element: <MyCasePlans /> },
  { id: "recent-notifications", element: <RecentNotifications /> },
  {
    id: "referral-counts",
    capability: ["referrals.create", "referrals.receive"],
    element: <ReferralCounts />,
  },
  { id: "your-agencies", element: <YourAgencies /> },
];
