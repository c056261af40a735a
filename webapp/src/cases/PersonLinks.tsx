// The coordinator sends the person (or a guardian of a child) a one-time link to their own plan (/min-plan):
// the link is shown here once, to be given to them, e.g. in a text message.
import { useId, useRef, useState } from "react";
import { api, ApiError } from "../api/client";
import type { PlanRelative } from "../api/types";
import { formatDateTime } from "../format";

interface MadeLink {
  url: string;
  role: "person" | "guardian";
  guardian_name: string | null;
  expires_at: string;
}

interface Props {
  caseId: string;
  personName: string | null;
  relatives: PlanRelative[];
}

export function PersonLinks({ caseId, personName, relatives }: Props) {
  const id = useId();
  const [made, setMade] = useState<MadeLink | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  const guardians = relatives.filter((r) => r.guardian);

  async function make(guardian: string | null) {
    if (busy) return;
    setBusy(true);
    setError(null);
    setCopied(false);
    try {
      const link = await api<MadeLink>(`/cases/${encodeURIComponent(caseId)}/person-links`, {
        method: "POST",
        body: guardian ? { role: "guardian", guardian_name: guardian } : { role: "person" },
      });
      setMade(link);
      requestAnimationFrame(() => field.current?.select());
    } catch (err) {
      setMade(null);
      if (err instanceof ApiError && err.status === 403) {
        setError("Bara den samordningsansvariga verksamheten kan skicka en länk till personen.");
      } else if (err instanceof ApiError && err.status === 409) {
        setError("Ärendet är avslutat. Ingen ny länk kan skickas.");
      } else {
        setError(err instanceof ApiError ? `${err.problem.title}. ${err.problem.detail ?? ""}` : "Något gick fel.");
      }
    } finally {
      setBusy(false);
    }
  }

  async function copy() {
    if (!made) return;
    try {
      await navigator.clipboard.writeText(made.url);
      setCopied(true);
    } catch {
      field.current?.select();
    }
  }

  const whom = made?.role === "guardian" ? `vårdnadshavaren ${made.guardian_name ?? ""}` : (personName ?? "personen");
  return (
    <section aria-labelledby={`${id}-rubrik`} className="card">
      <h2 id={`${id}-rubrik`}>Min plan för personen</h2>
      <p className="muted">
        Personen kan själv läsa sin plan i lättläst form, se vilka som är med, ta tillbaka sitt samtycke och svara
        på SIP-kollen. Länken fungerar en gång.
      </p>
      <p className="action-list">
        <button type="button" className="button--secondary" onClick={() => void make(null)} aria-disabled={busy || undefined}>
          Skicka länk till personen
        </button>{" "}
        {guardians.map((g) => (
          <button
            key={g.name}
            type="button"
            className="button--secondary"
            onClick={() => void make(g.name)}
            aria-disabled={busy || undefined}
          >
            Skicka länk till vårdnadshavare {g.name}
          </button>
        ))}
      </p>
      <div role="status">
        {made ? (
          <div className="field">
            <label htmlFor={`${id}-lank`}>Länk till {whom}</label>
            <p className="field__hint" id={`${id}-hint`}>
              Ge länken till {whom}, till exempel i ett sms. Den fungerar en gång och gäller till{" "}
              {formatDateTime(made.expires_at)}. Länken visas bara nu.
            </p>
            <input
              id={`${id}-lank`}
              ref={field}
              type="text"
              readOnly
              value={made.url}
              aria-describedby={`${id}-hint`}
              size={60}
            />{" "}
            <button type="button" onClick={() => void copy()}>
              Kopiera länken
            </button>
            {copied ? <span> Kopierad.</span> : null}
          </div>
        ) : null}
      </div>
      {error ? (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
