// Beside a task's form: the case it belongs to, as the one doing the task needs it.
import { Link } from "react-router-dom";
import type { CaseDetail, Participant, TaskCaseContext } from "../api/types";
import { groupText, kindText } from "../cases/caseText";
import { DueDate } from "../components/DueBadge";
import { formatDate, statusText } from "../format";

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The case context from a whole case, for an API that does not send it with the task. */
export function contextOfCase(found: CaseDetail): TaskCaseContext {
  const data = found.plan as Record<string, unknown>;
  const coordinator = found.coordinator ?? (data.coordinator as TaskCaseContext["coordinator"]) ?? null;
  const meetingDate = text(data.meeting_date);
  return {
    id: found.id,
    person_name: found.person?.name ?? found.person_name,
    status: found.status,
    stage: found.stage ?? null,
    coordinator,
    meeting: meetingDate ? { date: meetingDate, time: null, place: null } : null,
    participants: found.participants ?? [],
    open_tasks: (found.open_tasks ?? []).map((t) => ({
      id: t.id,
      title: t.title,
      candidate_group: t.candidate_group,
      assignee: t.assignee,
      due_at: t.due_at,
    })),
  };
}

function participantLine(p: Participant): string {
  const name = text(p.name) || text(p.namn);
  const kind = kindText(text(p.kind) || text(p.huvudmannatyp));
  const organisation = text(p.organisation);
  const who = [name, organisation].filter(Boolean).join(", ");
  return kind && kind !== organisation ? `${who} (${kind})` : who;
}

interface Props {
  context: TaskCaseContext | null;
  caseId: string;
  taskId: string;
  personName: string | null;
  me: string;
  loading?: boolean;
}

export function CaseAside({ context, caseId, taskId, personName, me, loading }: Props) {
  const coordinatorName = context?.coordinator ? text(context.coordinator.name) || text(context.coordinator.namn) : "";
  const coordinatorOrg = context?.coordinator ? text(context.coordinator.organisation) : "";
  const meeting = context?.meeting;
  const others = (context?.open_tasks ?? []).filter((t) => t.id !== taskId);
  return (
    <aside className="case-aside card" aria-label="Om ärendet">
      <h2>Om ärendet</h2>
      {loading && (
        <p className="muted" role="status">
          Hämtar ärendet …
        </p>
      )}
      <dl className="task-facts">
        <dt>Den enskilde</dt>
        <dd>{context?.person_name ?? personName ?? "Okänd"}</dd>
        {context && (
          <>
            <dt>Status</dt>
            <dd>{statusText(context.status)}</dd>
            <dt>Steg</dt>
            <dd>{context.stage || "–"}</dd>
            <dt>SIP-möte</dt>
            <dd>
              {meeting && (meeting.date || meeting.place)
                ? [meeting.date ? formatDate(meeting.date) : "", meeting.time ? `kl. ${meeting.time}` : "", meeting.place ?? ""]
                    .filter(Boolean)
                    .join(", ")
                : "Inte planerat ännu"}
            </dd>
            <dt>Samordningsansvarig</dt>
            <dd>{[coordinatorName, coordinatorOrg].filter(Boolean).join(", ") || "Inte utsedd ännu"}</dd>
          </>
        )}
      </dl>

      {context && (
        <>
          <h3>Deltagare</h3>
          {context.participants.length ? (
            <ul className="plain-list">
              {context.participants.map((p, index) => (
                <li key={index}>{participantLine(p)}</li>
              ))}
            </ul>
          ) : (
            <p className="muted">Inga deltagare ännu.</p>
          )}

          <h3>Andra öppna uppgifter</h3>
          {others.length ? (
            <ul className="plain-list">
              {others.map((t) => (
                <li key={t.id}>
                  <Link to={`/uppgifter/${t.id}`}>{t.title}</Link>
                  <br />
                  <span className="muted">
                    {groupText(t.candidate_group)} –{" "}
                    {t.assignee === me ? "du har den" : t.assignee ? `tagen av ${t.assignee}` : "ingen har tagit den"}
                  </span>
                  {t.due_at && (
                    <>
                      <br />
                      <span className="muted">Förfaller </span>
                      <DueDate dueAt={t.due_at} />
                    </>
                  )}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">Inga andra som din verksamhet ser.</p>
          )}
        </>
      )}
      {!context && !loading && (
        <p className="muted">Ärendet delas inte längre med din verksamhet, så mer om det visas inte här.</p>
      )}

      <ul className="plain-list aside-links">
        <li>
          <Link to={`/arenden/${caseId}`}>Gå till ärendet</Link>
        </li>
        <li>
          <a href={`/api/v1/cases/${caseId}/plan`} target="_blank" rel="noopener noreferrer">
            Planen för utskrift<span className="visually-hidden"> (öppnas i ny flik)</span>
          </a>
        </li>
      </ul>
    </aside>
  );
}
