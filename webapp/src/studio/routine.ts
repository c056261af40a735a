// What the studio's frame asks of the API: a region's routine as deployed, a file as a difference from the base,
// the region's versions and what each changed, an earlier version deployed again, and whether the cases on a
// version can move to the newest (the migration plan).
import { api, query } from "../api/client";
import type { Me } from "../api/types";

export type Origin = "base" | "region";

export interface RoutineFile {
  path: string;
  kind: "bpmn" | "dmn" | "schema" | "uischema" | "other";
  origin: Origin;
  hash: string;
  title: string | null;
  base_path: string | null;
  status: "same" | "changed" | "added";
}

export interface Routine {
  region: string;
  process: { region: string; version: number };
  base_version: number | null;
  files: RoutineFile[];
  missing: { path: string; kind: string; title: string | null }[];
}

export interface DiffElement {
  id: string;
  type: string;
  name: string | null;
  within: string | null;
}

export interface ElementChange {
  aspect: string;
  before: string | null;
  after: string | null;
}

export interface FileDiff {
  path: string;
  kind: string;
  status: "same" | "changed" | "added" | "removed";
  readable: boolean;
  added: DiffElement[];
  removed: DiffElement[];
  changed: (DiffElement & { changes: ElementChange[] })[];
  moved: DiffElement[];
}

export interface RegionFileDiff extends FileDiff {
  region: string;
  version: number;
  base_path: string | null;
  base_version: number | null;
}

export interface Version {
  version: number;
  definition_id: number;
  deployed_at: string;
  deployed_by: string | null;
  content_hash: string;
  comment: string | null;
  source: string | null;
  restored_version: number | null;
  previous_version: number | null;
  running_cases: number;
  changes: { added: string[]; removed: string[]; changed: string[] };
}

export interface VersionList {
  region: string;
  items: Version[];
  total: number;
  limit: number;
  offset: number;
  current: { region: string; version: number } | null;
  running_cases: number;
  base_versions: { version: number; running_cases: number }[];
}

export interface VersionChanges {
  region: string;
  version: number;
  previous_version: number | null;
  files: FileDiff[];
}

export interface DeploymentResult {
  changed: boolean;
  version: number;
  deployment: { version: number; comment: string | null; restored_version: number | null } | null;
}

export interface MigrationPlan {
  to_version: number;
  cases: { case_id: string; from_version: number; can_move: boolean; reasons: { element: string; message: string }[] }[];
  summary: { total: number; can_move: number; cannot_move: number };
}

/** Whether the signed-in user uses the studio at all: process owners and administrators. */
export function usesStudio(me: Me): boolean {
  return me.roles.includes("process_owner") || me.roles.includes("admin");
}

/** Whether the signed-in user deploys to the region: its own process owners only (the API decides; this only
 *  hides buttons that would be refused). */
export function deploysTo(me: Me, region: string): boolean {
  return me.roles.includes("process_owner") && me.region === region;
}

/** The routine the region runs now, or (with `version`) one of its own versions. */
export function getRoutine(region: string, version: number | null, signal?: AbortSignal): Promise<Routine> {
  return api<Routine>(`/regions/${encodeURIComponent(region)}/routine${query({ version })}`, { signal });
}

export function getFileDiff(
  region: string,
  path: string,
  version: number | null,
  signal?: AbortSignal,
): Promise<RegionFileDiff> {
  return api<RegionFileDiff>(`/regions/${encodeURIComponent(region)}/routine/diff${query({ path, version })}`, {
    signal,
  });
}

/** A version number from the address (`?version=3`), or null for the version the region runs now. */
export function versionParam(value: string | null): number | null {
  return value && /^[1-9]\d{0,8}$/.test(value) ? Number(value) : null;
}

export function listVersions(region: string, limit: number, offset: number, signal?: AbortSignal): Promise<VersionList> {
  return api<VersionList>(`/regions/${encodeURIComponent(region)}/versions${query({ limit, offset })}`, { signal });
}

export function getVersionChanges(region: string, version: number, signal?: AbortSignal): Promise<VersionChanges> {
  return api<VersionChanges>(`/regions/${encodeURIComponent(region)}/versions/${version}/changes`, { signal });
}

export function restoreVersion(region: string, version: number, comment: string): Promise<DeploymentResult> {
  return api<DeploymentResult>(`/regions/${encodeURIComponent(region)}/versions/${version}/restore`, {
    method: "POST",
    body: comment.trim() ? { comment: comment.trim() } : {},
  });
}

export function planMigration(region: string, fromVersion: number): Promise<MigrationPlan> {
  return api<MigrationPlan>("/migrations/plan", { method: "POST", body: { region, from_version: fromVersion } });
}

// -- where each page is -------------------------------------------------------------------------------------------

export function regionPath(region: string): string {
  return `/studio/${encodeURIComponent(region)}`;
}

