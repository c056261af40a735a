// What each party has done and has left: the case's tasks grouped by whom they are for (the coordinator, a
// participating organisation, a kind of huvudman), the open ones with their due dates.
import { Link } from "react-router-dom";
import type { CaseDetail, Task } from "../api/types";
import { dueState, formatDate, formatDateTime } from "../format";
import { coordinatorText, groupText } from "./caseText";

interface Group {
  key: string;
  label: string;
  open: Task[];
  done: Task[];
  cancelled: Task[];
}

function groupsOf(detail: CaseDetail, completed: Task[], cancelled: Task[]): Group[] {
  const groups = new Map<string, Group>();
  const coordinator = coordinatorText(detail.coordinator);
  const add = (task: Task, which: "open" | "done" | "cancelled") => {
    const key = task.candidate_group ?? "";
    let group = groups.get(key);
    if (!group) {
      let label = groupText(key || null);
      if (key === "samordningsansvarig" && coordinator) label = `Samordningsansvarig (${coordinator})`;
      group = { key, label, open: [], done: [], cancelled: [] };
      groups.set(key, group);
    }
    group[which].push(task);
  };
  // The coordinator first, then the participants in the order they were summoned, then the rest.
  groups.set("samordningsansvarig", {
    key: "samordningsansvarig",
    label: coordinator ? `Samordningsansvarig (${coordinator})` : "Samordningsansvarig",
    open: [],
    done: [],
    cancelled: [],
  });
  for (const p of detail.participants) {
    if (p.organisation && !groups.has(p.organisation)) {
      groups.set(p.organisation, { key: p.organisation, label: p.organisation, open: [], done: [], cancelled: [] });
    }
  }
  for (const task of detail.open_tasks) add(task, "open");
  for (const task of completed) add(task, "done");
  for (const task of cancelled) add(task, "cancelled");
  return [...groups.values()];
}

function byDue(a: Task, b: Task): number {
  return (a.due_at ?? "9999").localeCompare(b.due_at ?? "9999");
}

export function CaseWork({
  detail,
  completed,
  cancelled,
}: {
  detail: CaseDetail;
  completed: Task[];
  cancelled: Task[];
}) {
  const now = new Date();
  const actors = new Map(detail.history.filter((e) => e.task_id).map((e) => [e.task_id!, e.actor]));
  const groups = groupsOf(detail, completed, cancelled).filter(
    (g) => g.open.length > 0 || g.done.length > 0 || g.cancelled.length > 0 || g.key !== "samordningsansvarig",
  );
  return (
    <section aria-labelledby="arbete-rubrik">
      <h2 id="arbete-rubrik">Gjort och kvar att göra</h2>
      {detail.open_tasks.length === 0 ? (
        <p>{detail.status === "active" ? "Ingen uppgift är öppen just nu." : "Ärendet har inga öppna uppgifter."}</p>
      ) : null}
      <div className="work-groups">
        {groups.map((group) => (
          <div key={group.key} className="card work-group">
            <h3>{group.label}</h3>
            <h4 className="work-group__sub">Kvar att göra</h4>
            {group.open.length === 0 ? (
              <p className="muted">Inget.</p>
            ) : (
              <ul className="task-lines">
                {[...group.open].sort(byDue).map((task) => {
                  const due = dueState(task.due_at, now);
                  return (
                    <li key={task.id}>
                      <Link to={`/uppgifter/${task.id}`}>{task.title}</Link>
                      {task.due_at ? (
                        <span className="muted">
                          {" "}
                          · senast {formatDate(task.due_at)}
                        </span>
                      ) : null}
                      {due === "overdue" ? (
                        <>
                          {" "}
                          <span className="badge badge--overdue">Försenad</span>
                        </>
                      ) : due === "today" ? (
                        <>
                          {" "}
                          <span className="badge badge--today">Ska göras i dag</span>
                        </>
                      ) : null}
                      {task.assignee ? <span className="muted"> · tagen av {task.assignee}</span> : null}
                    </li>
                  );
                })}
              </ul>
            )}
            <h4 className="work-group__sub">Gjort</h4>
            {group.done.length === 0 ? (
              <p className="muted">Inget ännu.</p>
            ) : (
              <ul className="task-lines">
                {group.done.map((task) => {
                  const actor = actors.get(task.id) ?? task.assignee;
                  return (
                    <li key={task.id}>
                      {task.title}
                      <span className="muted">
                        {" "}
                        · {formatDateTime(task.completed_at)}
                        {actor ? ` av ${actor}` : ""}
                      </span>
                    </li>
                  );
                })}
              </ul>
            )}
            {group.cancelled.length > 0 ? (
              <>
                <h4 className="work-group__sub">Avbrutet</h4>
                <ul className="task-lines">
                  {group.cancelled.map((task) => (
                    <li key={task.id}>
                      {task.title}
                      <span className="muted"> · behövdes inte längre</span>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </div>
        ))}
      </div>
    </section>
  );
}
