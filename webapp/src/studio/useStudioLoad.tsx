// Loading what a studio page shows (a deployed file, a form): loading, not there (404, or a name the API refuses),
// failed with a way to try again, or ready; and the page's words for each state but the last.
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { ApiError } from "../api/client";

export type Loaded<T> =
  | { state: "loading" }
  | { state: "missing" }
  | { state: "failed"; text: string }
  | { state: "ready"; value: T };

function failureText(err: unknown, fallback: string): string {
  if (!(err instanceof ApiError)) return fallback;
  return err.problem.detail ? `${err.problem.title}. ${err.problem.detail}` : err.problem.title;
}

/** Reads once per mounted page (pages are keyed by what they show) and again on `retry`; `setValue` replaces what
 *  was read, as after a deployment from the page. */
export function useStudioLoad<T>(read: (signal: AbortSignal) => Promise<T>, failed: string) {
  const [load, setLoad] = useState<Loaded<T>>({ state: "loading" });
  const [attempt, setAttempt] = useState(0);
  const reader = useRef(read);
  useEffect(() => {
    reader.current = read;
  });
  useEffect(() => {
    const controller = new AbortController();
    reader
      .current(controller.signal)
      .then((value) => setLoad({ state: "ready", value }))
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        if (err instanceof ApiError && (err.status === 404 || err.status === 400)) setLoad({ state: "missing" });
        else setLoad({ state: "failed", text: failureText(err, failed) });
      });
    return () => controller.abort();
  }, [attempt, failed]);
  const retry = useCallback(() => {
    setLoad({ state: "loading" });
    setAttempt((n) => n + 1);
  }, []);
  const setValue = useCallback((value: T) => setLoad({ state: "ready", value }), []);
  return { load, retry, setValue };
}

/** What a page shows until what it loads is ready: a status while loading, its heading and words when it is not
 *  there, and the failure with a button to try again. */
export function LoadState<T>({
  load,
  retry,
  back,
  loading,
  missingTitle,
  missing,
  failedTitle,
}: {
  load: Exclude<Loaded<T>, { state: "ready" }>;
  retry: () => void;
  back: ReactNode;
  loading: string;
  missingTitle: string;
  missing: ReactNode;
  failedTitle: string;
}) {
  if (load.state === "loading") {
    return (
      <p className="loading" role="status">
        {loading}
      </p>
    );
  }
  if (load.state === "missing") {
    return (
      <>
        {back}
        <h1>{missingTitle}</h1>
        <p>{missing}</p>
      </>
    );
  }
  return (
    <>
      {back}
      <h1>{failedTitle}</h1>
      <p className="alert alert--error" role="alert">
        {load.text}
      </p>
      <button type="button" onClick={retry}>
        Försök igen
      </button>
    </>
  );
}
