import { useCurrentUser } from "../auth/session";
import { AGENCY_KIND_LABELS, ROLE_LABELS } from "../labels";

export function YourAgencies() {
  const me = useCurrentUser();
  return (
    <section aria-labelledby="my-agencies" className="panel">
      <h2 id="my-agencies">Your agencies and roles</h2>
      <ul className="agency-list">
        {me.agencies.map(({ agency, roles }) => {
          const active = agency.id === me.active_agency;
          return (
            <li key={agency.id} className={active ? "agency-card agency-card--active" : "agency-card"}>
              <p className="agency-card__name">
                {agency.name}
                {active && me.agencies.length > 1 ? <span className="tag">Working for now</span> : null}
              </p>
              <p className="agency-card__meta">
                {AGENCY_KIND_LABELS[agency.kind]} · {agency.region.name}
              </p>
              <p className="agency-card__roles">
                <span className="visually-hidden">Roles: </span>
                {roles.map((role) => ROLE_LABELS[role]).join(", ")}
              </p>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
