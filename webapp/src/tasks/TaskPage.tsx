// One task: what to do (instructions), its form filled from a draft or the case's data, saved as a draft while
// it is filled in, and completed; the case beside it.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router-dom";
import { api, ApiError, type FieldError } from "../api/client";
import type { CaseDetail, Completion, Me, Task, TaskCaseContext, TaskDetail, TaskDraft } from "../api/types";
import { useCurrentUser } from "../auth/CurrentUser";
import { DueDate } from "../components/DueBadge";
import { formatDateTime, formatTime } from "../format";
import { Markdown } from "../forms/markdown";
import { draftData, pruneData, type JsonSchema } from "../forms/schema";
import { TaskForm } from "../forms/TaskForm";
import { usePageTitle } from "../layout/usePageTitle";
import { CaseAside, contextOfCase } from "./CaseAside";

type Data = Record<string, unknown>;

const DRAFT_DELAY_MS = 1500;
export const DONE_NOTICE = "Uppgiften är slutförd.";
const CONFLICT_TEXT =
  "Uppgiften har redan slutförts eller tagits av någon annan. Ladda om sidan för att se hur det ser ut nu.";

type Load =
  | { state: "loading" }
  | { state: "missing" }
  | { state: "failed"; text: string }
  | { state: "ready"; task: TaskDetail };

function problemText(err: unknown): string {
  if (err instanceof ApiError) return err.problem.detail ? `${err.problem.title}. ${err.problem.detail}` : err.problem.title;
  return "Något gick fel. Försök igen.";
}

/** Whether a task is one for the user's organisation to do: addressed to it by name or by its kind of huvudman,
 *  or to a role it holds in the case. The coordinator sees every task of the case, also those addressed to the
 *  other organisations, and is not to be taken on to one of theirs. */
function isForUs(task: Task, me: Me): boolean {
  const group = task.candidate_group;
  if (!group || group === me.organisation || group === me.organisation_kind) return true;
  return group === "samordningsansvarig" || group === "deltagande_huvudman";
}

function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.status === 409;
}

function validationErrors(err: unknown): FieldError[] | null {
  if (err instanceof ApiError && err.status === 422 && err.problem.type.endsWith("/validation-failed")) {
    return err.problem.errors ?? [];
  }
  return null;
}

export default function TaskPage() {
  const { taskId = "" } = useParams();
  // A new task is a new page: nothing of the one before (its form, its draft timer) carries over.
  return <TaskView key={taskId} taskId={taskId} />;
}

