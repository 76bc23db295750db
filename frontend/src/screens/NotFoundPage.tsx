import { Link } from "react-router";

import { Page } from "../components/Page";

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <p>There is no page at this address. Check it, or go back to your home page.</p>
      <p>
        <Link to="/">Go to your home page</Link>
      </p>
    </Page>
  );
}

/** A screen that exists, but not for the role the person holds in their current agency. */
export function NotAvailablePage() {
  return (
    <Page title="Not available">
      <p>
        This page isn't part of your role in the agency you are working for now. If you work
        for several agencies, switch agency at the top of the page.
      </p>
      <p>
        <Link to="/">Go to your home page</Link>
      </p>
    </Page>
  );
}
