// What the form renderer is given, made from a task's JSON Schema, UI schema and data: nothing here knows
// the renderer, so the pages and a future renderer share it.

export type JsonSchema = Record<string, unknown>;
export type UiSchema = Record<string, unknown>;
type Data = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Choices written as `oneOf` of `{const, title}` (each a string). */
export function isChoiceList(schema: unknown): boolean {
  if (!isObject(schema)) return false;
  const options = schema.oneOf ?? schema.anyOf;
  return Array.isArray(options) && options.length > 0 && options.every((o) => isObject(o) && "const" in o);
}

/** The schema as the renderer takes it: without `$schema` (the renderer's validator keeps its own meta-schema);
 *  a choice list without a type gets the type of its values; a yes/no field shown as a checkbox starts unticked
 *  (false), while one asked with radio buttons starts unanswered. */
export function prepareSchema(schema: JsonSchema, uiSchema?: UiSchema | null): JsonSchema {
  const walk = (node: unknown, top: boolean, ui: unknown): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, false, undefined));
    if (!isObject(node)) return node;
    const uiNode = isObject(ui) ? ui : {};
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (top && key === "$schema") continue;
      if (key === "const" || key === "default" || key === "enum") out[key] = value;
      else if (key === "properties" && isObject(value)) {
        out[key] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, walk(child, false, uiNode[name])]));
      } else if (key === "items") out[key] = walk(value, false, uiNode.items);
      else out[key] = walk(value, false, undefined);
    }
    const widget = uiNode["ui:widget"];
    if (out.type === "boolean" && !("default" in out) && widget !== "radio" && widget !== "select") out.default = false;
    if (!("type" in out) && isChoiceList(out)) {
      const values = ((out.oneOf ?? out.anyOf) as Record<string, unknown>[]).map((o) => o.const);
      if (values.every((v) => typeof v === "string")) out.type = "string";
      else if (values.every((v) => typeof v === "boolean")) out.type = "boolean";
      else if (values.every((v) => typeof v === "number")) out.type = "number";
    }
    return out;
  };
  return walk(schema, true, uiSchema) as JsonSchema;
}

function titleOf(schema: unknown): string {
  return isObject(schema) && typeof schema.title === "string" ? schema.title : "";
}

/** Every property a schema of an object may have, including those its `allOf`/`if`/`then`/`else` name. */
function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  const found: Record<string, JsonSchema> = {};
  const collect = (node: unknown) => {
    if (!isObject(node)) return;
    if (isObject(node.properties)) {
      for (const [key, value] of Object.entries(node.properties)) {
        if (isObject(value) && !(key in found && Object.keys(value).length < Object.keys(found[key]).length)) {
          found[key] = value;
        }
      }
    }
    for (const key of ["allOf", "anyOf", "oneOf"]) {
      if (Array.isArray(node[key])) (node[key] as unknown[]).forEach(collect);
    }
    for (const key of ["then", "else"]) collect(node[key]);
  };
  collect(schema);
  return found;
}

/** The schema of the field at a slash path (`deltagare/0/organisation`), if there is one. */
export function schemaAt(schema: JsonSchema, path: string): JsonSchema | null {
  let node: JsonSchema | null = schema;
  for (const part of path.split("/").filter(Boolean)) {
    if (!node) return null;
    if (/^\d+$/.test(part) && isObject(node.items)) node = node.items as JsonSchema;
    else node = propertiesOf(node)[part] ?? null;
  }
  return node;
}

/** The label a person sees for the field at a slash path: its title, with the item's number for an array's
 *  items ("Kallade huvudmän 1 – Organisation"). */
export function fieldLabel(schema: JsonSchema, path: string): string {
  const parts = path.split("/").filter(Boolean);
  const labels: string[] = [];
  let node: JsonSchema | null = schema;
  for (const part of parts) {
    if (!node) break;
    if (/^\d+$/.test(part) && isObject(node.items)) {
      const item = node.items as JsonSchema;
      labels[Math.max(labels.length - 1, 0)] = `${titleOf(item) || titleOf(node) || "Rad"} ${Number(part) + 1}`;
      node = item;
    } else {
      node = propertiesOf(node)[part] ?? null;
      labels.push(titleOf(node) || part);
    }
  }
  return labels.join(" – ") || "Formuläret";
}

/** The id the renderer gives the field at a slash path. */
export function fieldId(path: string): string {
  const parts = path.split("/").filter(Boolean);
  return ["root", ...parts].join("_");
}

/** The UI schema with what every form needs: array items titled by their number, lists of choices as
 *  checkboxes, and nothing shown twice (the form's own title is the page's heading). */
export function prepareUiSchema(schema: JsonSchema, uiSchema: UiSchema | null | undefined): UiSchema {
  const walk = (node: JsonSchema, ui: UiSchema): UiSchema => {
    const out: UiSchema = { ...ui };
    if (node.type === "array" && isObject(node.items)) {
      const items = node.items as JsonSchema;
      if (isChoiceList(items) || Array.isArray(items.enum)) {
        if (!out["ui:widget"] && node.uniqueItems) out["ui:widget"] = "checkboxes";
      } else {
        const itemUi = walk(items, isObject(ui.items) ? (ui.items as UiSchema) : {});
        const base = titleOf(items) || titleOf(node) || "Rad";
        out.items = (_item: unknown, index: number) => ({ ...itemUi, "ui:title": `${base} ${index + 1}` });
      }
    } else if (isChoiceList(node) || Array.isArray(node.enum)) {
      if (!out["ui:widget"] && !out["ui:placeholder"]) out["ui:placeholder"] = "Välj …";
    } else {
      const properties = propertiesOf(node);
      for (const [key, child] of Object.entries(properties)) {
        out[key] = walk(child, isObject(ui[key]) ? (ui[key] as UiSchema) : {});
      }
    }
    return out;
  };
  return walk(schema, uiSchema ?? {});
}

