import { Fragment } from "react";

import { can, useCurrentUser } from "../auth/session";
import { Page } from "../components/Page";
import { HOME_SECTIONS } from "../home/sections";

/** What needs me now: each section of the home page that fits the person's role. */
export function HomePage() {
  const me = useCurrentUser();
  const name = me.first_name || me.username;
  return (
    <Page title="Home" heading={`Hello, ${name}`}>
      {HOME_SECTIONS.filter((section) => can(me, section.capability)).map((section) => (
        <Fragment key={section.id}>{section.element}</Fragment>
      ))}
    </Page>
  );
}
