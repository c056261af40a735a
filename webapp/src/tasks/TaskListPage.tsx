// The task list: the user's own tasks and their organisation's, filtered and paged in the address (so reload and
// back work), refreshed by itself while it is open.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router-dom";
import { api, ApiError, query } from "../api/client";
import type { Page, Task, TaskSummary } from "../api/types";
import { useCurrentUser } from "../auth/CurrentUser";
import { DueDate } from "../components/DueBadge";
import { addDays, formatDateTime, mondayOf, startOfSwedishDay, swedishDay } from "../format";
import { usePageTitle } from "../layout/usePageTitle";
import { usePolling } from "./usePolling";

const PAGE_SIZE = 25;
const POLL_MS = 10_000;

type View = "mine" | "organisation";

const VIEW_TITLE: Record<View, string> = {
  mine: "Mina uppgifter",
  organisation: "Min verksamhets uppgifter",
};

const DUE_CHOICES: [string, string][] = [
  ["", "Alla"],
  ["forsenade", "Försenade"],
  ["idag", "Idag"],
  ["vecka", "Denna vecka"],
];

interface Message {
  text: string;
  error: boolean;
}

/** `due_after`/`due_before` for the due-date filter: a choice, narrowed by from/to days if given. */
function dueRange(choice: string, from: string, to: string, now: Date) {
  let after: Date | null = null;
  let before: Date | null = null;
  const today = swedishDay(now);
  const narrow = (a: string | null, b: string | null) => {
    if (a && (!after || new Date(a) > after)) after = new Date(a);
    if (b && (!before || new Date(b) < before)) before = new Date(b);
  };
  if (choice === "forsenade") narrow(null, now.toISOString());
  if (choice === "idag") narrow(startOfSwedishDay(today), startOfSwedishDay(addDays(today, 1)));
  if (choice === "vecka") {
    const monday = mondayOf(today);
    narrow(startOfSwedishDay(monday), startOfSwedishDay(addDays(monday, 7)));
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(from)) narrow(startOfSwedishDay(from), null);
  if (/^\d{4}-\d{2}-\d{2}$/.test(to)) narrow(null, startOfSwedishDay(addDays(to, 1)));
  return {
    due_after: after ? (after as Date).toISOString() : undefined,
    due_before: before ? (before as Date).toISOString() : undefined,
  };
}

function fingerprint(page: Page<Task>): string {
  return JSON.stringify([page.total, page.items.map((t) => [t.id, t.assignee, t.draft_saved_at, t.due_at])]);
}

function problemText(err: unknown): string {
  if (err instanceof ApiError) return err.problem.detail ? `${err.problem.title}. ${err.problem.detail}` : err.problem.title;
  return "Något gick fel. Försök igen.";
}