/** The data restricted to what the form has fields for: a task's data holds the whole case's variables, and a
 *  form that allows no other properties would refuse them. */
export function pruneData(schema: JsonSchema, data: unknown): unknown {
  if (Array.isArray(data)) {
    const items = schema.items;
    return isObject(items) ? data.map((d) => pruneData(items as JsonSchema, d)) : data;
  }
  if (!isObject(data)) return data;
  const properties = propertiesOf(schema);
  if (Object.keys(properties).length === 0) return data;
  const out: Data = {};
  for (const [key, value] of Object.entries(data)) {
    if (key in properties) out[key] = pruneData(properties[key], value);
    else if (schema.additionalProperties !== false) out[key] = value;
  }
  return out;
}

/** The data without the groups of fields (objects) the form may leave out and in which nothing is filled in: the
 *  renderer puts an empty one in the data once anything changes, and an empty group fails its own required
 *  fields (the new coordinator of a meeting where the coordination does not move, say). */
export function withoutEmptyGroups(schema: JsonSchema, data: unknown): unknown {
  if (Array.isArray(data)) {
    const items = schema.items;
    return isObject(items) ? data.map((d) => withoutEmptyGroups(items as JsonSchema, d)) : data;
  }
  if (!isObject(data)) return data;
  const properties = propertiesOf(schema);
  const required = Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
  const out: Data = {};
  for (const [key, value] of Object.entries(data)) {
    const child = properties[key];
    const kept = child ? withoutEmptyGroups(child, value) : value;
    if (child && isObject(kept) && Object.values(kept).every((v) => v === undefined) && !required.includes(key)) {
      continue;
    }
    out[key] = kept;
  }
  return out;
}

function isEmptyItem(value: unknown): boolean {
  return value === undefined || value === null || (isObject(value) && Object.values(value).every((v) => v === undefined));
}

/** The data as a draft is sent: work in progress, so without the rows just added and not yet filled in (an empty
 *  item of a list, sent as null, fails its type) and without empty groups the form may leave out. The completion
 *  sends the data as it is, and is checked in full. */
export function draftData(schema: JsonSchema, data: unknown): unknown {
  const withoutEmptyItems = (node: JsonSchema, value: unknown): unknown => {
    if (Array.isArray(value)) {
      const items = isObject(node.items) ? (node.items as JsonSchema) : {};
      return value.filter((v) => !isEmptyItem(v)).map((v) => withoutEmptyItems(items, v));
    }
    if (!isObject(value)) return value;
    const properties = propertiesOf(node);
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [key, withoutEmptyItems(properties[key] ?? {}, v)]),
    );
  };
  return withoutEmptyGroups(schema, withoutEmptyItems(schema, data));
}

interface VisibleWhen {
  field: string;
  equals: unknown;
}

/** A field's `visibleWhen` (in `ui:options`, or as `ui:visibleWhen`): shown only while another field of the same
 *  group has the given value (docs/forms.md). */
function visibleWhenOf(ui: unknown): VisibleWhen | null {
  if (!isObject(ui)) return null;
  const options = isObject(ui["ui:options"]) ? ui["ui:options"] : {};
  const rule = options.visibleWhen ?? ui["ui:visibleWhen"];
  return isObject(rule) && typeof rule.field === "string" ? { field: rule.field, equals: rule.equals } : null;
}

/** Each field with a `visibleWhen`, in a group of fields (not in a list's rows), and whether it is shown for the
 *  data: `visit(key, ui, shown, groupData)`, then its own fields in turn while shown. */
function eachConditional(
  uiSchema: UiSchema,
  data: unknown,
  visit: (key: string, ui: UiSchema, shown: boolean, group: Data) => void,
) {
  const group = isObject(data) ? data : {};
  for (const [key, ui] of Object.entries(uiSchema)) {
    if (key.startsWith("ui:") || key === "items" || !isObject(ui)) continue;
    const rule = visibleWhenOf(ui);
    const shown = !rule || group[rule.field] === rule.equals;
    if (rule) visit(key, ui, shown, group);
    if (shown) eachConditional(ui, group[key], visit);
  }
}

/** The UI schema with the fields hidden whose `visibleWhen` does not hold for the data. */
export function withVisibility(uiSchema: UiSchema | null | undefined, data: unknown): UiSchema {
  const copy = (ui: UiSchema, value: unknown): UiSchema => {
    const group = isObject(value) ? value : {};
    const out: UiSchema = { ...ui };
    for (const [key, child] of Object.entries(ui)) {
      if (key.startsWith("ui:") || key === "items" || !isObject(child)) continue;
      const rule = visibleWhenOf(child);
      out[key] = rule && group[rule.field] !== rule.equals ? { ...child, "ui:widget": "hidden" } : copy(child, group[key]);
    }
    return out;
  };
  return copy(uiSchema ?? {}, data);
}

/** The data without what is filled in at fields that are hidden (their `visibleWhen` does not hold): what a
 *  person can no longer see is not sent. */
export function withoutHiddenFields(uiSchema: UiSchema | null | undefined, data: Data): Data {
  const out = structuredClone(data);
  eachConditional(uiSchema ?? {}, out, (key, _ui, shown, group) => {
    if (!shown) delete group[key];
  });
  return out;
}
