// Organisations of the registry (`organisationsFrom`, engine/forms/organisations.py): where a field's bound
// keyword names a `kindField` and gives each organisation's registered huvudman kind (`kinds`), choosing an
// organisation sets the row's kind to it, and a row whose kind contradicts it gets the API's message before it
// is sent.

type Data = Record<string, unknown>;

const KEYWORD = "organisationsFrom";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface KindSpec {
  kindField: string;
  kinds: Record<string, string>;
}

function kindSpec(field: unknown): KindSpec | null {
  const spec = isObject(field) ? field[KEYWORD] : undefined;
  if (!isObject(spec) || typeof spec.kindField !== "string" || !isObject(spec.kinds)) return null;
  return { kindField: spec.kindField, kinds: spec.kinds as Record<string, string> };
}

function propertiesOf(schema: unknown): Record<string, unknown> {
  return isObject(schema) && isObject(schema.properties) ? schema.properties : {};
}

/** The data `after` a change, with the kind set at each row whose organisation the change chose (differs from
 *  `before`): the registered kind of that organisation. The same object where nothing follows. */
export function withKindsFollowing(schema: unknown, before: unknown, after: unknown): unknown {
  if (!isObject(schema)) return after;
  if (Array.isArray(after)) {
    const items = schema.items;
    if (!isObject(items)) return after;
    const earlier = Array.isArray(before) ? before : [];
    let changed = false;
    const out = after.map((row, index) => {
      const followed = withKindsFollowing(items, earlier[index], row);
      if (followed !== row) changed = true;
      return followed;
    });
    return changed ? out : after;
  }
  if (!isObject(after)) return after;
  const earlier = isObject(before) ? before : {};
  let out: Data = after;
  for (const [name, field] of Object.entries(propertiesOf(schema))) {
    const spec = kindSpec(field);
    const chosen = after[name];
    if (spec && typeof chosen === "string" && chosen !== earlier[name]) {
      const registered = spec.kinds[chosen];
      if (typeof registered === "string" && out[spec.kindField] !== registered) {
        out = { ...out, [spec.kindField]: registered };
      }
    }
    if (name in after) {
      const child = withKindsFollowing(field, earlier[name], after[name]);
      if (child !== after[name]) out = { ...out, [name]: child };
    }
  }
  return out;
}

function titleOf(field: unknown, value: string): string {
  const options = isObject(field) && Array.isArray(field.oneOf) ? field.oneOf : [];
  for (const option of options) {
    if (isObject(option) && option.const === value && typeof option.title === "string" && option.title) {
      return option.title;
    }
  }
  return value;
}

/** Each row whose chosen organisation is registered as another kind than its kind field says: the path of the
 *  kind field (as a list of keys and indexes) and the API's message. */
export function kindMismatches(schema: unknown, data: unknown, at: (string | number)[] = []) {
  const found: { path: (string | number)[]; message: string }[] = [];
  if (!isObject(schema)) return found;
  if (Array.isArray(data)) {
    if (isObject(schema.items)) data.forEach((row, index) => found.push(...kindMismatches(schema.items, row, [...at, index])));
    return found;
  }
  if (!isObject(data)) return found;
  const properties = propertiesOf(schema);
  for (const [name, field] of Object.entries(properties)) {
    const spec = kindSpec(field);
    const chosen = data[name];
    const registered = spec && typeof chosen === "string" ? spec.kinds[chosen] : undefined;
    if (spec && typeof registered === "string" && spec.kindField in data && data[spec.kindField] !== undefined &&
        data[spec.kindField] !== registered) {
      const title = titleOf(properties[spec.kindField], registered);
      found.push({ path: [...at, spec.kindField], message: `${chosen} är registrerad som ${title}: välj det` });
    }
    if (name in data) found.push(...kindMismatches(field, data[name], [...at, name]));
  }
  return found;
}
