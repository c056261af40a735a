// The checks the form makes in the browser before it is sent: JSON Schema 2020-12, as the API checks it, with
// Swedish messages. The pages run under a content security policy without 'unsafe-eval', so the validator is
// one that interprets a schema (@cfworker/json-schema) rather than one that compiles it to code.
import { Validator, type OutputUnit, type Schema } from "@cfworker/json-schema";
import type {
  CustomValidator,
  ErrorTransformer,
  RJSFSchema,
  RJSFValidationError,
  UiSchema,
  ValidationData,
  ValidatorType,
} from "@rjsf/utils";
import {
  TranslatableString,
  createErrorHandler,
  getDefaultFormState,
  replaceStringParameters,
  toErrorSchema,
  unwrapErrorHandler,
  validationDataMerge,
} from "@rjsf/utils";
import { checkMessage } from "./messages";

type Data = Record<string, unknown>;

const DRAFT = "2020-12";

/** Keywords that only say that something inside them failed; the failure inside is reported itself. */
const AGGREGATES = new Set([
  "properties",
  "patternProperties",
  "additionalProperties",
  "items",
  "prefixItems",
  "additionalItems",
  "allOf",
  "if",
  "then",
  "else",
  "$ref",
  "$dynamicRef",
  "$recursiveRef",
  "dependentSchemas",
  "unevaluatedProperties",
  "unevaluatedItems",
  "propertyNames",
]);

function unescapePointer(part: string): string {
  return decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~");
}