export function TaskListPage() {
  usePageTitle("Uppgifter");
  const me = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  // A notice brought here by the page before ("Uppgiften är slutförd."), shown once.
  const [notice] = useState<string | null>(() => {
    const state = location.state as { notice?: unknown } | null;
    return typeof state?.notice === "string" ? state.notice : null;
  });
  const noticeRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!notice) return;
    noticeRef.current?.focus();
    navigate(location.pathname + location.search, { replace: true, state: null });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const view: View = params.get("vy") === "verksamhet" ? "organisation" : "mine";
  const kind = params.get("typ") ?? "";
  const person = params.get("person") ?? "";
  const caseId = params.get("arende") ?? "";
  const due = params.get("forfaller") ?? "";
  const from = params.get("fran") ?? "";
  const to = params.get("till") ?? "";
  const pageNumber = Math.max(1, Number.parseInt(params.get("sida") ?? "1", 10) || 1);
  const offset = (pageNumber - 1) * PAGE_SIZE;

  // "Now" for the due-date filter is when the filter was chosen, so the list's address stays the same while open.
  const listQuery = useMemo(
    () =>
      query({
        assignee: view === "mine" ? "me" : undefined,
        name: kind,
        person,
        case_id: caseId,
        ...dueRange(due, from, to, new Date()),
        sort: "due",
        limit: PAGE_SIZE,
        offset,
      }),
    [view, kind, person, caseId, due, from, to, offset],
  );

  const [list, setList] = useState<Page<Task> | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [summary, setSummary] = useState<TaskSummary | null>(null);
  const [counts, setCounts] = useState<{ mine: number; organisation: number } | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const [message, setMessage] = useState<Message | null>(null);
  const [busyTask, setBusyTask] = useState<string | null>(null);
  const summaryMissing = useRef(false);
  const version = useRef<string | null>(null);
  const shown = useRef<string | null>(null);
  const listHeading = useRef<HTMLHeadingElement>(null);
  const announcements = useRef(0);

  // The filter form shows what the address says, and follows it when the address changes (back, a link).
  const current = { typ: kind, person, arende: caseId, forfaller: due, fran: from, till: to };
  const currentKey = JSON.stringify(current);
  const [fields, setFields] = useState(current);
  const [fieldsKey, setFieldsKey] = useState(currentKey);
  if (fieldsKey !== currentKey) {
    setFieldsKey(currentKey);
    setFields(current);
  }
  const field = (name: keyof typeof current) => ({
    id: `filter-${name}`,
    name,
    value: fields[name],
    onChange: (event: { target: { value: string } }) => setFields((f) => ({ ...f, [name]: event.target.value })),
  });

  const announce = useCallback((text: string) => {
    announcements.current += 1;
    // A different string each time, so the same words are read again.
    setAnnouncement(text + (announcements.current % 2 ? "" : "\u00a0"));
  }, []);

  const requests = useRef(0);
  const loadList = useCallback(
    async (signal?: AbortSignal): Promise<Page<Task> | null> => {
      const request = ++requests.current;
      try {
        const page = await api<Page<Task>>(`/tasks${listQuery}`, { signal });
        // An answer overtaken by a later request (another filter, a poll) is not shown.
        if (request !== requests.current) return null;
        setList(page);
        setListError(null);
        return page;
      } catch (err) {
        if (err instanceof DOMException && err.name === "AbortError") return null;
        setListError(problemText(err));
        return null;
      }
    },
    [listQuery],
  );

  const loadCounts = useCallback(async (): Promise<TaskSummary | null> => {
    if (!summaryMissing.current) {
      try {
        const answer = await api<TaskSummary>("/tasks/summary");
        setSummary(answer);
        setCounts({ mine: answer.mine, organisation: answer.organisation });
        return answer;
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) return null;
        summaryMissing.current = true;
      }
    }
    // Without a summary, the totals of the two lists.
    try {
      const [mine, organisation] = await Promise.all([
        api<Page<Task>>(`/tasks${query({ assignee: "me", limit: 1 })}`),
        api<Page<Task>>(`/tasks${query({ limit: 1 })}`),
      ]);
      setCounts({ mine: mine.total, organisation: organisation.total });
    } catch {
      // the counts are a help, not the list
    }
    return null;
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    void loadList(controller.signal).then((page) => {
      if (page) shown.current = fingerprint(page);
    });
    return () => controller.abort();
  }, [loadList]);

  useEffect(() => {
    void loadCounts().then((answer) => {
      if (answer) version.current = answer.version;
    });
  }, [loadCounts]);

  const refresh = useCallback(
    async (force: boolean) => {
      const answer = await loadCounts();
      const changed = answer ? answer.version !== version.current : true;
      if (answer) version.current = answer.version;
      if (!changed && !force) return;
      const page = await loadList();
      if (!page) return;
      const print = fingerprint(page);
      if (print !== shown.current && !force) announce("Listan har uppdaterats.");
      shown.current = print;
    },
    [announce, loadCounts, loadList],
  );

  usePolling(() => void refresh(false), POLL_MS);

  async function act(task: Task, action: "claim" | "unclaim") {
    if (busyTask) return;
    setBusyTask(task.id);
    setMessage(null);
    try {
      const updated = await api<Task>(`/tasks/${task.id}/${action}`, { method: "POST", body: {} });
      setList((current) =>
        current ? { ...current, items: current.items.map((t) => (t.id === updated.id ? { ...t, ...updated } : t)) } : current,
      );
      setMessage({
        text:
          action === "claim"
            ? `Du har tagit uppgiften ”${task.title}” för ${task.person_name ?? "ärendet"}.`
            : `Du har lämnat tillbaka uppgiften ”${task.title}” för ${task.person_name ?? "ärendet"}.`,
        error: false,
      });
    } catch (err) {
      let text = problemText(err);
      if (err instanceof ApiError && err.status === 409) {
        text =
          action === "claim"
            ? "Uppgiften har redan tagits av någon annan eller är inte längre öppen. Listan visar nu hur det ser ut."
            : "Uppgiften går inte att lämna tillbaka: den har tagits av någon annan eller är inte längre öppen. Listan visar nu hur det ser ut.";
      } else if (err instanceof ApiError && err.status === 404) {
        text = "Uppgiften finns inte längre eller så har din verksamhet inte tillgång till den.";
      }
      setMessage({ text, error: true });
    } finally {
      setBusyTask(null);
    }
    await refresh(true);
    // A row that left the list (given back from "Mina uppgifter") takes the focus with it: put it on the list.
    if (!document.getElementById(`uppgift-${task.id}`)) listHeading.current?.focus();
  }

  function setView(next: View) {
    const copy = new URLSearchParams(params);
    if (next === "organisation") copy.set("vy", "verksamhet");
    else copy.delete("vy");
    copy.delete("sida");
    return `?${copy.toString()}`;
  }

  function onFilter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const next = new URLSearchParams();
    if (view === "organisation") next.set("vy", "verksamhet");
    for (const [key, value] of Object.entries(fields)) {
      if (value.trim()) next.set(key, value.trim());
    }
    setParams(next);
  }

  function clearFilters() {
    setParams(view === "organisation" ? { vy: "verksamhet" } : {});
  }

  function pageLink(number: number) {
    const copy = new URLSearchParams(params);
    if (number <= 1) copy.delete("sida");
    else copy.set("sida", String(number));
    return `?${copy.toString()}`;
  }

  const kinds = useMemo(() => {
    const found = new Map<string, string>();
    for (const k of summary?.kinds ?? []) found.set(k.name, `${k.title} (${k.count})`);
    for (const t of list?.items ?? []) if (!found.has(t.name)) found.set(t.name, t.title);
    if (kind && !found.has(kind)) found.set(kind, kind);
    return [...found.entries()].sort((a, b) => a[1].localeCompare(b[1], "sv"));
  }, [summary, list, kind]);

  const filtered = Boolean(kind || person || caseId || due || from || to);
  const total = list?.total ?? 0;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + (list?.items.length ?? 0), total);
  const viewCount = (v: View) => {
    const n = counts?.[v] ?? (v === view ? list?.total : undefined);
    return n === undefined ? "" : ` (${n})`;
  };

  return (
    <>
      {notice && (
        <div className="alert alert--ok" role="status" tabIndex={-1} ref={noticeRef}>
          <p>{notice}</p>
        </div>
      )}
      <h1>Uppgifter</h1>

      <nav aria-label="Vyer" className="view-switch">
        <ul>
          {(["mine", "organisation"] as View[]).map((v) => (
            <li key={v}>
              <Link to={setView(v)} aria-current={v === view ? "page" : undefined}>
                {VIEW_TITLE[v]}
                {viewCount(v)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>

      {summary && (
        <p className="task-summary">
          <span>Försenade: {summary.overdue}</span>
          <span>Förfaller idag: {summary.due_today}</span>
          <span>Ingen har tagit: {summary.unassigned}</span>
        </p>
      )}

      <form className="task-filters card" onSubmit={onFilter} aria-labelledby="filter-rubrik">
        <h2 id="filter-rubrik">Filtrera</h2>
        <div className="task-filters__fields">
          <div className="form-field">
            <label htmlFor="filter-typ">Typ av uppgift</label>
            <select {...field("typ")}>
              <option value="">Alla</option>
              {kinds.map(([name, title]) => (
                <option key={name} value={name}>
                  {title}
                </option>
              ))}
            </select>
          </div>
          <div className="form-field">
            <label htmlFor="filter-person">Den enskildes namn</label>
            <input {...field("person")} type="search" autoComplete="off" />
          </div>
          <div className="form-field">
            <label htmlFor="filter-arende">Ärende (id)</label>
            <input {...field("arende")} type="search" autoComplete="off" />
          </div>
          <div className="form-field">
            <label htmlFor="filter-forfaller">Förfallodatum</label>
            <select {...field("forfaller")}>
              {DUE_CHOICES.map(([value, title]) => (
                <option key={value} value={value}>
                  {title}
                </option>
              ))}
            </select>
          </div>
          <div className="form-field">
            <label htmlFor="filter-fran">Förfaller från och med</label>
            <input {...field("fran")} type="date" />
          </div>
          <div className="form-field">
            <label htmlFor="filter-till">Förfaller till och med</label>
            <input {...field("till")} type="date" />
          </div>
        </div>
        <div className="form-actions">
          <button type="submit">Filtrera</button>
          {filtered && (
            <button type="button" className="button button--secondary" onClick={clearFilters}>
              Rensa filter
            </button>
          )}
        </div>
      </form>

      <div className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </div>
      <div aria-live="polite" className="live-message">
        {message && !message.error && <p className="alert alert--ok">{message.text}</p>}
      </div>
      <div role="alert" className="live-message">
        {message && message.error && <p className="alert alert--error">{message.text}</p>}
      </div>

      <section aria-labelledby="lista-rubrik">
        <h2 id="lista-rubrik" tabIndex={-1} ref={listHeading}>
          {VIEW_TITLE[view]}
        </h2>
        {listError && (
          <div className="alert alert--error" role="alert">
            <p>Det gick inte att hämta uppgifterna. {listError}</p>
            <button type="button" onClick={() => void refresh(true)}>
              Försök igen
            </button>
          </div>
        )}
        {!list && !listError && (
          <p role="status" className="muted">
            Laddar uppgifter …
          </p>
        )}
        {list && list.items.length === 0 && (
          <p className="empty">
            {filtered
              ? "Inga uppgifter stämmer med filtret."
              : view === "mine"
                ? "Du har inga uppgifter just nu."
                : "Din verksamhet har inga öppna uppgifter just nu."}
            {pageNumber > 1 && total > 0 && (
              <>
                {" "}
                <Link to={pageLink(1)}>Gå till första sidan</Link>
              </>
            )}
          </p>
        )}
        {list && list.items.length > 0 && (
          <>
            <p className="muted" id="lista-antal">
              Visar {first}–{last} av {total}
            </p>
            <div className="table-scroll">
              <table className="task-table" aria-labelledby="lista-rubrik" aria-describedby="lista-antal">
                <thead>
                  <tr>
                    <th scope="col">Uppgift</th>
                    <th scope="col">Den enskilde (ärendet)</th>
                    <th scope="col">Förfaller</th>
                    <th scope="col">Vem har den</th>
                    <th scope="col">Åtgärd</th>
                  </tr>
                </thead>
                <tbody>
                  {list.items.map((task) => {
                    const mine = task.assignee === me.username;
                    const canAct = !task.assignee || mine;
                    return (
                      <tr key={task.id} id={`uppgift-${task.id}`}>
                        <td>
                          <Link to={`/uppgifter/${task.id}`}>{task.title}</Link>
                          {task.draft_saved_at && (
                            <p className="draft-marker">
                              Utkast sparat av {task.draft_saved_by ?? "okänd"} {formatDateTime(task.draft_saved_at)}
                            </p>
                          )}
                        </td>
                        <td>
                          <Link to={`/arenden/${task.case_id}`}>{task.person_name || "Ärendet"}</Link>
                        </td>
                        <td>
                          <DueDate dueAt={task.due_at} />
                        </td>
                        <td>{mine ? "Du" : (task.assignee ?? "Ingen")}</td>
                        <td>
                          {canAct && (
                            <button
                              type="button"
                              className="button button--secondary button--small"
                              aria-disabled={busyTask === task.id}
                              onClick={() => void act(task, mine ? "unclaim" : "claim")}
                            >
                              {mine ? "Lämna tillbaka" : "Ta uppgiften"}
                              <span className="visually-hidden">
                                {" "}
                                ”{task.title}” för {task.person_name ?? "ärendet"}
                              </span>
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {total > PAGE_SIZE && (
              <nav aria-label="Sidor" className="pager">
                {pageNumber > 1 ? (
                  <Link to={pageLink(pageNumber - 1)} rel="prev">
                    Föregående
                  </Link>
                ) : (
                  <span className="pager__off">Föregående</span>
                )}
                <span>
                  Sida {pageNumber} av {Math.ceil(total / PAGE_SIZE)}
                </span>
                {offset + PAGE_SIZE < total ? (
                  <Link to={pageLink(pageNumber + 1)} rel="next">
                    Nästa
                  </Link>
                ) : (
                  <span className="pager__off">Nästa</span>
                )}
              </nav>
            )}
          </>
        )}
      </section>
    </>
  );
}
