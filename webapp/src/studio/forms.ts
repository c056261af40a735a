// The routine's forms as the API gives them (/forms): listed per region, read, and checked as a task's completion
// checks them, with nothing stored.
import { api, query, type FieldError } from "../api/client";
import { regionName } from "../cases/regions";
import type { JsonSchema, UiSchema } from "../forms/schema";

/** The regions whose routines a process owner looks at, in the order they are offered. */
export const REGIONS = ["base", "kristianstad", "jonkoping", "vastra_gotaland", "stockholm"] as const;

export function regionLabel(region: string): string {
  return regionName(region) || region;
}

export interface FormTask {
  id: string;
  name: string;
  process: string;
}

export interface FormSummary {
  name: string;
  title: string;
  schema_file: string;
  ui_schema_file: string | null;
  tasks: FormTask[];
}

export interface FormList {
  region: string;
  process: { key: string; version: number; region: string };
  items: FormSummary[];
}

export interface RoutineForm {
  name: string;
  title: string;
  region: string;
  schema: JsonSchema;
  ui_schema: UiSchema | null;
}

export interface FormCheck {
  valid: boolean;
  errors: FieldError[];
  data: Record<string, unknown> | null;
}

export function listForms(region: string, signal?: AbortSignal): Promise<FormList> {
  return api<FormList>(`/forms${query({ region })}`, { signal });
}

export function getForm(region: string, name: string, signal?: AbortSignal): Promise<RoutineForm> {
  return api<RoutineForm>(`/forms/${encodeURIComponent(name)}${query({ region })}`, { signal });
}

export function checkForm(region: string, name: string, data: Record<string, unknown>): Promise<FormCheck> {
  return api<FormCheck>(`/forms/${encodeURIComponent(name)}/validate${query({ region })}`, {
    method: "POST",
    body: { data },
  });
}

export function previewPath(region: string, name: string): string {
  return `/formular/${encodeURIComponent(region)}/${encodeURIComponent(name)}`;
}
