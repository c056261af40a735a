// Trying a draft routine (POST /api/v1/studio/walk): the draft's files beside the region's others, walked in
// memory with the answers chosen per task; nothing is stored. A draft that would not deploy answers with its
// problems, returned here rather than thrown.
import { ApiError, csrfToken, signInUrl, type Problem } from "../../api/client";
import type { DeployProblem, DraftFile } from "../studioApi";

export interface WalkOption {
  value: unknown;
  title: string;
}

/** A choice of a task's form: its field, the field's title, and its options. */
export interface WalkChoice {
  field: string;
  title: string;
  options: WalkOption[];
}

export interface WalkStep {
  element: string;
  name: string;
  process: string;
  candidate_group: string | null;
  due_at: string | null;
  form: string | null;
  answer: Record<string, unknown>;
  chosen: boolean;
  choices: WalkChoice[];
  occurrence: number;
}

export interface WalkStop {
  kind: "ended" | "waiting" | "incident" | "invalid_answer" | "repeats" | "limit";
  status?: string;
  reason?: string | null;
  messages?: string[];
  timer_due?: string | null;
  message?: string;
  element?: string | null;
  name?: string;
  errors?: { field: string; message: string }[];
  steps?: number;
}

export interface Walk {
  region: string;
  steps: WalkStep[];
  stop: WalkStop;
  started_processes: string[];
}

/** Form data per task (BPMN element id), merged over the default answer. */
export type Answers = Record<string, Record<string, unknown>>;

export type WalkOutcome = { kind: "walked"; walk: Walk } | { kind: "problems"; problems: DeployProblem[] };

export async function walkDraft(region: string, files: DraftFile[], answers: Answers): Promise<WalkOutcome> {
  const form = new FormData();
  form.set("region", region);
  form.set("answers", JSON.stringify(answers));
  for (const file of files) form.append("files", new Blob([file.text], { type: file.type }), file.name);
  let response: Response;
  try {
    response = await fetch("/api/v1/studio/walk", {
      method: "POST",
      body: form,
      headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() },
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError({
      type: "about:blank",
      title: "Ingen kontakt med servern",
      status: 0,
      detail: "Kontrollera nätverket och försök igen.",
    });
  }
  if (response.status === 401) window.location.assign(signInUrl());
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.ok) return { kind: "walked", walk: body as Walk };
  const problem = (body && typeof body === "object" ? body : {}) as Problem;
  if (response.status === 422 && Array.isArray(problem.problems)) {
    return { kind: "problems", problems: problem.problems as DeployProblem[] };
  }
  throw new ApiError({
    type: problem.type ?? "about:blank",
    title: problem.title ?? "Något gick fel",
    status: response.status,
    detail: problem.detail ?? "",
    errors: problem.errors,
  });
}
