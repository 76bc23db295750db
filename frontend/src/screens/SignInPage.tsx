import { useContext, useState, type FormEvent } from "react";
import { Navigate, useLocation, useNavigate } from "react-router";

import { ApiError } from "../api/errors";
import { TextField } from "../components/Field";
import { Page, APP_NAME } from "../components/Page";
import { SignedOutNotice, useMe, useSignIn } from "../auth/session";

export interface SignInState {
  from?: string;
}

const FIELD_LABELS = { username: "Username", password: "Password" };

export function SignInPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const state = (location.state ?? {}) as SignInState;
  const { data: me } = useMe();
  const signedOut = useContext(SignedOutNotice).shown;
  const signIn = useSignIn();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");

  // After a sign-out the next person starts at home, not on the previous person's screen.
  const destination = signedOut ? "/" : (state.from ?? "/");
  if (me) return <Navigate to={destination} replace />;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate(
      { username, password },
      { onSuccess: () => navigate(destination, { replace: true }) },
    );
  };
  const error = signIn.error instanceof ApiError ? signIn.error : null;

  return (
    <main id="main" className="sign-in">
      <p className="sign-in__brand">{APP_NAME}</p>
      <Page title="Sign in">
        {signedOut && !signIn.isError ? (
          <p className="notice" role="status">
            You have signed out.
          </p>
        ) : null}
        {error ? <SignInProblem error={error} /> : null}
        <form onSubmit={onSubmit} noValidate className="form">
          <TextField
            label={FIELD_LABELS.username}
            name="username"
            value={username}
            onChange={setUsername}
            autoComplete="username"
            required
            errors={error?.errorsFor("username")}
          />
          <TextField
            label={FIELD_LABELS.password}
            name="password"
            type="password"
            value={password}
            onChange={setPassword}
            autoComplete="current-password"
            required
            errors={error?.errorsFor("password")}
          />
          <button type="submit" className="button button--primary" disabled={signIn.isPending}>
            {signIn.isPending ? "Signing in…" : "Sign in"}
          </button>
        </form>
      </Page>
    </main>
  );
}

/** A wrong password is the common case: say so plainly, in the platform's own words. */
function SignInProblem({ error }: { error: ApiError }) {
  const message =
    error.status === 401 && error.detail ? error.detail : error.message;
  return (
    <div className="problem" role="alert">
      <p className="problem__title">{message}</p>
      {error.status === 400 ? <p>Enter your username and your password.</p> : null}
    </div>
  );
}
