// Trying a draft routine (POST /api/v1/studio/walk): the draft's files beside the region's others, walked in
// memory with the answers chosen per task; nothing is stored. A draft that would not deploy answers with its
// problems, returned here rather than thrown.
import { postMultipart } from "../../api/client";
import { draftForm, refusedProblems, type DeployProblem, type DraftFile } from "../studioApi";

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
  const form = draftForm(region, files);
  form.set("answers", JSON.stringify(answers));
  try {
    return { kind: "walked", walk: await postMultipart<Walk>("/studio/walk", form) };
  } catch (err) {
    const problems = refusedProblems(err);
    if (!problems) throw err;
    return { kind: "problems", problems };
  }
}
