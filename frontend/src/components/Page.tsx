import { useEffect, useRef, type ReactNode } from "react";

export const APP_NAME = "Safeguarding platform";

/**
 * One screen: sets the browser tab title (never personal data: titles end up in history
 * and screen-sharing) and moves focus to the heading so screen readers announce the page.
 */
export function Page({
  title,
  heading = title,
  children,
}: {
  title: string;
  heading?: ReactNode;
  children: ReactNode;
}) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · ${APP_NAME}`;
    headingRef.current?.focus();
  }, [title]);
  return (
    <>
      <h1 tabIndex={-1} ref={headingRef} className="page-heading">
        {heading}
      </h1>
      {children}
    </>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}
