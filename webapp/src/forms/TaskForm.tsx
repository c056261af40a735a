// The one component that knows the form renderer (rjsf): a task's form from its JSON Schema and UI schema, with
// Swedish checks and texts, errors at their fields and in a summary at the top, and the page's submit button.
import Form from "@rjsf/core";
import type { IChangeEvent } from "@rjsf/core";
import type {
  ErrorSchema,
  FieldValidation,
  FormValidation,
  RJSFSchema,
  RJSFValidationError,
  UiSchema as RjsfUiSchema,
} from "@rjsf/utils";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { FieldError } from "../api/client";
import { serverMessage } from "./messages";
import { kindMismatches, withKindsFollowing } from "./organisations";
import {
  fieldId,
  fieldLabel,
  prepareSchema,
  prepareUiSchema,
  withoutEmptyGroups,
  withoutHiddenFields,
  withVisibility,
  type JsonSchema,
  type UiSchema,
} from "./schema";
import { templates, widgets } from "./templates";
import { transformErrors, translateString, validator } from "./validator";

type Data = Record<string, unknown>;

export interface TaskFormProps {
  schema: JsonSchema;
  uiSchema?: UiSchema | null;
  formData: Data;
  /** Every change; `byUser` is false for what the form fills in itself (the schema's defaults). */
  onChange: (data: Data, byUser: boolean) => void;
  /** The data, once it passes the form's checks. */
  onSubmit: (data: Data) => void;
  /** The API's errors (a 422 problem's `errors`), each at its field by its slash path. */
  serverErrors?: FieldError[];
  /** Whether the server's errors also go in the summary at the top, and take the focus there (after a submit);
   *  otherwise (a draft's errors) each is shown at its field only once the person has left that field. */
  summarizeServerErrors?: boolean;
  /** Read only: nothing can be changed, and there is no submit button. */
  disabled?: boolean;
  /** While the data is being sent: the submit button waits. */
  busy?: boolean;
  submitLabel?: string;
  /** More buttons beside the submit button. */
  actions?: ReactNode;
}

interface SummaryItem {
  path: string;
  message: string;
}

function pathOfProperty(property: string | undefined): string {
  return (property ?? "").replace(/^\./, "").replace(/\./g, "/");
}

function errorSchemaOf(errors: FieldError[]): ErrorSchema {
  const root: Record<string, unknown> = {};
  for (const error of errors) {
    let node = root;
    for (const part of error.field.split("/").filter(Boolean)) {
      node[part] = (node[part] as Record<string, unknown>) ?? {};
      node = node[part] as Record<string, unknown>;
    }
    const list = ((node.__errors as string[]) ?? []).concat(serverMessage(error.message));
    node.__errors = list;
  }
  return root as ErrorSchema;
}

/** The errors the form adds to the schema's own checks: a row's kind that contradicts its organisation's
 *  registered one (`organisationsFrom` with a `kindField`), with the API's message. */
function customValidate(schema: JsonSchema) {
  return (data: Data | undefined, errors: FormValidation<Data>): FormValidation<Data> => {
    for (const { path, message } of kindMismatches(schema, data)) {
      let node: unknown = errors;
      for (const part of path) node = (node as Record<string | number, unknown> | undefined)?.[part];
      (node as FieldValidation | undefined)?.addError?.(message);
    }
    return errors;
  };
}

function focusField(path: string) {
  const element = document.getElementById(fieldId(path));
  if (!element) return;
  const target =
    element.matches("input, select, textarea, button")
      ? element
      : element.querySelector<HTMLElement>("input:not([type=hidden]), select, textarea, button");
  (target ?? element).focus();
  (target ?? element).scrollIntoView({ block: "center" });
}

