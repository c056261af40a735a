// The cases the organisation may see: all of them, or those the user coordinates; filtered by status and by the
// person's name, a page at a time. Beside it, a search by personal number that never puts the number in the
// address (it lives in this page's memory only).
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router-dom";
import { api, ApiError, query } from "../api/client";
import type { CaseSummary, Page } from "../api/types";
import { dueState, formatDate, statusText } from "../format";
import { usePageTitle } from "../layout/usePageTitle";
import { coordinatorText } from "./caseText";
import { PersonalNumberField } from "./PersonalNumberField";
import { checkPersonalNumber } from "./personalNumber";

const PAGE_SIZE = 25;

const STATUSES: { value: string; label: string }[] = [
  { value: "", label: "Alla" },
  { value: "active", label: "Pågående" },
  { value: "closed", label: "Avslutade" },
  { value: "cancelled", label: "Inställda" },
  { value: "declined", label: "Avböjda" },
];

type View = "alla" | "mina";

const VIEWS: { value: View; label: string }[] = [
  { value: "alla", label: "Alla ärenden" },
  { value: "mina", label: "Ärenden jag samordnar" },
];

function casesText(count: number): string {
  return count === 1 ? "1 ärende" : `${count} ärenden`;
}

export default function CaseListPage() {
  usePageTitle("Ärenden");
  return (
    <>
      <h1>Ärenden</h1>
      <PersonalNumberSearch />
      <CaseList />
    </>
  );
}

