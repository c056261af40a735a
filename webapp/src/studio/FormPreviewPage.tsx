// One form of a region's routine, shown as a task shows it (the same TaskForm) and checked as a task's completion
// checks it: first in the browser, then by the server, which answers with its own messages at their fields.
// Nothing is stored.
import { useEffect, useRef, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { ApiError, type FieldError } from "../api/client";
import { TaskForm } from "../forms/TaskForm";
import { usePageTitle } from "../layout/usePageTitle";
import { checkForm, getForm, regionLabel, type RoutineForm } from "./forms";

type Data = Record<string, unknown>;
type Load =
  | { state: "loading" }
  | { state: "missing" }
  | { state: "failed"; text: string }
  | { state: "ready"; form: RoutineForm };

const CORRECT = "Formuläret är korrekt ifyllt.";

function problemText(err: unknown): string {
  if (err instanceof ApiError) return err.problem.detail ? `${err.problem.title}. ${err.problem.detail}` : err.problem.title;
  return "Något gick fel. Försök igen.";
}

export default function FormPreviewPage() {
  const { region = "", name = "" } = useParams();
  return <FormPreview key={`${region}/${name}`} region={region} name={name} />;
}

function FormPreview({ region, name }: { region: string; name: string }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    getForm(region, name, controller.signal)
      .then((form) => setLoad({ state: "ready", form }))
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        if (err instanceof ApiError && (err.status === 404 || err.status === 400)) setLoad({ state: "missing" });
        else setLoad({ state: "failed", text: problemText(err) });
      });
    return () => controller.abort();
  }, [region, name, attempt]);

  usePageTitle(
    load.state === "ready"
      ? `${load.form.title} – förhandsvisning`
      : load.state === "missing"
        ? "Formuläret finns inte"
        : "Formulär",
  );

  const back = (
    <p className="breadcrumb">
      <Link to={`/formular?region=${encodeURIComponent(region)}`}>Formulär</Link>
    </p>
  );
  if (load.state === "loading") {
    return (
      <p className="loading" role="status">
        Hämtar formuläret …
      </p>
    );
  }
  if (load.state === "missing") {
    return (
      <>
        {back}
        <h1>Formuläret finns inte</h1>
        <p>Regionens rutin har inget formulär med det namnet.</p>
      </>
    );
  }
  if (load.state === "failed") {
    return (
      <>
        {back}
        <h1>Formuläret kunde inte hämtas</h1>
        <div className="alert alert--error" role="alert">
          <p>{load.text}</p>
        </div>
        <button type="button" onClick={() => setAttempt((n) => n + 1)}>
          Försök igen
        </button>
      </>
    );
  }
  return (
    <>
      {back}
      <h1>{load.form.title}</h1>
      <Preview form={load.form} region={region} />
    </>
  );
}

function Preview({ form, region }: { form: RoutineForm; region: string }) {
  const [formData, setFormData] = useState<Data>({});
  const [serverErrors, setServerErrors] = useState<FieldError[]>([]);
  const [correct, setCorrect] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [round, setRound] = useState(0);
  const resultRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (correct) resultRef.current?.focus();
  }, [correct]);

  async function check(data: Data) {
    if (busy) return;
    setBusy(true);
    setFailure(null);
    setCorrect(false);
    try {
      const answer = await checkForm(region, form.name, data);
      setServerErrors(answer.errors);
      setCorrect(answer.valid);
    } catch (err) {
      setFailure(`Formuläret kunde inte kontrolleras. ${problemText(err)}`);
    } finally {
      setBusy(false);
    }
  }

  function startOver() {
    setFormData({});
    setServerErrors([]);
    setCorrect(false);
    setFailure(null);
    setRound((n) => n + 1);
  }

  return (
    <>
      <p className="muted">
        Förhandsvisning av formuläret i {regionLabel(form.region || region)}. Det du fyller i kontrolleras som när
        uppgiften slutförs, men sparas inte.
      </p>
      <div role="status">
        {correct && (
          <div className="alert alert--ok" tabIndex={-1} ref={resultRef}>
            <p>{CORRECT}</p>
          </div>
        )}
      </div>
      {failure && (
        <div className="alert alert--error" role="alert">
          <p>{failure}</p>
        </div>
      )}
      <TaskForm
        key={round}
        schema={form.schema}
        uiSchema={form.ui_schema}
        formData={formData}
        onChange={(data, byUser) => {
          setFormData(data);
          if (byUser) setCorrect(false);
        }}
        onSubmit={(data) => void check(data)}
        serverErrors={serverErrors}
        busy={busy}
        submitLabel="Kontrollera formuläret"
        actions={
          <button type="button" className="button button--secondary" onClick={startOver}>
            Töm formuläret
          </button>
        }
      />
    </>
  );
}
