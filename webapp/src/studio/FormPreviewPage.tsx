// One form of a region's routine, shown as a task shows it (the same TaskForm) and checked as a task's completion
// checks it: first in the browser, then by the server, which answers with its own messages at their fields.
// Nothing is stored.
import { useEffect, useRef, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { ApiError, type FieldError } from "../api/client";
import { TaskForm } from "../forms/TaskForm";
import { usePageTitle } from "../layout/usePageTitle";
import { checkForm, getForm, regionLabel, type RoutineForm } from "./forms";
import { LoadState, useStudioLoad } from "./useStudioLoad";

type Data = Record<string, unknown>;

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
  const { load, retry } = useStudioLoad<RoutineForm>(
    (signal) => getForm(region, name, signal),
    "Formuläret kunde inte hämtas.",
  );

  usePageTitle(
    load.state === "ready"
      ? `${load.value.title} – förhandsvisning`
      : load.state === "missing"
        ? "Formuläret finns inte"
        : "Formulär",
  );

  const back = (
    <p className="breadcrumb">
      <Link to={`/formular?region=${encodeURIComponent(region)}`}>Formulär</Link>
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
        missing="Regionens rutin har inget formulär med det namnet."
        failedTitle="Formuläret kunde inte hämtas"
      />
    );
  }
  return (
    <>
      {back}
      <h1>{load.value.title}</h1>
      <Preview form={load.value} region={region} />
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
