import { useState, type FormEvent } from "react";
import { Link, NavLink, Outlet, useLocation } from "react-router";

import { activeAgency, can, useCurrentUser, useSignOut, useSwitchAgency, type Me } from "../auth/session";
import { APP_NAME } from "../components/Page";
import { LoadProblem } from "../components/Problem";
import { fullName } from "../labels";
import { NotificationBell } from "../notifications/NotificationBell";
import { SCREENS } from "../screens/registry";

export function AppShell() {
  const me = useCurrentUser();
  const { pathname } = useLocation();
  const offered = SCREENS.filter((screen) => screen.navLabel && can(me, screen.capability));
  const current = currentEntry(offered.map((screen) => screen.path), pathname);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="shell-header">
        <div className="shell-header__inner">
          <NavLink to="/" className="shell-header__brand">
            {APP_NAME}
          </NavLink>
          <div className="shell-header__account">
            <NotificationBell />
            {me.agencies.length > 1 ? (
              <AgencySwitcher me={me} />
            ) : (
              <span className="shell-header__agency">{activeAgency(me)?.name}</span>
            )}
            <span className="shell-header__person">{fullName(me)}</span>
            <SignOutButton />
          </div>
        </div>
        <nav aria-label="Main" className="shell-nav">
          <ul>
            {offered.map((screen) => (
              <li key={screen.path}>
                <Link to={screen.path} aria-current={screen.path === current ? "page" : undefined}>
                  {screen.navLabel}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" className="shell-main">
        <Outlet />
      </main>
    </>
  );
}

/**
 * The navigation entry for where the person is: the longest entry the address is at or
 * under, so "/referrals/new" marks "New referral" and "/referrals/42" marks "Referrals".
 */
export function currentEntry(paths: string[], pathname: string): string | undefined {
  const under = (path: string) =>
    path === "/" ? pathname === "/" : pathname === path || pathname.startsWith(`${path}/`);
  return paths.filter(under).sort((a, b) => b.length - a.length)[0];
}

/**
 * Changing agency changes what the person may see, so it happens on an explicit button
 * press (not on selection, WCAG 3.2.2) and starts from a clean cache.
 */
function AgencySwitcher({ me }: { me: Me }) {
  const switchAgency = useSwitchAgency();
  const [selected, setSelected] = useState(String(me.active_agency ?? ""));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    switchAgency.mutate(Number(selected));
  };
  return (
    <form className="agency-switcher" onSubmit={onSubmit}>
      <label htmlFor="agency-switcher">Working for</label>
      <select
        id="agency-switcher"
        value={selected}
        onChange={(event) => setSelected(event.target.value)}
      >
        {me.agencies.map(({ agency }) => (
          <option key={agency.id} value={agency.id}>
            {agency.name}
          </option>
        ))}
      </select>
      <button
        type="submit"
        className="button button--small"
        disabled={switchAgency.isPending || selected === String(me.active_agency)}
      >
        Switch
      </button>
      {switchAgency.isError ? <LoadProblem error={switchAgency.error} /> : null}
    </form>
  );
}

function SignOutButton() {
  const signOut = useSignOut();
  const onClick = () => signOut.mutate();
  return (
    <>
      <button
        type="button"
        className="button button--small button--quiet"
        onClick={onClick}
        disabled={signOut.isPending}
      >
        Sign out
      </button>
      {signOut.isError ? <LoadProblem error={signOut.error} /> : null}
    </>
  );
}