/** The region's routine page: the version it runs now, or (with `version`) an earlier one of its own. */
export function routinePath(region: string, version: number | null): string {
  return version === null ? regionPath(region) : `${regionPath(region)}?version=${version}`;
}

export function versionsPath(region: string): string {
  return `${regionPath(region)}/versioner`;
}

export function diffPath(region: string, paths: string[], version: number | null = null): string {
  const search = new URLSearchParams();
  for (const path of paths) search.append("fil", path);
  if (version !== null) search.set("version", String(version));
  return `${regionPath(region)}/skillnad?${search.toString()}`;
}

/** The editor of a file (the diagram modeler, the table editor, the form editor): `/studio/<region>/<editor>/`
 *  and the file's path in the set, each of its segments URL-encoded (`…/dmn/dmn/mobilt_vardteam.dmn`). */
export function editorPath(region: string, file: RoutineFile): string | null {
  const editor = file.kind === "bpmn" ? "bpmn" : file.kind === "dmn" ? "dmn" : file.kind === "schema" ? "formular" : null;
  const path = file.path.split("/").map(encodeURIComponent).join("/");
  return editor ? `${regionPath(region)}/${editor}/${path}` : null;
}

// -- words ------------------------------------------------------------------------------------------------------

export function originText(origin: Origin): string {
  return origin === "region" ? "Regionens egen" : "Bas";
}

const TYPES: Record<string, string> = {
  process: "Process",
  subProcess: "Delprocess",
  userTask: "Användaruppgift",
  manualTask: "Manuell uppgift",
  scriptTask: "Skriptuppgift",
  serviceTask: "Tjänsteuppgift",
  businessRuleTask: "Beslutsuppgift",
  callActivity: "Anropad process",
  task: "Uppgift",
  sendTask: "Skicka-uppgift",
  receiveTask: "Ta emot-uppgift",
  exclusiveGateway: "Exklusiv grind",
  parallelGateway: "Parallell grind",
  inclusiveGateway: "Inkluderande grind",
  eventBasedGateway: "Händelsegrind",
  startEvent: "Starthändelse",
  endEvent: "Sluthändelse",
  intermediateCatchEvent: "Mellanliggande händelse",
  intermediateThrowEvent: "Mellanliggande händelse",
  boundaryEvent: "Gränshändelse",
  sequenceFlow: "Flöde",
  messageFlow: "Meddelandeflöde",
  lane: "Simbana",
  laneSet: "Simbanor",
  participant: "Deltagare",
  collaboration: "Samarbete",
  message: "Meddelande",
  signal: "Signal",
  error: "Fel",
  textAnnotation: "Kommentar",
  association: "Koppling",
  dataObject: "Dataobjekt",
  dataObjectReference: "Dataobjekt",
  timerEventDefinition: "Timer",
  messageEventDefinition: "Meddelandehändelse",
  decision: "Beslutstabell",
  rule: "Regel",
  field: "Fält",
  form: "Formuläret",
};

export function typeText(type: string): string {
  return TYPES[type] ?? type;
}

const SCHEMA_KEYS: Record<string, string> = {
  title: "rubrik",
  description: "beskrivning",
  type: "typ",
  enum: "val",
  oneOf: "val",
  anyOf: "val",
  format: "format",
  pattern: "mönster",
  default: "förval",
  minimum: "minsta värde",
  maximum: "största värde",
  minLength: "minsta längd",
  maxLength: "största längd",
  minItems: "minsta antal",
  maxItems: "största antal",
  order: "ordning",
  widget: "kontroll",
  help: "hjälptext",
  options: "inställningar",
  enumNames: "valens namn",
  placeholder: "exempeltext",
};

/** An aspect of a change (`name`, `property:formJsonSchemaFilename`, `input:Ålder` …) in Swedish. */
export function aspectText(aspect: string): string {
  const [head, ...rest] = aspect.split(":");
  const tail = rest.join(":");
  switch (head) {
    case "name":
      return "Namn";
    case "type":
      return "Typ";
    case "incoming":
      return "Inkommande flöden";
    case "outgoing":
      return "Utgående flöden";
    case "description":
      return "Beskrivning";
    case "hit_policy":
      return "Träffpolicy";
    case "aggregation":
      return "Sammanräkning";
    case "required":
      return "Obligatoriskt";
    case "attribute":
      return `Attribut ${tail}`;
    case "property":
      return `Egenskap ${tail}`;
    case "input":
      return `Villkor: ${tail}`;
    case "output":
      return `Resultat: ${tail}`;
    case "schema":
      return `Schema: ${SCHEMA_KEYS[tail] ?? tail}`;
    case "ui":
      return `Visning: ${SCHEMA_KEYS[tail] ?? tail}`;
    default:
      return aspect === "documentation" ? "Dokumentation" : `Innehåll: ${aspect}`;
  }
}

export function countText(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
