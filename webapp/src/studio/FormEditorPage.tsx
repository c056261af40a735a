// A form of a region's routine edited as its JSON Schema and UI schema, with a live preview in the renderer staff
// see on a task (TaskForm), the deployment's checks run on the draft while editing, and a deployment with a
// comment. A case keeps the form of the version it runs; new cases get the deployed one.
import { Component, useEffect, useId, useMemo, useRef, useState, type ReactNode } from "react";
import { Link, useParams } from "react-router-dom";
import { ApiError } from "../api/client";
import { useCurrentUser } from "../auth/CurrentUser";
import { TaskForm } from "../forms/TaskForm";
import type { JsonSchema, UiSchema } from "../forms/schema";
import { usePageTitle } from "../layout/usePageTitle";
import "./studioEditors.css";
import { DeployPanel } from "./DeployPanel";
import { problemMessage, problemPlace, problemsCount } from "./deployProblems";
import { regionLabel } from "./forms";
import { isObject, readJson } from "./jsonText";
import {
  deployDraft,
  deployedAs,
  formNameOf,
  readDeployedFile,
  studioRegionPath,
  type DeployedFile,
  type DeployResult,
  type DraftFile,
} from "./studioApi";
import { LoadState, useStudioLoad } from "./useStudioLoad";
import { useUnsavedWarning } from "./useUnsavedWarning";

type Data = Record<string, unknown>;

/** Time after the last keystroke before the deployment's checks run on the draft. */
const CHECK_DELAY_MS = 1200;

export default function FormEditorPage() {
  const { region = "", "*": rest = "" } = useParams();
  const name = formNameOf(rest);
  return <FormEditor key={`${region}/${name}`} region={region} name={name} />;
}

