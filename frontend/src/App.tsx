import {
  QueryCache,
  QueryClient,
  QueryClientProvider,
} from "@tanstack/react-query";
import { useMemo, useState, type ReactNode } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router";

import { ApiError } from "./api/errors";
import {
  can,
  CurrentUser,
  ME_KEY,
  SignedOutNotice,
  useCurrentUser,
  useMe,
  type Capability,
} from "./auth/session";
import { Loading } from "./components/Page";
import { LoadProblem } from "./components/Problem";
import { NotAvailablePage, NotFoundPage } from "./screens/NotFoundPage";
import { SCREENS } from "./screens/registry";
import { SignInPage, type SignInState } from "./screens/SignInPage";
import { AppShell } from "./shell/AppShell";

export function createQueryClient(): QueryClient {
  const queryClient: QueryClient = new QueryClient({
    defaultOptions: {
      queries: {
        // Only a lost connection is worth retrying; the platform's refusals are answers.
        retry: (failures, error) => error instanceof ApiError && error.status === 0 && failures < 2,
      },
      mutations: { retry: false },
    },
    // A 401 while loading means the session has ended: go back to signing in. A failed
    // save does not navigate away: the form keeps what was typed and offers a new sign-in.
    queryCache: new QueryCache({ onError: (error) => signedOutOn(error) }),
  });
  const signedOutOn = (error: unknown) => {
    if (error instanceof ApiError && error.isSignedOut) queryClient.setQueryData(ME_KEY, null);
  };
  return queryClient;
}

function RequireSignIn({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) {
    return (
      <main id="main" className="sign-in">
        <Loading what="your account" />
      </main>
    );
  }
  if (me.isError) {
    return (
      <main id="main" className="sign-in">
        <LoadProblem error={me.error} />
      </main>
    );
  }
  if (!me.data) {
    return <Navigate to="/sign-in" replace state={{ from: location.pathname } satisfies SignInState} />;
  }
  return <CurrentUser.Provider value={me.data}>{children}</CurrentUser.Provider>;
}

function Allowed({
  capability,
  children,
}: {
  capability?: Capability | readonly Capability[];
  children: ReactNode;
}) {
  return can(useCurrentUser(), capability) ? children : <NotAvailablePage />;
}

export function AppRoutes() {
  const [signedOutShown, showSignedOut] = useState(false);
  const notice = useMemo(() => ({ shown: signedOutShown, show: showSignedOut }), [signedOutShown]);
  return (
    <SignedOutNotice.Provider value={notice}>
      <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route
        element={
          <RequireSignIn>
            <AppShell />
          </RequireSignIn>
        }
      >
        {SCREENS.map((screen) => (
          <Route
            key={screen.path}
            path={screen.path}
            element={<Allowed capability={screen.capability}>{screen.element}</Allowed>}
          />
        ))}
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
    </SignedOutNotice.Provider>
  );
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </QueryClientProvider>
  );
}
