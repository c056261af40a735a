// Events reported to the case from outside a task (consent withdrawn, meeting cancelled, a follow-up asked
// for): the ones the case waits for now, each behind a confirmation that says what will happen.
import { useEffect, useId, useRef, useState } from "react";
import { api, ApiError } from "../api/client";
import type { AvailableMessage, CaseDetail } from "../api/types";
import { closureReasonText, statusText } from "../format";
import { newIdempotencyKey } from "./idempotency";

interface Props {
  caseId: string;
  messages: AvailableMessage[];
  /** Reloads the case. */
  onDone: () => Promise<void>;
  announce: (text: string) => void;
}

export function MessageActions({ caseId, messages, onDone, announce }: Props) {
  const [chosen, setChosen] = useState<AvailableMessage | null>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  return (
    <section aria-labelledby="handelser-rubrik" className="card actions">
      <h2 id="handelser-rubrik">Händelser i ärendet</h2>
      <p className="muted">Det som händer utanför uppgifterna. Du får bekräfta innan något ändras.</p>
      <ul className="action-list">
        {messages.map((message) => (
          <li key={message.name}>
            <button
              type="button"
              className="button--secondary"
              onClick={(event) => {
                opener.current = event.currentTarget;
                setChosen(message);
              }}
            >
              {message.title}
            </button>
          </li>
        ))}
      </ul>
      {chosen ? (
        <ConfirmMessage
          caseId={caseId}
          message={chosen}
          onClose={(result, changed) => {
            setChosen(null);
            if (result) announce(result);
            else opener.current?.focus();
            // The case as it stands now: the events it waits for may have changed.
            if (changed) void onDone().catch(() => undefined);
          }}
        />
      ) : null}
    </section>
  );
}

function ConfirmMessage({
  caseId,
  message,
  onClose,
}: {
  caseId: string;
  message: AvailableMessage;
  /** `result` says what happened when the message was delivered; `changed` when the page should reload. */
  onClose: (result: string | null, changed: boolean) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const id = useId();
  // One key per confirmation: a retry after a lost answer is the same request.
  const [key] = useState(newIdempotencyKey);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The reason the routine keeps with the message, where its diagram asks for one.
  const reason = message.reason ?? null;
  const [reasonText, setReasonText] = useState("");
  const [reasonError, setReasonError] = useState<string | null>(null);
  const reasonInput = useRef<HTMLTextAreaElement>(null);
  const result = useRef<string | null>(null);
  const changed = useRef(false);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    cancel.current?.focus();
  }, []);

  async function confirm() {
    if (sending) return;
    const given = reasonText.trim();
    if (reason?.required && !given) {
      setReasonError(`Fyll i ”${reason.label}”`);
      reasonInput.current?.focus();
      return;
    }
    setSending(true);
    setError(null);
    setReasonError(null);
    try {
      const answer = await api<CaseDetail>(
        `/cases/${encodeURIComponent(caseId)}/messages/${encodeURIComponent(message.name)}`,
        {
          method: "POST",
          headers: { "Idempotency-Key": key },
          body: reason && given ? { payload: { [reason.field]: given } } : {},
        },
      );
      const ended = answer.status !== "active";
      result.current =
        `”${message.title}” är registrerat.` +
        (ended
          ? ` Ärendet är nu ${statusText(answer.status).toLowerCase()}${answer.closure_reason ? `: ${closureReasonText(answer.closure_reason)}` : ""}.`
          : answer.open_tasks.length > 0
            ? ` Nästa steg: ${answer.open_tasks.map((t) => t.title).join(", ")}.`
            : "");
      changed.current = true;
      dialog.current?.close();
    } catch (err) {
      setSending(false);
      if (err instanceof ApiError && err.status === 409) {
        setError(`Ärendet väntar inte på ”${message.title}” just nu. Ingenting ändrades.`);
        changed.current = true;
      } else if (err instanceof ApiError && err.status === 403) {
        setError("Din organisation får inte registrera den här händelsen i ärendet.");
      } else if (err instanceof ApiError && err.status === 422 && reason) {
        const atReason = err.problem.errors?.find((e) => e.field === `payload/${reason.field}`);
        if (atReason) {
          setReasonError(atReason.message);
          reasonInput.current?.focus();
        } else {
          setError(`${err.problem.title}. ${err.problem.detail ?? ""}`);
        }
      } else if (err instanceof ApiError && err.status === 404) {
        setError("Händelsen finns inte i ärendets rutin, eller så får din organisation inte se ärendet.");
      } else {
        setError(err instanceof ApiError ? `${err.problem.title}. ${err.problem.detail ?? ""}` : "Något gick fel.");
      }
    }
  }

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-text`}
      onClose={() => onClose(result.current, changed.current)}
    >
      <h2 id={`${id}-title`}>{message.title}</h2>
      <p id={`${id}-text`}>
        {message.description || "Händelsen registreras i ärendet, och rutinen går vidare därifrån."}
      </p>
      {reason ? (
        <div className="field">
          <label htmlFor={`${id}-reason`}>
            {reason.label}
            {reason.required ? " (obligatoriskt)" : ""}
          </label>
          <textarea
            id={`${id}-reason`}
            ref={reasonInput}
            rows={3}
            value={reasonText}
            required={reason.required}
            aria-invalid={reasonError ? true : undefined}
            aria-describedby={reasonError ? `${id}-reason-error` : undefined}
            onChange={(event) => setReasonText(event.target.value)}
          />
          {reasonError ? (
            <p id={`${id}-reason-error`} className="field-error" role="alert">
              {reasonError}
            </p>
          ) : null}
        </div>
      ) : null}
      {error ? (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="dialog__actions">
        <button type="button" onClick={() => void confirm()} aria-disabled={sending || undefined}>
          {sending ? "Skickar …" : "Bekräfta"}
        </button>
        <button type="button" className="button--secondary" ref={cancel} onClick={() => dialog.current?.close()}>
          Avbryt
        </button>
      </div>
    </dialog>
  );
}
