/**
 * Every screen of the signed-in app, in navigation order. Adding a screen is one entry here:
 * its path, its navigation label, and the capability (from `auth/me/` permissions) that
 * makes it available. The shell builds the routes and the navigation from this list.
 */
import type { ReactNode } from "react";

import type { Capability } from "../auth/session";
import { AgencyPage } from "./AgencyPage";
import { PLAN_READERS } from "../caseplans/OpenPlan";
import { AuditPage } from "./AuditPage";
import { CasePlanPage } from "./CasePlanPage";
import { CasePlansPage } from "./CasePlansPage";
import { ChildNewPage } from "./ChildNewPage";
import { ChildPage } from "./ChildPage";
import { ChildrenPage } from "./ChildrenPage";
import { DirectoryCheckPage } from "./DirectoryCheckPage";
import { DirectoryHsdsPage } from "./DirectoryHsdsPage";
import { DirectoryPage } from "./DirectoryPage";
import { HomePage } from "./HomePage";
import { NewReferralPage } from "./NewReferralPage";
import { NotificationsPage } from "./NotificationsPage";
import { PathwayEditPage, PathwayNewPage } from "./PathwayFormPage";
import { PathwayPage } from "./PathwayPage";
import { ReferralDetailPage } from "./ReferralDetailPage";
import { ReferralsPage } from "./ReferralsPage";
import { ServiceEditPage, ServiceNewPage } from "./ServiceFormPage";
import { ServicePage } from "./ServicePage";
import { SharingOverridePage, SharingOverridesPage } from "./SharingOverridesPage";
import { StaffPage } from "./StaffPage";

export interface Screen {
  path: string;
  /** Screens without one (details, flows) are reached by links, not from the navigation. */
  navLabel?: string;
  /** Shown only to people whose active agency role grants this (or any one of a list). */
  capability?: Capability | readonly Capability[];
  element: ReactNode;
}

const REFERRALS = ["referrals.create", "referrals.receive"] as const;

const DIRECTORY_ADMIN = "directory.manage";

export const SCREENS: Screen[] = [
  { path: "/", navLabel: "Home", element: <HomePage /> },
  { path: "/referrals", navLabel: "Referrals", capability: REFERRALS, element: <ReferralsPage /> },
  {
    path: "/referrals/new",
    navLabel: "New referral",
    capability: "referrals.create",
    element: <NewReferralPage />,
  },
  { path: "/referrals/:id", capability: REFERRALS, element: <ReferralDetailPage /> },
  {
    path: "/sharing-overrides",
    navLabel: "Sharing without consent",
    capability: "sharing.authorise_override",
    element: <SharingOverridesPage />,
  },
  {
    path: "/sharing-overrides/:id",
    capability: "sharing.authorise_override",
    element: <SharingOverridePage />,
  },
  { path: "/case-plans", navLabel: "Case plans", capability: PLAN_READERS, element: <CasePlansPage /> },
  { path: "/case-plans/:id", capability: PLAN_READERS, element: <CasePlanPage /> },
  { path: "/notifications", element: <NotificationsPage /> },
  { path: "/children", navLabel: "Children", capability: "children.view", element: <ChildrenPage /> },
  { path: "/children/new", capability: "children.create", element: <ChildNewPage /> },
  { path: "/children/:id", capability: "children.view", element: <ChildPage /> },
  { path: "/directory", navLabel: "Directory", element: <DirectoryPage /> },
  { path: "/directory/services/new", capability: DIRECTORY_ADMIN, element: <ServiceNewPage /> },
  { path: "/directory/services/:id", element: <ServicePage /> },
  { path: "/directory/services/:id/edit", capability: DIRECTORY_ADMIN, element: <ServiceEditPage /> },
  { path: "/directory/pathways/new", capability: DIRECTORY_ADMIN, element: <PathwayNewPage /> },
  { path: "/directory/pathways/:id", element: <PathwayPage /> },
  { path: "/directory/pathways/:id/edit", capability: DIRECTORY_ADMIN, element: <PathwayEditPage /> },
  { path: "/directory/verify", capability: DIRECTORY_ADMIN, element: <DirectoryCheckPage /> },
  { path: "/directory/hsds", capability: DIRECTORY_ADMIN, element: <DirectoryHsdsPage /> },
  { path: "/audit", navLabel: "Audit trail", capability: "audit.view", element: <AuditPage /> },
  { path: "/staff", navLabel: "Staff", capability: "agency.manage", element: <StaffPage /> },
  { path: "/agency", navLabel: "Agency", capability: "agency.manage", element: <AgencyPage /> },
];
