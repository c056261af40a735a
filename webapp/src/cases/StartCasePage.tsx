// Start a SIP for a person: personal number (checked as typed), name and the region whose routine it follows.
// One key per form, so a double click or a retry after a lost answer starts one case. Then straight to what the
// routine asks first.
import { useEffect, useRef, useState, type FormEvent, type MouseEvent } from "react";
import { useNavigate } from "react-router-dom";
import { api, ApiError } from "../api/client";
import type { Page, ProcessDefinition, StartedCase } from "../api/types";
import { useCurrentUser } from "../auth/CurrentUser";
import { usePageTitle } from "../layout/usePageTitle";
import { newIdempotencyKey } from "./idempotency";
import { PersonalNumberField } from "./PersonalNumberField";
import { checkPersonalNumber } from "./personalNumber";
import { regionName } from "./regions";

type Field = "personnummer" | "namn" | "region";

const FIELD_LABELS: Record<Field, string> = { personnummer: "Personnummer", namn: "Namn", region: "Region" };

function serverFieldError(field: string, message: string): [Field, string] | null {
  if (field === "person/personal_number" || field === "person") {
    if (/check digit/i.test(message)) return ["personnummer", "Personnumret har fel kontrollsiffra"];
    if (/future/i.test(message)) return ["personnummer", "Personnumrets datum har inte varit än"];
    if (/date/i.test(message)) return ["personnummer", "Personnumret har inget giltigt datum"];
    if (/written|format/i.test(message)) return ["personnummer", "Skriv personnumret som ÅÅÅÅMMDD-NNNN"];
    return ["personnummer", "Personnumret godtas inte. Kontrollera det."];
  }
  if (field === "person/name") return ["namn", "Skriv personens namn, högst 200 tecken"];
  if (field === "region") return ["region", "Välj en region"];
  return null;
}

