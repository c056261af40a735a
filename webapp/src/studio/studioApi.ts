// What the studio's editors ask of the API: a deployed file to open, a draft decision table to try, and a draft
// to check (a dry run of the deployment) or to deploy with a comment.
import { api, ApiError, csrfToken, query, signInUrl, type Problem } from "../api/client";

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
  message: string;
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

/** Checks (`dryRun`) or deploys the draft files beside the region's other files. A refused deployment answers
 *  with the same report as a dry run; it is returned, not thrown. */
export async function deployDraft(
  region: string,
  files: DraftFile[],
  options: { dryRun: boolean; comment?: string },
): Promise<DeployResult> {
  const form = new FormData();
  form.set("region", region);
  form.set("dry_run", options.dryRun ? "true" : "false");
  if (options.comment) form.set("comment", options.comment);
  for (const file of files) form.append("files", new Blob([file.text], { type: file.type }), file.name);
  let response: Response;
  try {
    response = await fetch(`/api/v1/deployments${query({})}`, {
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
  if (response.ok) return body as DeployResult;
  const problem = (body && typeof body === "object" ? body : {}) as Problem;
  if (response.status === 422 && Array.isArray(problem.problems)) {
    return {
      valid: false,
      dry_run: options.dryRun,
      region,
      changed: false,
      version: 0,
      problems: problem.problems as DeployProblem[],
      deployment: null,
    };
  }
  throw new ApiError({
    type: problem.type ?? "about:blank",
    title: problem.title ?? "Något gick fel",
    status: response.status,
    detail: problem.detail ?? "",
    errors: problem.errors,
  });
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