function CaseList() {
  const [params] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const view: View = params.get("vy") === "mina" ? "mina" : "alla";
  const status = params.get("status") ?? "";
  const offset = Math.max(0, Number(params.get("fran")) || 0);
  // The name filter is kept in the page's history entry, not in the address.
  const person = (location.state as { person?: string } | null)?.person ?? "";

  const [statusDraft, setStatusDraft] = useState(status);
  const [personDraft, setPersonDraft] = useState(person);
  const [page, setPage] = useState<Page<CaseSummary> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    setStatusDraft(status);
    setPersonDraft(person);
  }, [status, person]);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    api<Page<CaseSummary>>(
      "/cases" +
        query({
          limit: PAGE_SIZE,
          offset,
          status,
          person: person.trim(),
          coordinated_by: view === "mina" ? "me" : undefined,
        }),
      { signal: controller.signal },
    )
      .then((answer) => {
        setPage(answer);
        setLoading(false);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setError(err instanceof ApiError ? err.message : "Ärendena kunde inte hämtas.");
        setPage(null);
        setLoading(false);
      });
    return () => controller.abort();
  }, [view, status, person, offset]);

  function searchFor(next: { vy?: View; status?: string; fran?: number }) {
    const search = new URLSearchParams();
    const nextView = next.vy ?? view;
    const nextStatus = next.status ?? status;
    if (nextView === "mina") search.set("vy", "mina");
    if (nextStatus) search.set("status", nextStatus);
    if (next.fran) search.set("fran", String(next.fran));
    const text = search.toString();
    return text ? `?${text}` : "";
  }

  function filter(event: FormEvent) {
    event.preventDefault();
    navigate({ search: searchFor({ status: statusDraft, fran: 0 }) }, { state: { person: personDraft.trim() } });
  }

  const heading = VIEWS.find((v) => v.value === view)!.label;
  const total = page?.total ?? 0;
  const shownFrom = total === 0 ? 0 : offset + 1;
  const shownTo = Math.min(offset + PAGE_SIZE, total);
  const now = new Date();

  return (
    <section aria-labelledby="arendelista">
      <nav aria-label="Vilka ärenden" className="view-switch">
        <ul>
          {VIEWS.map((v) => (
            <li key={v.value}>
              <Link
                to={{ search: searchFor({ vy: v.value, fran: 0 }) }}
                state={{ person }}
                aria-current={v.value === view ? "page" : undefined}
              >
                {v.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <h2 id="arendelista">{heading}</h2>

      <form className="filters" onSubmit={filter} aria-label="Filtrera ärenden">
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" value={statusDraft} onChange={(e) => setStatusDraft(e.target.value)}>
            {STATUSES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-person">Personens namn</label>
          <input
            id="filter-person"
            type="search"
            autoComplete="off"
            value={personDraft}
            onChange={(e) => setPersonDraft(e.target.value)}
          />
        </div>
        <button type="submit">Filtrera</button>
      </form>

      <p role="status" className="list-count">
        {loading
          ? "Hämtar ärenden …"
          : error
            ? ""
            : total === 0
              ? "Inga ärenden matchar urvalet."
              : `Visar ${shownFrom}–${shownTo} av ${casesText(total)}.`}
      </p>
      {error ? (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      ) : null}

      {page && page.items.length > 0 ? (
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">
              {heading}, {casesText(total)}
            </caption>
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Status</th>
                <th scope="col">Steg</th>
                <th scope="col">Nästa datum</th>
                <th scope="col">Samordningsansvarig</th>
                <th scope="col">Startad</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((item) => {
                const due = item.status === "active" ? dueState(item.next_due_at, now) : "none";
                return (
                  <tr key={item.id}>
                    <td>
                      <Link to={`/arenden/${item.id}`}>{item.person_name || "Namn saknas"}</Link>
                    </td>
                    <td>{statusText(item.status)}</td>
                    <td>{item.stage ?? ""}</td>
                    <td>
                      {formatDate(item.next_due_at)}
                      {due === "overdue" ? (
                        <>
                          {" "}
                          <span className="badge badge--overdue">Försenad</span>
                        </>
                      ) : due === "today" ? (
                        <>
                          {" "}
                          <span className="badge badge--today">I dag</span>
                        </>
                      ) : null}
                    </td>
                    <td>{coordinatorText(item.coordinator)}</td>
                    <td>{formatDate(item.created_at)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}

      {total > PAGE_SIZE ? (
        <nav aria-label="Sidor i listan" className="pager">
          {offset > 0 ? (
            <Link to={{ search: searchFor({ fran: Math.max(0, offset - PAGE_SIZE) }) }} state={{ person }}>
              Föregående sida
            </Link>
          ) : null}
          <span>
            Sida {Math.floor(offset / PAGE_SIZE) + 1} av {Math.ceil(total / PAGE_SIZE)}
          </span>
          {offset + PAGE_SIZE < total ? (
            <Link to={{ search: searchFor({ fran: offset + PAGE_SIZE }) }} state={{ person }}>
              Nästa sida
            </Link>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}

/** The cases of one person, found by personal number. The server records the search in the audit trail and
 * answers only with cases the organisation may see. */
function PersonalNumberSearch() {
  const [number, setNumber] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [results, setResults] = useState<CaseSummary[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  async function search(event: FormEvent) {
    event.preventDefault();
    const check = checkPersonalNumber(number);
    if (!check.ok) {
      setError(check.error);
      input.current?.focus();
      return;
    }
    setSearching(true);
    setFailure(null);
    setResults(null);
    try {
      const answer = await api<Page<CaseSummary>>("/cases" + query({ personal_number: check.number, limit: 25 }));
      setResults(answer.items);
    } catch (err) {
      setFailure(err instanceof ApiError ? err.message : "Sökningen gick inte att göra.");
    } finally {
      setSearching(false);
    }
  }

  return (
    <section className="card search-card" aria-labelledby="sok-personnummer">
      <h2 id="sok-personnummer">Sök på personnummer</h2>
      <form onSubmit={search} className="inline-form" noValidate>
        <PersonalNumberField
          value={number}
          onChange={(value) => {
            setNumber(value);
            setError(null);
          }}
          error={error}
          inputRef={input}
        />
        <button type="submit" disabled={searching}>
          Sök
        </button>
      </form>
      <p className="muted small">Sökningen loggas. Du ser bara ärenden som din organisation får se.</p>
      <div role="status">
        {searching ? <p>Söker …</p> : null}
        {results && results.length === 0 ? <p>Inga ärenden hittades som din organisation får se.</p> : null}
        {results && results.length > 0 ? <p>{casesText(results.length)} hittades.</p> : null}
      </div>
      {failure ? (
        <p className="alert alert--error" role="alert">
          {failure}
        </p>
      ) : null}
      {results && results.length > 0 ? (
        <ul className="search-results" aria-label="Sökträffar">
          {results.map((item) => (
            <li key={item.id}>
              <Link to={`/arenden/${item.id}`}>{item.person_name || "Namn saknas"}</Link>{" "}
              <span className="muted">
                {statusText(item.status)}, startad {formatDate(item.created_at)}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
