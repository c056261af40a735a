// The one place that talks to the product's API (/api/v1). Requests carry the session cookie; changes carry
// the CSRF token from the `sip_csrf` cookie. Errors come back as RFC 9457 problem documents.

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  [key: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.status = problem.status;
    this.problem = problem;
  }
}

const BASE = "/api/v1";

export function csrfToken(): string {
  const match = document.cookie.split("; ").find((c) => c.startsWith("sip_csrf="));
  return match ? decodeURIComponent(match.slice("sip_csrf=".length)) : "";
}

/** Where the browser goes to sign in, coming back to where it was. */
export function signInUrl(): string {
  const here = window.location.pathname + window.location.search;
  return `/logga-in?next=${encodeURIComponent(here)}`;
}

async function problemOf(response: Response): Promise<Problem> {
  try {
    const body = await response.json();
    if (body && typeof body === "object" && "status" in body) return body as Problem;
  } catch {
    // not JSON: fall through
  }
  return {
    type: "about:blank",
    title: response.status >= 500 ? "Tjänsten svarar inte just nu" : "Något gick fel",
    status: response.status,
    detail: response.status >= 500 ? "Försök igen om en stund." : response.statusText,
  };
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** One request to the API: an answer that is not 2xx is thrown as its problem (ApiError); 401 goes to sign in. */
async function send<T>(path: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(BASE + path, { ...init, credentials: "same-origin" });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError({
      type: "about:blank",
      title: "Ingen kontakt med servern",
      status: 0,
      detail: "Kontrollera nätverket och försök igen.",
    });
  }
  if (response.status === 401) {
    window.location.assign(signInUrl());
    throw new ApiError(await problemOf(response));
  }
  if (!response.ok) throw new ApiError(await problemOf(response));
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = csrfToken();
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  return send<T>(path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
}

/** A POST of multipart/form-data (files beside form fields); errors as `api` throws them. */
export function postMultipart<T>(path: string, form: FormData, signal?: AbortSignal): Promise<T> {
  return send<T>(path, {
    method: "POST",
    headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() },
    body: form,
    signal,
  });
}

export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export async function signOut(): Promise<void> {
  await fetch("/auth/logga-ut", {
    method: "POST",
    headers: { "X-CSRF-Token": csrfToken(), Accept: "application/json" },
    credentials: "same-origin",
  });
  window.location.assign("/logga-in");
}