function TaskView({ taskId }: { taskId: string }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const location = useLocation();
  const navigate = useNavigate();
  const [notice] = useState<string | null>(() => {
    const state = location.state as { notice?: unknown } | null;
    return typeof state?.notice === "string" ? state.notice : null;
  });

  useEffect(() => {
    // The notice is shown once: a reload or going back here does not show it again.
    if (notice) navigate(location.pathname + location.search, { replace: true, state: null });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const reload = useCallback(async () => {
    try {
      const task = await api<TaskDetail>(`/tasks/${encodeURIComponent(taskId)}`);
      setLoad({ state: "ready", task });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setLoad({ state: "missing" });
      else setLoad({ state: "failed", text: problemText(err) });
    }
  }, [taskId]);

  useEffect(() => {
    void reload();
  }, [reload]);

  usePageTitle(
    load.state === "ready"
      ? `${load.task.title}${load.task.person_name ? ` – ${load.task.person_name}` : ""}`
      : load.state === "missing"
        ? "Uppgiften finns inte"
        : "Uppgift",
  );

  if (load.state === "loading") {
    return (
      <p className="loading" role="status">
        Hämtar uppgiften …
      </p>
    );
  }
  if (load.state === "missing") {
    return (
      <>
        {notice && <Notice text={notice} />}
        <h1>Uppgiften finns inte</h1>
        <p>Uppgiften finns inte eller så har din verksamhet inte tillgång till den.</p>
        <p>
          <Link to="/uppgifter">Gå till uppgifterna</Link>
        </p>
      </>
    );
  }
  if (load.state === "failed") {
    return (
      <>
        <h1>Uppgiften kunde inte hämtas</h1>
        <div className="alert alert--error" role="alert">
          <p>{load.text}</p>
        </div>
        <button type="button" onClick={() => void reload()}>
          Försök igen
        </button>
      </>
    );
  }
  return <TaskWork task={load.task} notice={notice} onChanged={setLoad} />;
}

function Notice({ text }: { text: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <div className="alert alert--ok" role="status" tabIndex={-1} ref={ref}>
      <p>{text}</p>
    </div>
  );
}

interface WorkProps {
  task: TaskDetail;
  notice: string | null;
  onChanged: (load: Load) => void;
}

function TaskWork({ task, notice, onChanged }: WorkProps) {
  const me = useCurrentUser();
  const navigate = useNavigate();
  const schema = useMemo(() => (task.form.schema ?? { type: "object", properties: {} }) as JsonSchema, [task.form.schema]);
  const initialData = useMemo(() => (pruneData(schema, task.data ?? {}) ?? {}) as Data, [schema, task.data]);
  const [formData, setFormData] = useState<Data>(() =>
    task.draft ? ((pruneData(schema, task.draft.data) ?? {}) as Data) : initialData,
  );
  const [draft, setDraft] = useState<TaskDraft | null>(task.draft);
  const [draftStatus, setDraftStatus] = useState("");
  const [serverErrors, setServerErrors] = useState<FieldError[]>([]);
  const [errorsFromSubmit, setErrorsFromSubmit] = useState(false);
  const [conflict, setConflict] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [claimMessage, setClaimMessage] = useState<string | null>(null);
  const [context, setContext] = useState<TaskCaseContext | null>(task.case ?? null);
  const [contextLoading, setContextLoading] = useState(task.case === undefined);

  const open = task.state === "open";
  const takenByOther = Boolean(task.assignee && task.assignee !== me.username);
  const readOnly = !open || takenByOther || conflict;

  const timer = useRef<number | null>(null);
  const pending = useRef<Data | null>(null);
  const saved = useRef<string>(JSON.stringify(draftData(schema, formData)));
  const saving = useRef<Promise<void>>(Promise.resolve());
  const done = useRef(false);
  const conflictRef = useRef<HTMLDivElement>(null);
  const failureRef = useRef<HTMLDivElement>(null);

  // The case beside the form: sent with the task, or read from the case for an API that does not send it.
  useEffect(() => {
    if (task.case !== undefined) return;
    let stop = false;
    api<CaseDetail>(`/cases/${encodeURIComponent(task.case_id)}`)
      .then((found) => !stop && setContext(contextOfCase(found)))
      .catch(() => !stop && setContext(null))
      .finally(() => !stop && setContextLoading(false));
    return () => {
      stop = true;
    };
  }, [task.case, task.case_id]);

  useEffect(() => {
    if (conflict) conflictRef.current?.focus();
  }, [conflict]);

  useEffect(() => {
    if (failure) failureRef.current?.focus();
  }, [failure]);

  const saveDraft = useCallback(
    (data: Data) => {
      saving.current = saving.current.then(async () => {
        const text = JSON.stringify(data);
        if (done.current || text === saved.current) return;
        try {
          const answer = await api<TaskDraft>(`/tasks/${task.id}/draft`, { method: "PUT", body: { data } });
          saved.current = text;
          setDraft(answer);
          setDraftStatus(`Utkast sparat kl. ${formatTime(answer.saved_at)}`);
          setServerErrors((current) => (current.length && !errorsFromSubmit ? [] : current));
        } catch (err) {
          const errors = validationErrors(err);
          if (errors) {
            setErrorsFromSubmit(false);
            setServerErrors(errors);
            setDraftStatus("Utkastet sparades inte: rätta de markerade fälten.");
          } else if (isConflict(err)) {
            setConflict(true);
          } else {
            setDraftStatus("Utkastet kunde inte sparas just nu. Det görs igen när du ändrar något.");
          }
        }
      });
    },
    [task.id, errorsFromSubmit],
  );

  const flush = useCallback(() => {
    if (timer.current !== null) {
      window.clearTimeout(timer.current);
      timer.current = null;
    }
    if (pending.current) {
      const data = pending.current;
      pending.current = null;
      saveDraft(data);
    }
  }, [saveDraft]);

  // Leaving the page saves what was typed since the last draft.
  const flushOnLeave = useRef(flush);
  useEffect(() => {
    flushOnLeave.current = flush;
  });
  useEffect(() => () => flushOnLeave.current(), []);

  function onChange(data: Data, byUser: boolean) {
    setFormData(data);
    if (!byUser && !pending.current) {
      // What the form fills in itself (defaults) is no change of the person's, and no reason for a draft.
      saved.current = JSON.stringify(draftData(schema, data));
      return;
    }
    if (readOnly) return;
    pending.current = draftData(schema, data) as Data;
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = window.setTimeout(flush, DRAFT_DELAY_MS);
  }

  async function discardDraft() {
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = null;
    pending.current = null;
    await saving.current;
    try {
      await api<void>(`/tasks/${task.id}/draft`, { method: "DELETE" });
      setDraft(null);
      setServerErrors([]);
      saved.current = JSON.stringify(draftData(schema, initialData));
      setFormData(initialData);
      setDraftStatus("Utkastet är kastat. Formuläret visar ärendets uppgifter.");
    } catch (err) {
      if (isConflict(err)) setConflict(true);
      else setDraftStatus(`Utkastet kunde inte kastas. ${problemText(err)}`);
    }
  }

  async function complete(data: Data) {
    if (submitting || readOnly) return;
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = null;
    pending.current = null;
    setSubmitting(true);
    setFailure(null);
    await saving.current;
    try {
      const answer = await api<Completion>(`/tasks/${task.id}/complete`, {
        method: "POST",
        body: { data, case_revision: task.case_revision },
      });
      done.current = true;
      const state = { notice: DONE_NOTICE };
      const next = answer.next_tasks.find((t) => isForUs(t, me));
      if (next) {
        navigate(`/uppgifter/${next.id}`, { state });
        return;
      }
      const caseId = answer.case?.id ?? task.case_id;
      try {
        await api(`/cases/${encodeURIComponent(caseId)}`);
        navigate(`/arenden/${caseId}`, { state });
      } catch {
        navigate("/uppgifter", { state });
      }
    } catch (err) {
      setSubmitting(false);
      const errors = validationErrors(err);
      if (errors) {
        setErrorsFromSubmit(true);
        setServerErrors(errors);
      } else if (isConflict(err)) {
        setConflict(true);
      } else if (err instanceof ApiError && err.problem.type.endsWith("/process-incident")) {
        setFailure(
          `Rutinen kunde inte gå vidare efter uppgiften, så ingenting har ändrats i ärendet. ${err.problem.detail ?? ""}`.trim(),
        );
      } else {
        setFailure(`Uppgiften kunde inte slutföras. ${problemText(err)}`);
      }
    }
  }

  async function claim(action: "claim" | "unclaim") {
    setClaimMessage(null);
    try {
      const updated = await api<Task>(`/tasks/${task.id}/${action}`, { method: "POST", body: {} });
      onChanged({ state: "ready", task: { ...task, assignee: updated.assignee, state: updated.state } });
      setClaimMessage(action === "claim" ? "Du har tagit uppgiften." : "Du har lämnat tillbaka uppgiften.");
    } catch (err) {
      if (isConflict(err)) setConflict(true);
      else setClaimMessage(problemText(err));
    }
  }

  const status = !open
    ? task.state === "completed"
      ? "Uppgiften är slutförd"
      : "Uppgiften är avbruten"
    : takenByOther
      ? `Uppgiften är tagen av ${task.assignee}`
      : null;

  return (
    <div className="task-page">
      {notice && <Notice text={notice} />}
      <p className="breadcrumb">
        <Link to="/uppgifter">Uppgifter</Link>
      </p>
      <h1>{task.title}</h1>
      <dl className="task-facts task-facts--inline">
        <dt>Den enskilde</dt>
        <dd>
          <Link to={`/arenden/${task.case_id}`}>{task.person_name || "Ärendet"}</Link>
        </dd>
        <dt>Förfaller</dt>
        <dd>
          <DueDate dueAt={task.due_at} />
        </dd>
        <dt>Vem har den</dt>
        <dd>{task.assignee === me.username ? "Du" : (task.assignee ?? "Ingen")}</dd>
      </dl>

      {status && (
        <div className={`alert ${open ? "alert--warning" : "alert--ok"}`}>
          <p>
            <strong>{status}.</strong>{" "}
            {!open
              ? `Så här fylldes den i${task.completed_at ? ` (${formatDateTime(task.completed_at)})` : ""}.`
              : "Du kan läsa formuläret men inte ändra det."}
          </p>
        </div>
      )}

      {open && !conflict && (
        <div className="claim">
          {!task.assignee && (
            <button type="button" className="button button--secondary" onClick={() => void claim("claim")}>
              Ta uppgiften
            </button>
          )}
          {task.assignee === me.username && (
            <button type="button" className="button button--secondary" onClick={() => void claim("unclaim")}>
              Lämna tillbaka
            </button>
          )}
          <span aria-live="polite">{claimMessage}</span>
        </div>
      )}

      {conflict && (
        <div className="alert alert--error" role="alert" tabIndex={-1} ref={conflictRef}>
          <h2>Någon annan hann före</h2>
          <p>{CONFLICT_TEXT}</p>
          <button type="button" onClick={() => window.location.reload()}>
            Ladda om sidan
          </button>
        </div>
      )}

      <div className="task-layout">
        <div className="task-main">
          {task.instructions && (
            <section className="instructions" aria-labelledby="instruktioner-rubrik">
              <h2 id="instruktioner-rubrik">Instruktioner</h2>
              <Markdown text={task.instructions} level={3} />
            </section>
          )}

          <section aria-labelledby="formular-rubrik">
            <h2 id="formular-rubrik">{task.form.schema ? "Formulär" : "Bekräftelse"}</h2>
            {draft && !readOnly && (
              <p className="draft-marker">
                Formuläret är ifyllt från ett utkast som {draft.saved_by === me.username ? "du" : draft.saved_by} sparade{" "}
                {formatDateTime(draft.saved_at)}.
              </p>
            )}
            {failure && (
              <div className="alert alert--error" role="alert" tabIndex={-1} ref={failureRef}>
                <p>{failure}</p>
              </div>
            )}
            {task.form.schema ? (
              <TaskForm
                schema={schema}
                uiSchema={task.form.ui_schema}
                formData={formData}
                onChange={onChange}
                onSubmit={(data) => void complete(data)}
                serverErrors={serverErrors}
                summarizeServerErrors={errorsFromSubmit}
                disabled={readOnly}
                busy={submitting}
                submitLabel="Slutför uppgiften"
                actions={
                  <>
                    {draft && (
                      <button type="button" className="button button--secondary" onClick={() => void discardDraft()}>
                        Kasta utkastet
                      </button>
                    )}
                    <p className="draft-status" role="status">
                      {draftStatus}
                    </p>
                  </>
                }
              />
            ) : readOnly ? (
              <p className="muted">Uppgiften är en bekräftelse utan formulär.</p>
            ) : (
              <form
                className="confirmation"
                onSubmit={(event) => {
                  event.preventDefault();
                  void complete({});
                }}
              >
                <p>
                  Uppgiften har inget formulär att fylla i. Gör det som instruktionerna säger och bekräfta sedan att
                  det är klart.
                </p>
                <button type="submit" aria-disabled={submitting}>
                  {submitting ? "Skickar …" : "Klar"}
                </button>
              </form>
            )}
          </section>
        </div>
        <CaseAside
          context={context}
          loading={contextLoading}
          caseId={task.case_id}
          taskId={task.id}
          personName={task.person_name}
          me={me.username}
        />
      </div>
    </div>
  );
}