export default function StartCasePage() {
  usePageTitle("Starta SIP");
  const me = useCurrentUser();
  const navigate = useNavigate();
  const [key, setKey] = useState(newIdempotencyKey);
  const [number, setNumber] = useState("");
  const [name, setName] = useState("");
  const [region, setRegion] = useState("");
  const [regions, setRegions] = useState<string[] | null>(null);
  const [regionsError, setRegionsError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const summary = useRef<HTMLDivElement>(null);
  const numberInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    api<Page<ProcessDefinition>>("/process-definitions?latest=true&limit=200", { signal: controller.signal })
      .then((answer) => {
        const found = [...new Set(answer.items.map((d) => d.region))].sort((a, b) =>
          a === "base" ? 1 : b === "base" ? -1 : regionName(a).localeCompare(regionName(b), "sv"),
        );
        setRegions(found);
        setRegion((current) => current || (found.includes(me.region) ? me.region : (found[0] ?? "")));
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setRegionsError(err instanceof ApiError ? err.message : "Regionerna kunde inte hämtas.");
      });
    return () => controller.abort();
  }, [me.region]);

  const errorList = (Object.entries(errors) as [Field, string][]).filter(([, message]) => message);

  function showErrors(found: Partial<Record<Field, string>>, message: string | null = null) {
    setErrors(found);
    setGeneral(message);
    // Move focus to the summary once it is on the page.
    requestAnimationFrame(() => summary.current?.focus());
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (sending) return;
    const check = checkPersonalNumber(number);
    const found: Partial<Record<Field, string>> = {};
    if (!check.ok) found.personnummer = check.error;
    if (!name.trim()) found.namn = "Skriv personens namn";
    if (!region) found.region = "Välj en region";
    if (!check.ok || Object.keys(found).length > 0) {
      showErrors(found);
      return;
    }
    setSending(true);
    setGeneral(null);
    try {
      const started = await api<StartedCase>("/cases", {
        method: "POST",
        headers: { "Idempotency-Key": key },
        body: { region, person: { personal_number: check.number, name: name.trim() }, variables: {} },
      });
      const first = started.open_tasks[0];
      if (first) navigate(`/uppgifter/${first.id}`, { state: { notice: `SIP:en för ${name.trim()} är startad.` } });
      else navigate(`/arenden/${started.id}`, { state: { notice: "SIP:en är startad." } });
    } catch (err) {
      setSending(false);
      if (!(err instanceof ApiError)) {
        showErrors({}, "SIP:en kunde inte startas.");
        return;
      }
      // An answer that refused the request started nothing: the next try is a new request. Without an answer
      // (no connection) the same key makes a retry safe.
      if (err.status !== 0) setKey(newIdempotencyKey());
      const fields: Partial<Record<Field, string>> = {};
      for (const item of err.problem.errors ?? []) {
        const mapped = serverFieldError(item.field, item.message);
        if (mapped) fields[mapped[0]] = mapped[1];
      }
      if (err.status === 404) fields.region = "Det finns ingen rutin för regionen";
      const unmapped = Object.keys(fields).length === 0;
      showErrors(
        fields,
        err.status === 422
          ? "Rutinen stötte på ett fel i sina första steg. SIP:en startades inte. Kontakta den som förvaltar rutinen."
          : unmapped
            ? `SIP:en kunde inte startas. ${err.problem.title}${err.problem.detail && err.status === 0 ? `: ${err.problem.detail}` : ""}`
            : null,
      );
    }
  }

  return (
    <>
      <h1>Starta SIP</h1>
      <p className="lead">
        Starta en samordnad individuell plan när den enskilde behöver insatser från både socialtjänst och hälso- och
        sjukvård. Rutinen frågar sedan efter behovet och samtycket.
      </p>

      {errorList.length > 0 || general ? (
        <div className="alert alert--error error-summary" tabIndex={-1} ref={summary}>
          <h2>Det gick inte att starta SIP:en</h2>
          {general ? <p>{general}</p> : null}
          {errorList.length > 0 ? (
            <ul>
              {errorList.map(([field, message]) => (
                <li key={field}>
                  <a href={`#start-${field}`} onClick={(e) => focusField(e, field)}>
                    {FIELD_LABELS[field]}: {message}
                  </a>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}

      <form className="card form" onSubmit={submit} noValidate aria-labelledby="start-form-heading">
        <h2 id="start-form-heading">Den enskilde</h2>
        <div id="start-personnummer">
          <PersonalNumberField
            value={number}
            onChange={(value) => {
              setNumber(value);
              setErrors((e) => ({ ...e, personnummer: undefined }));
            }}
            error={errors.personnummer}
            required
            inputRef={numberInput}
          />
        </div>
        <div className="field">
          <label htmlFor="start-namn">
            Namn<span className="visually-hidden"> (obligatoriskt)</span>
          </label>
          <p className="field__hint" id="start-namn-hint">
            För- och efternamn
          </p>
          {errors.namn ? (
            <p className="field__error" id="start-namn-error">
              <span className="visually-hidden">Fel: </span>
              {errors.namn}
            </p>
          ) : null}
          <input
            id="start-namn"
            type="text"
            autoComplete="off"
            required
            maxLength={200}
            value={name}
            aria-invalid={errors.namn ? true : undefined}
            aria-describedby={errors.namn ? "start-namn-hint start-namn-error" : "start-namn-hint"}
            onChange={(e) => {
              setName(e.target.value);
              setErrors((prev) => ({ ...prev, namn: undefined }));
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="start-region">Region</label>
          <p className="field__hint" id="start-region-hint">
            Rutinen som ärendet följer
          </p>
          {errors.region ? (
            <p className="field__error" id="start-region-error">
              <span className="visually-hidden">Fel: </span>
              {errors.region}
            </p>
          ) : null}
          {regionsError ? (
            <p className="alert alert--error" role="alert">
              {regionsError}
            </p>
          ) : null}
          <select
            id="start-region"
            value={region}
            disabled={regions === null}
            aria-invalid={errors.region ? true : undefined}
            aria-describedby={errors.region ? "start-region-hint start-region-error" : "start-region-hint"}
            onChange={(e) => {
              setRegion(e.target.value);
              setErrors((prev) => ({ ...prev, region: undefined }));
            }}
          >
            {regions === null ? <option value="">Hämtar regioner …</option> : null}
            {(regions ?? []).map((r) => (
              <option key={r} value={r}>
                {regionName(r)}
              </option>
            ))}
          </select>
        </div>
        <div className="form__actions">
          <button type="submit" aria-disabled={sending || undefined}>
            {sending ? "Startar …" : "Starta SIP"}
          </button>
        </div>
        <p className="visually-hidden" role="status">
          {sending ? "Startar SIP:en …" : ""}
        </p>
      </form>
    </>
  );

  function focusField(event: MouseEvent, field: Field) {
    event.preventDefault();
    if (field === "personnummer") numberInput.current?.focus();
    else document.getElementById(`start-${field}`)?.focus();
  }
}