export function TaskForm({
  schema,
  uiSchema,
  formData,
  onChange,
  onSubmit,
  serverErrors = [],
  summarizeServerErrors = true,
  disabled = false,
  busy = false,
  submitLabel = "Slutför uppgiften",
  actions,
}: TaskFormProps) {
  const prepared = useMemo(() => prepareSchema(schema, uiSchema), [schema, uiSchema]);
  // A field with a `visibleWhen` is shown only while its condition holds for the data (docs/forms.md).
  const shownUi = useMemo(() => withVisibility(uiSchema, formData), [uiSchema, formData]);
  const preparedUi = useMemo(() => prepareUiSchema(prepared, shownUi), [prepared, shownUi]);
  const validate = useMemo(() => customValidate(prepared), [prepared]);
  // The fields the person has left (by the renderer's ids): a draft's errors wait until then.
  const [left, setLeft] = useState<ReadonlySet<string>>(() => new Set());
  const shownServerErrors = useMemo(
    () =>
      summarizeServerErrors
        ? serverErrors
        : serverErrors.filter((error) => {
            const id = fieldId(error.field);
            return [...left].some((leftId) => leftId === id || leftId.startsWith(`${id}_`));
          }),
    [serverErrors, summarizeServerErrors, left],
  );
  const extraErrors = useMemo(
    () => (shownServerErrors.length ? errorSchemaOf(shownServerErrors) : undefined),
    [shownServerErrors],
  );
  const [clientErrors, setClientErrors] = useState<RJSFValidationError[]>([]);
  const [focusSummary, setFocusSummary] = useState(0);
  const summaryRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (summarizeServerErrors && serverErrors.length) setFocusSummary((n) => n + 1);
  }, [serverErrors, summarizeServerErrors]);

  useEffect(() => {
    if (focusSummary) summaryRef.current?.focus();
  }, [focusSummary]);

  const summary: SummaryItem[] = [];
  const seen = new Set<string>();
  const add = (path: string, message: string) => {
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    summary.push({ path, message });
  };
  for (const error of clientErrors) add(pathOfProperty(error.property), error.message ?? "");
  if (summarizeServerErrors) for (const error of serverErrors) add(error.field, serverMessage(error.message));

  return (
    <div className="task-form">
      {summary.length > 0 && (
        <div className="alert alert--error error-summary" role="alert" tabIndex={-1} ref={summaryRef}>
          <h2>{summary.length === 1 ? "Ett fält behöver rättas" : `${summary.length} fält behöver rättas`}</h2>
          <ul>
            {summary.map((item) => (
              <li key={`${item.path}:${item.message}`}>
                {item.path ? (
                  <a
                    href={`#${fieldId(item.path)}`}
                    onClick={(event) => {
                      event.preventDefault();
                      focusField(item.path);
                    }}
                  >
                    {fieldLabel(prepared, item.path)}: {item.message}
                  </a>
                ) : (
                  item.message
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {!disabled && (
        <p className="muted">
          Fält markerade med <span aria-hidden="true">*</span>
          <span className="visually-hidden">stjärna</span> är obligatoriska.
        </p>
      )}
      <Form
        schema={prepared as RJSFSchema}
        uiSchema={preparedUi as RjsfUiSchema}
        formData={formData}
        validator={validator}
        templates={templates}
        widgets={widgets}
        translateString={translateString}
        transformErrors={transformErrors}
        customValidate={validate}
        extraErrors={extraErrors}
        showErrorList={false}
        // A choice is made by the person, never by the form: no value of a `const` becomes a default.
        // and a yes/no question asked with radio buttons starts unanswered (a checkbox starts unticked: see
        // prepareSchema). A list whose schema gives its own default (`[]`) starts as that default: a `minItems`
        // adds empty rows to start with only to a list without one (a list required only for some answers, as
        // the commitments where "no action" is also an answer, starts empty).
        experimental_defaultFormStateBehavior={{
          constAsDefaults: "never",
          requiredBooleanDefault: "skip",
          arrayMinItems: { computeSkipPopulate: (_validator, listSchema) => Array.isArray(listSchema.default) },
        }}
        noHtml5Validate
        readonly={disabled}
        onBlur={(id: string) => setLeft((before) => (before.has(id) ? before : new Set(before).add(id)))}
        // Choosing an organisation of the registry sets its row's kind to the one registered for it.
        onChange={(event: IChangeEvent<Data>, id?: string) =>
          onChange(
            withoutHiddenFields(
              uiSchema,
              withoutEmptyGroups(prepared, withKindsFollowing(prepared, formData, event.formData ?? {})) as Data,
            ),
            id !== undefined,
          )
        }
        onError={(errors) => {
          setClientErrors(errors);
          setFocusSummary((n) => n + 1);
        }}
        onSubmit={(event: IChangeEvent<Data>) => {
          setClientErrors([]);
          onSubmit(withoutHiddenFields(uiSchema, event.formData ?? {}));
        }}
      >
        {disabled ? (
          <></>
        ) : (
          <div className="form-actions">
            <button type="submit" aria-disabled={busy}>
              {busy ? "Skickar …" : submitLabel}
            </button>
            {actions}
          </div>
        )}
      </Form>
    </div>
  );
}
