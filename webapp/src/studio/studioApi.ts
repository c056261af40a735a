// What the studio's editors ask of the API: a deployed file to open, a draft decision table to try, and a draft
// to check (a dry run of the deployment) or to deploy with a comment.
import { api, ApiError, postMultipart } from "../api/client";

export interface DeployedFile {
  region: string;
  path: string;
  kind: string;
  /** `region` when the file is the region's own, `base` when it comes from the national routine. */
  source: "region" | "base";
  routine: { region: string; version: number; deployed_at: string; deployed_by: string | null };
  content: string;
}

/** A problem of the deployment's checks: the file, the element and the line it is about. */
export interface DeployProblem {
  file: string | null;
  element: string | null;
  line: number | null;
  /** What is wrong, in English. */
  message: string;
  /** What is wrong, where and what to write instead, in Swedish: what the studio shows. */
  message_sv?: string;
  check?: string;
}

export interface DeployResult {
  valid: boolean;
  dry_run: boolean;
  region: string;
  changed: boolean;
  version: number;
  problems: DeployProblem[];
  deployment: { version: number; comment?: string | null } | null;
}

export interface DraftFile {
  /** The file's name, which decides its path in the set (`mobilt_vardteam.dmn` → `dmn/`). */
  name: string;
  text: string;
  type: string;
}

export function readDeployedFile(region: string, path: string, signal?: AbortSignal): Promise<DeployedFile> {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return api<DeployedFile>(`/regions/${encodeURIComponent(region)}/files/${encoded}`, { signal });
}

/** What the region's routine has for a diagram to name: the choices of the diagram editor's panel. */
export interface RoutineCatalog {
  region: string;
  version: number;
  routine_region: string;
  forms: {
    name: string;
    schema: string;
    uischema: string | null;
    title: string | null;
    path: string;
    /** Whether the person's page can show it (what personFormJsonSchemaFilename may name). */
    for_person: boolean;
  }[];
  decisions: { id: string; name: string | null; path: string }[];
  groups: { name: string; label: string | null; source: "lane" | "task" }[];
  group_expressions: string[];
  messages: { name: string; sent_in: string[]; received_in: string[]; correlation: string[] }[];
  processes: { id: string; name: string | null; path: string }[];
  /** What a `notification` property may say: its kind, where it belongs, and the variables it names. */
  notification_kinds: {
    kind: string;
    label: string;
    on: "user_task" | "message_catch";
    variables: { key: string; label: string }[];
  }[];
}

export function readRoutineCatalog(region: string, signal?: AbortSignal): Promise<RoutineCatalog> {
  return api<RoutineCatalog>(`/regions/${encodeURIComponent(region)}/routine/catalog`, { signal });
}

export interface DraftDecision {
  region: string;
  path: string;
  dmn: string;
  decisionId: string;
  variables: Record<string, unknown>;
}

export function evaluateDraft(draft: DraftDecision): Promise<{ decision_id: string; result: unknown }> {
  return api(`/studio/decisions/evaluate`, {
    method: "POST",
    body: {
      region: draft.region,
      path: draft.path,
      dmn: draft.dmn,
      decision_id: draft.decisionId,
      variables: draft.variables,
    },
  });
}

/** The problems of a draft the API refused as not deployable (422 with `problems`), or null for another error. */
export function refusedProblems(err: unknown): DeployProblem[] | null {
  if (err instanceof ApiError && err.status === 422 && Array.isArray(err.problem.problems)) {
    return err.problem.problems as DeployProblem[];
  }
  return null;
}

/** The draft files as the parts of a multipart body, beside the region. */
export function draftForm(region: string, files: DraftFile[]): FormData {
  const form = new FormData();
  form.set("region", region);
  for (const file of files) form.append("files", new Blob([file.text], { type: file.type }), file.name);
  return form;
}

/** Checks (`dryRun`) or deploys the draft files beside the region's other files. A refused deployment answers
 *  with the same report as a dry run; it is returned, not thrown. */
export async function deployDraft(
  region: string,
  files: DraftFile[],
  options: { dryRun: boolean; comment?: string },
): Promise<DeployResult> {
  const form = draftForm(region, files);
  form.set("dry_run", options.dryRun ? "true" : "false");
  if (options.comment) form.set("comment", options.comment);
  try {
    return await postMultipart<DeployResult>("/deployments", form);
  } catch (err) {
    const problems = refusedProblems(err);
    if (!problems) throw err;
    return { valid: false, dry_run: options.dryRun, region, changed: false, version: 0, problems, deployment: null };
  }
}

/** The path of a studio page's file in the set, from what follows `/dmn/` or `/formular/` in the address: the
 *  folder may be left out (`mobilt_vardteam.dmn` is `dmn/mobilt_vardteam.dmn`). */
export function decisionFilePath(rest: string): string {
  const path = rest.replace(/^\/+/, "");
  return path.startsWith("dmn/") ? path : `dmn/${path}`;
}

/** A form's name from what follows `/formular/`: `forms/x.schema.json`, `x.schema.json`, `x.uischema.json` or `x`. */
export function formNameOf(rest: string): string {
  return rest
    .replace(/^\/+/, "")
    .replace(/^forms\//, "")
    .replace(/\.(ui)?schema\.json$/, "")
    .replace(/\.json$/, "");
}

export function decisionEditorPath(region: string, path: string): string {
  return `/studio/${encodeURIComponent(region)}/dmn/${path.split("/").map(encodeURIComponent).join("/")}`;
}

export function formEditorPath(region: string, name: string): string {
  return `/studio/${encodeURIComponent(region)}/formular/forms/${encodeURIComponent(name)}.schema.json`;
}

export function studioRegionPath(region: string): string {
  return `/studio/${encodeURIComponent(region)}`;
}

/** The file as the region's routine now holds it, after a deployment from this page made `version`. */
export function deployedAs(file: DeployedFile, region: string, version: number): DeployedFile {
  return {
    ...file,
    source: region === "base" ? "base" : "region",
    routine: { ...file.routine, region, version, deployed_at: new Date().toISOString() },
  };
}