async function readOptional(region: string, path: string, signal: AbortSignal): Promise<DeployedFile | null> {
  try {
    return await readDeployedFile(region, path, signal);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

interface FormFiles {
  schema: DeployedFile;
  ui: DeployedFile | null;
}

function FormEditor({ region, name }: { region: string; name: string }) {
  const { load, retry, setValue } = useStudioLoad<FormFiles>(
    async (signal) => {
      const [schema, ui] = await Promise.all([
        readDeployedFile(region, `forms/${name}.schema.json`, signal),
        readOptional(region, `forms/${name}.uischema.json`, signal),
      ]);
      return { schema, ui };
    },
    "Formuläret kunde inte hämtas.",
  );

  const title = useMemo(() => {
    if (load.state !== "ready") return name;
    const read = readJson(load.value.schema.content);
    return read.ok && isObject(read.value) && typeof read.value.title === "string" ? read.value.title : name;
  }, [load, name]);
  usePageTitle(load.state === "ready" ? `${title} – redigera formulär` : load.state === "missing" ? "Formuläret finns inte" : "Formulär");

  const back = (
    <p className="breadcrumb">
      <Link to={studioRegionPath(region)}>Studio: {regionLabel(region)}</Link>
    </p>
  );
  if (load.state !== "ready") {
    return (
      <LoadState
        load={load}
        retry={retry}
        back={back}
        loading="Hämtar formuläret …"
        missingTitle="Formuläret finns inte"
        missing={`Rutinen för ${regionLabel(region)} har inget formulär ${name} (filen forms/${name}.schema.json).`}
        failedTitle="Formuläret kunde inte hämtas"
      />
    );
  }
  const { schema, ui } = load.value;
  return (
    <>
      {back}
      <h1>Redigera formulär: {title}</h1>
      <Editor
        region={region}
        name={name}
        schemaFile={schema}
        uiFile={ui}
        onDeployed={(version, texts) =>
          setValue({
            schema: { ...deployedAs(schema, region, version), content: texts.schemaText },
            ui: ui && { ...deployedAs(ui, region, version), content: texts.uiText },
          })
        }
      />
    </>
  );
}

interface Draft {
  schemaText: string;
  uiText: string;
}

function Editor({
  region,
  name,
  schemaFile,
  uiFile,
  onDeployed,
}: {
  region: string;
  name: string;
  schemaFile: DeployedFile;
  uiFile: DeployedFile | null;
  onDeployed: (version: number, texts: Draft) => void;
}) {
  const id = useId();
  const [draft, setDraft] = useState<Draft>({ schemaText: schemaFile.content, uiText: uiFile?.content ?? "" });
  const schemaRead = useMemo(() => readJson(draft.schemaText), [draft.schemaText]);
  const uiRead = useMemo(() => (draft.uiText.trim() ? readJson(draft.uiText) : ({ ok: true, value: {} } as const)), [draft.uiText]);
  const schemaError = !schemaRead.ok
    ? schemaRead.message
    : !isObject(schemaRead.value)
      ? "JSON Schema måste vara ett objekt, det vill säga börja med { och sluta med }."
      : null;
  const uiError = !uiRead.ok ? uiRead.message : !isObject(uiRead.value) ? "UI-schemat måste vara ett objekt, det vill säga börja med { och sluta med }." : null;

  // The preview shows the last draft that could be read: a half-typed edit does not blank it.
  const [shown, setShown] = useState<{ schema: JsonSchema; ui: UiSchema | null; round: number }>(() => ({
    schema: (schemaRead.ok && isObject(schemaRead.value) ? schemaRead.value : {}) as JsonSchema,
    ui: (uiRead.ok && isObject(uiRead.value) ? uiRead.value : null) as UiSchema | null,
    round: 0,
  }));
  useEffect(() => {
    if (schemaError || uiError || !schemaRead.ok || !uiRead.ok) return;
    setShown((old) => ({
      schema: schemaRead.value as JsonSchema,
      ui: draft.uiText.trim() ? (uiRead.value as UiSchema) : null,
      round: old.round + 1,
    }));
  }, [schemaRead, uiRead, schemaError, uiError, draft.uiText]);

  const files = (): DraftFile[] => {
    if (schemaError || uiError) throw new Error("Rätta JSON-felen i utkastet först.");
    const list: DraftFile[] = [{ name: `${name}.schema.json`, text: draft.schemaText, type: "application/json" }];
    if (draft.uiText.trim() || uiFile) list.push({ name: `${name}.uischema.json`, text: draft.uiText.trim() ? draft.uiText : "{}", type: "application/json" });
    return list;
  };

  // What is filled in the preview stays while the draft changes around it.
  const [formData, setFormData] = useState<Data>({});
  const own = schemaFile.source === "region";
  const edited = draft.schemaText !== schemaFile.content || draft.uiText !== (uiFile?.content ?? "");
  useUnsavedWarning(edited);
  return (
    <>
      <p className="muted">
        Formulärets filer i rutinen för {regionLabel(region)}, {own ? "regionens egna" : "från basrutinen"} (version{" "}
        {schemaFile.routine.version}
        {schemaFile.routine.region !== region ? ` av ${regionLabel(schemaFile.routine.region)}` : ""}). Ändra JSON-texten
        till vänster; förhandsvisningen visar formuläret som personalen ser det i en uppgift. Läs om formulärens
        särskilda inställningar i docs/forms.md.
      </p>
      <div role="status">{edited && <p className="studio-draft-note">Utkastet har ändringar som inte är driftsatta.</p>}</div>
      <div className="studio-form">
        <div className="studio-form__sources">
          <JsonField
            id={`${id}-schema`}
            label={`JSON Schema (forms/${name}.schema.json)`}
            value={draft.schemaText}
            error={schemaError}
            onChange={(schemaText) => setDraft((d) => ({ ...d, schemaText }))}
          />
          <JsonField
            id={`${id}-ui`}
            label={`UI-schema (forms/${name}.uischema.json)`}
            value={draft.uiText}
            error={uiError}
            onChange={(uiText) => setDraft((d) => ({ ...d, uiText }))}
          />
          <DraftChecks region={region} files={schemaError || uiError ? null : files()} />
        </div>
        <section className="studio-form__preview" aria-labelledby={`${id}-preview`}>
          <h2 id={`${id}-preview`}>Förhandsvisning</h2>
          <p className="muted">
            {schemaError || uiError
              ? "Förhandsvisningen visar den senaste versionen av utkastet som gick att läsa."
              : "Så visas formuläret för personalen. Det du fyller i här sparas inte."}
          </p>
          <PreviewBoundary key={shown.round}>
            <Preview schema={shown.schema} ui={shown.ui} formData={formData} onData={setFormData} />
          </PreviewBoundary>
        </section>
      </div>
      <DeployPanel
        region={region}
        draft={async () => files()}
        onDeployed={(result: DeployResult) => {
          if (result.changed) onDeployed(result.version, draft);
        }}
      />
    </>
  );
}

function JsonField({
  id,
  label,
  value,
  error,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  error: string | null;
  onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
      <textarea
        id={id}
        className="studio-json"
        rows={18}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

/** The deployment's checks on the draft (a dry run beside the region's other files), run after each pause in the
 *  typing; nothing is stored. */
function DraftChecks({ region, files }: { region: string; files: DraftFile[] | null }) {
  const me = useCurrentUser();
  const allowed = me.roles.includes("process_owner") && me.region === region;
  const key = files && allowed ? JSON.stringify(files.map((f) => [f.name, f.text])) : "";
  const [checked, setChecked] = useState<{ key: string; result: DeployResult | null; failure: string | null } | null>(null);
  const latest = useRef(key);
  latest.current = key;
  const filesRef = useRef(files);
  filesRef.current = files;

  useEffect(() => {
    if (!key || !filesRef.current) return;
    const timer = window.setTimeout(() => {
      deployDraft(region, filesRef.current ?? [], { dryRun: true })
        .then((result) => {
          if (latest.current === key) setChecked({ key, result, failure: null });
        })
        .catch((err: unknown) => {
          if (latest.current === key)
            setChecked({ key, result: null, failure: err instanceof ApiError ? err.problem.title : "Kontrollen kunde inte köras." });
        });
    }, CHECK_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [key, region]);

  const current = checked && checked.key === key ? checked : null;
  return (
    <section aria-label="Driftsättningens kontroller" className="studio-checks">
      <h2>Driftsättningens kontroller</h2>
      <div role="status">
        {!allowed && <p>Driftsättningens kontroller körs för regionens processägare.</p>}
        {allowed && !key && <p>Kontrollerna körs när JSON-texten går att läsa.</p>}
        {key && !current && <p>Kontrollerar utkastet …</p>}
        {current?.result?.valid && <p className="alert alert--ok">Utkastet klarar driftsättningens kontroller.</p>}
        {current?.failure && <p className="alert alert--error">Kontrollen kunde inte köras: {current.failure}</p>}
        {current?.result && !current.result.valid && (
          <div className="alert alert--error">
            <p>
              <strong>Utkastet klarar inte driftsättningens kontroller: {problemsCount(current.result.problems.length)}.</strong>
            </p>
            <ul>
              {current.result.problems.map((problem, index) => (
                <li key={index}>
                  {problemPlace(problem)}: {problemMessage(problem)}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </section>
  );
}

function Preview({
  schema,
  ui,
  formData,
  onData,
}: {
  schema: JsonSchema;
  ui: UiSchema | null;
  formData: Data;
  onData: (data: Data) => void;
}) {
  const [correct, setCorrect] = useState(false);
  return (
    <>
      <div role="status">
        {correct && <p className="alert alert--ok">Formuläret är korrekt ifyllt enligt utkastet.</p>}
      </div>
      <TaskForm
        schema={schema}
        uiSchema={ui}
        formData={formData}
        onChange={(data, byUser) => {
          onData(data);
          if (byUser) setCorrect(false);
        }}
        onSubmit={() => setCorrect(true)}
        submitLabel="Kontrollera förhandsvisningen"
      />
    </>
  );
}

/** A draft the renderer cannot show says so instead of blanking the page. */
class PreviewBoundary extends Component<{ children: ReactNode }, { error: string | null }> {
  state = { error: null as string | null };

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error.message : String(error) };
  }

  render() {
    if (this.state.error) {
      return (
        <p className="alert alert--error" role="alert">
          Utkastet kan inte visas som formulär: {this.state.error}
        </p>
      );
    }
    return this.props.children;
  }
}
