// Who is signed in: read once from /api/v1/me. Without a session the API answers 401 and the client sends the
// browser to the sign-in page.
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { api, ApiError } from "../api/client";
import type { Me } from "../api/types";

const CurrentUser = createContext<Me | null>(null);

export function CurrentUserProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<Me>("/me")
      .then(setMe)
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) return; // on the way to the sign-in page
        setError(err instanceof Error ? err.message : String(err));
      });
  }, []);

  if (error) {
    return (
      <main className="page" id="innehall">
        <h1>Det gick inte att hämta din inloggning</h1>
        <p role="alert">{error}</p>
      </main>
    );
  }
  if (!me) {
    return (
      <p className="loading" role="status">
        Laddar …
      </p>
    );
  }
  return <CurrentUser.Provider value={me}>{children}</CurrentUser.Provider>;
}

export function useCurrentUser(): Me {
  const me = useContext(CurrentUser);
  if (!me) throw new Error("useCurrentUser outside CurrentUserProvider");
  return me;
}
