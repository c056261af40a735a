// One case as a whole: where it stands, who takes part, what each has done and has left, the plan so far, the
// history, the events one may report (messages), and on request the routine's diagram with the case in it.
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router-dom";
import { api, ApiError, query } from "../api/client";
import type { AvailableMessage, CaseDetail, Page, PlanDocument, Task } from "../api/types";
import { closureReasonText, formatDate, statusText } from "../format";
import { usePageTitle } from "../layout/usePageTitle";
import { CaseHistory } from "./CaseHistory";
import { CasePlan } from "./CasePlan";
import { CaseWork } from "./CaseWork";
import { coordinatorText, kindText } from "./caseText";
import { MessageActions } from "./MessageActions";
import { PersonLinks } from "./PersonLinks";
import { regionName } from "./regions";

const CaseDiagram = lazy(() => import("../diagram/CaseDiagram"));

interface Loaded {
  detail: CaseDetail;
  completed: Task[];
  cancelled: Task[];
}

export default function CasePage() {
  const { caseId = "" } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(
    (location.state as { notice?: string } | null)?.notice ?? null,
  );
  const noticeRef = useRef<HTMLDivElement>(null);
  const name = loaded?.detail.person.name ?? loaded?.detail.person_name ?? null;
  usePageTitle(loaded ? `SIP för ${name ?? "okänd person"}` : "Ärende");

  // A notice shown once: a reload of the page does not show it again.
  useEffect(() => {
    if ((location.state as { notice?: string } | null)?.notice) {
      navigate({ pathname: location.pathname, search: location.search }, { replace: true, state: null });
    }
  }, [location, navigate]);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      const detail = await api<CaseDetail>(`/cases/${encodeURIComponent(caseId)}`, { signal });
      // Done and cancelled tasks, for what each has done; the history still says it where these fail.
      const closed = (state: string) =>
        api<Page<Task>>("/tasks" + query({ case_id: caseId, state, limit: 200, sort: "created" }), { signal })
          .then((page) => page.items)
          .catch((err: unknown) => {
            if (err instanceof DOMException && err.name === "AbortError") throw err;
            return [] as Task[];
          });
      const [completed, cancelled] = await Promise.all([closed("completed"), closed("cancelled")]);
      setLoaded({ detail, completed, cancelled });
      setError(null);
    },
    [caseId],
  );

  useEffect(() => {
    const controller = new AbortController();
    setLoaded(null);
    load(controller.signal).catch((err: unknown) => {
      if (controller.signal.aborted) return;
      setError(err instanceof ApiError ? err : new ApiError({ type: "about:blank", title: "Något gick fel", status: 0 }));
    });
    return () => controller.abort();
  }, [load]);

  const announce = useCallback((text: string) => {
    setNotice(text);
    requestAnimationFrame(() => noticeRef.current?.focus());
  }, []);

  if (error) {
    return (
      <>
        <h1>{error.status === 404 ? "Ärendet finns inte" : "Ärendet kunde inte visas"}</h1>
        <p className="alert alert--error" role="alert">
          {error.status === 404
            ? "Ärendet finns inte, eller så får din organisation inte se det."
            : `${error.problem.title}. ${error.problem.detail ?? ""}`}
        </p>
        <p>
          <Link to="/arenden">Till ärendena</Link>
        </p>
      </>
    );
  }
  if (!loaded) {
    return (
      <p className="loading" role="status">
        Hämtar ärendet …
      </p>
    );
  }

  const { detail, completed, cancelled } = loaded;
  const plan = detail.plan as unknown as PlanDocument;
  const messages: AvailableMessage[] = detail.available_messages ?? [];
  const closed = detail.status !== "active";

  return (
    <>
      <p className="breadcrumb">
        <Link to="/arenden">Ärenden</Link> <span aria-hidden="true">›</span> <span>SIP för {name}</span>
      </p>
      <h1>SIP för {name ?? "okänd person"}</h1>

      <div role="status" className="notice-region" tabIndex={-1} ref={noticeRef}>
        {notice ? <p className="alert alert--ok">{notice}</p> : null}
      </div>

      {detail.incident ? (
        <div className="alert alert--error">
          <h2>Fel i rutinen</h2>
          <p>
            Ett steg i rutinen misslyckades och ärendet står still tills felet är rättat. Kontakta den som
            förvaltar rutinen.
          </p>
          {typeof detail.incident.message === "string" ? (
            <p className="muted">Felet: {detail.incident.message}</p>
          ) : null}
        </div>
      ) : null}

      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd>
            {statusText(detail.status)}
            {detail.closure_reason ? `: ${closureReasonText(detail.closure_reason)}` : ""}
          </dd>
        </div>
        {detail.stage ? (
          <div>
            <dt>Steg</dt>
            <dd>{detail.stage}</dd>
          </div>
        ) : null}
        <div>
          <dt>Samordningsansvarig</dt>
          <dd>{coordinatorText(detail.coordinator) || "Inte utsedd ännu"}</dd>
        </div>
        <div>
          <dt>Rutin</dt>
          <dd>
            {regionName(detail.process.region)}, version {detail.process.version}
          </dd>
        </div>
        <div>
          <dt>Startad</dt>
          <dd>{formatDate(detail.created_at)}</dd>
        </div>
        {detail.next_timer_at && !closed ? (
          <div>
            <dt>Nästa bevakning</dt>
            <dd>{formatDate(detail.next_timer_at)}</dd>
          </div>
        ) : null}
        {detail.parent_case_id ? (
          <div>
            <dt>Tidigare SIP</dt>
            <dd>
              <Link to={`/arenden/${detail.parent_case_id}`}>Ärendet som den här SIP:en ersätter</Link>
            </dd>
          </div>
        ) : null}
      </dl>

      <p className="print-link">
        <a className="button" href={`/api/v1/cases/${encodeURIComponent(detail.id)}/plan`} target="_blank" rel="noopener">
          Skriv ut planen<span className="visually-hidden"> (öppnas i en ny flik)</span>
        </a>
        <a
          className="button button--secondary"
          href={`/api/v1/cases/${encodeURIComponent(detail.id)}/plan/easy-read`}
          target="_blank"
          rel="noopener"
        >
          Lättläst plan<span className="visually-hidden"> (öppnas i en ny flik)</span>
        </a>
      </p>

      {messages.length > 0 ? (
        <MessageActions caseId={detail.id} messages={messages} onDone={load} announce={announce} />
      ) : null}

      {!closed ? <PersonLinks caseId={detail.id} personName={name} relatives={plan.relatives ?? []} /> : null}

      <section aria-labelledby="deltagare-rubrik">
        <h2 id="deltagare-rubrik">Deltagare</h2>
        {detail.participants.length === 0 ? (
          <p className="muted">Inga deltagare är kallade ännu.</p>
        ) : (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Verksamhet</th>
                  <th scope="col">Huvudman</th>
                  <th scope="col">Företrädare</th>
                  <th scope="col">Kontakt</th>
                </tr>
              </thead>
              <tbody>
                {detail.participants.map((p, index) => (
                  <tr key={`${p.organisation}-${index}`}>
                    <td>{p.organisation}</td>
                    <td>{kindText(p.kind)}</td>
                    <td>
                      {p.name ?? ""}
                      {typeof p.profession === "string" && p.profession ? `, ${p.profession}` : ""}
                    </td>
                    <td>{typeof p.contact === "string" ? p.contact : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <CaseWork detail={detail} completed={completed} cancelled={cancelled} />

      <CasePlan caseId={detail.id} plan={plan} />

      <RoutineSection detail={detail} />

      <CaseHistory history={detail.history} messages={messages} />
    </>
  );
}

function RoutineSection({ detail }: { detail: CaseDetail }) {
  const [open, setOpen] = useState(false);
  return (
    <section aria-labelledby="rutinen-rubrik" className="routine">
      <h2 id="rutinen-rubrik">
        <button
          type="button"
          className="disclosure"
          aria-expanded={open}
          aria-controls="rutinen-innehall"
          onClick={() => setOpen((o) => !o)}
        >
          Rutinen
        </button>
      </h2>
      <p className="muted">Rutinens steg som bild, med var ärendet står.</p>
      <div id="rutinen-innehall" hidden={!open}>
        {open ? (
          <Suspense
            fallback={
              <p role="status" className="loading">
                Laddar rutinen …
              </p>
            }
          >
            <CaseDiagram
              caseId={detail.id}
              processKey={detail.process.key}
              revision={detail.revision}
            />
          </Suspense>
        ) : null}
      </div>
    </section>
  );
}