/** The value a JSON pointer (`#/properties/a/minLength`) names in a schema, if any. */
function at(schema: unknown, pointer: string): unknown {
  let node: unknown = schema;
  for (const part of pointer.replace(/^#\/?/, "").split("/").filter(Boolean)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[unescapePointer(part)];
  }
  return node;
}

function pathOf(instanceLocation: string): string[] {
  return instanceLocation.replace(/^#\/?/, "").split("/").filter(Boolean).map(unescapePointer);
}

function hasRef(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasRef);
  if (node === null || typeof node !== "object") return false;
  return Object.entries(node).some(([key, value]) => key === "$ref" || key === "$dynamicRef" || hasRef(value));
}

/** The errors of a validation as rjsf shows them: one per failing field, in Swedish. */
function toRjsfErrors(units: OutputUnit[], schema: unknown): RJSFValidationError[] {
  const errors: RJSFValidationError[] = [];
  for (const unit of units) {
    const { keyword, keywordLocation, instanceLocation } = unit;
    if (AGGREGATES.has(keyword)) continue;
    // What failed inside one choice of a oneOf/anyOf explains why that choice did not match; the oneOf says it.
    if (/\/(oneOf|anyOf)\/\d+\//.test(keywordLocation)) continue;
    if (/\/not\//.test(keywordLocation)) continue;
    const path = pathOf(instanceLocation);
    const params: Record<string, unknown> = {};
    let name = keyword;
    if (keyword === "required" || keyword === "dependentRequired") {
      const missing = unit.error.match(/property "(.*)"/)?.[1];
      if (missing === undefined) continue;
      path.push(missing);
      params.missingProperty = missing;
      name = "required";
    } else if (keyword === "false") {
      name = "additionalProperties";
    } else if (keyword === "format") {
      params.format = unit.error.match(/format "(.*)"/)?.[1] ?? at(schema, keywordLocation);
    } else if (keyword === "pattern") {
      params.pattern = at(schema, keywordLocation);
    } else if (keyword === "type") {
      const expected = at(schema, keywordLocation);
      params.type = Array.isArray(expected) ? expected.join(",") : expected;
    } else {
      params.limit = at(schema, keywordLocation);
    }
    const message = checkMessage({ keyword: name, params }) ?? "Värdet stämmer inte med formuläret.";
    const property = path.length ? `.${path.join(".")}` : "";
    errors.push({ name, property, message, params, stack: `${property} ${message}`.trim(), schemaPath: keywordLocation });
  }
  return errors;
}

export class SwedishValidator implements ValidatorType<Data, RJSFSchema> {
  private validators = new WeakMap<object, Validator>();

  private validatorFor(schema: RJSFSchema, rootSchema?: RJSFSchema): Validator {
    let found = this.validators.get(schema);
    if (!found) {
      // A part of the form refers to definitions of the whole: give it the whole's definitions.
      const whole =
        rootSchema && rootSchema !== schema && hasRef(schema)
          ? { ...schema, $defs: rootSchema.$defs, definitions: rootSchema.definitions }
          : schema;
      found = new Validator(whole as Schema, DRAFT, false);
      this.validators.set(schema, found);
    }
    return found;
  }

  rawValidation<Result = OutputUnit>(schema: RJSFSchema, formData?: Data): { errors?: Result[]; validationError?: Error } {
    try {
      const result = this.validatorFor(schema).validate(formData ?? {});
      return { errors: result.valid ? undefined : (result.errors as Result[]) };
    } catch (err) {
      return { validationError: err instanceof Error ? err : new Error(String(err)) };
    }
  }

  validateFormData(
    formData: Data | undefined,
    schema: RJSFSchema,
    customValidate?: CustomValidator<Data, RJSFSchema>,
    transformErrors?: ErrorTransformer<Data, RJSFSchema>,
    uiSchema?: UiSchema<Data, RJSFSchema>,
  ): ValidationData<Data> {
    const raw = this.rawValidation<OutputUnit>(schema, formData);
    let errors = toRjsfErrors(raw.errors ?? [], schema);
    if (raw.validationError) {
      errors.push({ stack: "Formuläret kunde inte kontrolleras.", message: "Formuläret kunde inte kontrolleras." });
    }
    if (transformErrors) errors = transformErrors(errors, uiSchema);
    const errorSchema = toErrorSchema<Data>(errors);
    if (!customValidate) return { errors, errorSchema };
    const full = getDefaultFormState<Data, RJSFSchema>(this, schema, formData, schema, true) as Data;
    const handler = customValidate(full, createErrorHandler<Data>(full), uiSchema, errorSchema);
    return validationDataMerge<Data>({ errors, errorSchema }, unwrapErrorHandler<Data>(handler));
  }

  isValid(schema: RJSFSchema, formData: Data | undefined, rootSchema: RJSFSchema): boolean {
    try {
      return this.validatorFor(schema, rootSchema).validate(formData).valid;
    } catch {
      return false;
    }
  }

  reset() {
    this.validators = new WeakMap();
  }
}

export const validator = new SwedishValidator();

/** Only what a person can act on: the same message for the same field once. */
export function transformErrors(errors: RJSFValidationError[]): RJSFValidationError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.property}\u0000${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const SWEDISH: Partial<Record<TranslatableString, string>> = {
  [TranslatableString.ArrayItemTitle]: "Rad",
  [TranslatableString.MissingItems]: "Formuläret saknar en beskrivning av raderna",
  [TranslatableString.EmptyArray]: "Inga rader ännu. Lägg till med knappen nedan.",
  [TranslatableString.YesLabel]: "Ja",
  [TranslatableString.NoLabel]: "Nej",
  [TranslatableString.CloseLabel]: "Stäng",
  [TranslatableString.ErrorsLabel]: "Fel",
  [TranslatableString.NewStringDefault]: "Nytt värde",
  [TranslatableString.AddButton]: "Lägg till",
  [TranslatableString.AddItemButton]: "Lägg till rad",
  [TranslatableString.CopyButton]: "Kopiera",
  [TranslatableString.ExpandButton]: "Visa nästa nivå",
  [TranslatableString.MoveDownButton]: "Flytta ned",
  [TranslatableString.MoveUpButton]: "Flytta upp",
  [TranslatableString.RemoveButton]: "Ta bort",
  [TranslatableString.NowLabel]: "Nu",
  [TranslatableString.ClearLabel]: "Rensa",
  [TranslatableString.AriaDateLabel]: "Välj ett datum",
  [TranslatableString.PreviewLabel]: "Förhandsvisning",
  [TranslatableString.DecrementAriaLabel]: "Minska med 1",
  [TranslatableString.IncrementAriaLabel]: "Öka med 1",
  [TranslatableString.OptionalObjectAdd]: "Lägg till uppgifter i valfritt fält",
  [TranslatableString.OptionalObjectRemove]: "Ta bort uppgifter i valfritt fält",
  [TranslatableString.OptionalObjectEmptyMsg]: "Inga uppgifter i valfritt fält",
  [TranslatableString.Type]: "Typ",
  [TranslatableString.Value]: "Värde",
  [TranslatableString.ClearButton]: "Töm fältet",
  [TranslatableString.UnknownFieldType]: "Okänd typ av fält: %1",
  [TranslatableString.OptionPrefix]: "Alternativ %1",
  [TranslatableString.TitleOptionPrefix]: "%1, alternativ %2",
  [TranslatableString.KeyLabel]: "%1 (nyckel)",
  [TranslatableString.DeprecatedLabel]: "%1 (används inte längre)",
  [TranslatableString.CycleDetected]: 'Fältet "%1" hänvisar till sig självt.',
  [TranslatableString.InvalidObjectField]: 'Fältet "%1" är fel beskrivet: %2.',
  [TranslatableString.UnsupportedField]: "Formuläret har ett fält som inte kan visas.",
  [TranslatableString.UnsupportedFieldWithId]: "Fältet `%1` kan inte visas.",
  [TranslatableString.UnsupportedFieldWithReason]: "Formuläret har ett fält som inte kan visas: %1.",
  [TranslatableString.UnsupportedFieldWithIdAndReason]: "Fältet `%1` kan inte visas: %2.",
  [TranslatableString.FilesInfo]: "**%1** (%2, %3 byte)",
};

/** rjsf's own words in Swedish. */
export function translateString(text: TranslatableString, params?: string[]): string {
  return replaceStringParameters(SWEDISH[text] ?? text, params);
}
