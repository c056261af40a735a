// The signed-in user's notification settings: the e-mail address notifications go to, and per kind of event
// whether to be told at once, in a daily digest, or not at all.
import { type FormEvent, useEffect, useRef, useState } from "react";
import { api, ApiError } from "../api/client";
import { usePageTitle } from "../layout/usePageTitle";

type Choice = "immediately" | "daily" | "never";

interface NotificationSettings {
  email: string | null;
  preferences: Record<string, Choice>;
  kinds: { kind: string; title: string }[];
}

const CHOICES: { value: Choice; label: string }[] = [
  { value: "immediately", label: "Varje händelse, direkt" },
  { value: "daily", label: "En sammanfattning varje morgon" },
  { value: "never", label: "Inget" },
];

export default function NotificationSettingsPage() {
  usePageTitle("Inställningar");
  const [settings, setSettings] = useState<NotificationSettings | null>(null);
  const [email, setEmail] = useState("");
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    api<NotificationSettings>("/me/notifications", { signal: controller.signal })
      .then((found) => {
        setSettings(found);
        setEmail(found.email ?? "");
        setChoices(found.preferences);
      })
      .catch((err) => {
        if (err instanceof DOMException && err.name === "AbortError") return;
        setGeneral(err instanceof ApiError ? err.message : "Inställningarna kunde inte hämtas.");
      });
    return () => controller.abort();
  }, []);

  useEffect(() => {
    if (Object.keys(errors).length > 0 || general) summary.current?.focus();
  }, [errors, general]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (saving) return;
    setSaving(true);
    setSaved(false);
    setErrors({});
    setGeneral(null);
    try {
      const stored = await api<NotificationSettings>("/me/notifications", {
        method: "PUT",
        body: { email: email.trim(), preferences: choices },
      });
      setSettings(stored);
      setEmail(stored.email ?? "");
      setChoices(stored.preferences);
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError && err.problem.errors?.length) {
        setErrors(Object.fromEntries(err.problem.errors.map((e) => [e.field, e.message])));
      } else {
        setGeneral(err instanceof ApiError ? err.message : "Inställningarna kunde inte sparas.");
      }
    } finally {
      setSaving(false);
    }
  }

  const labelOf = (field: string) =>
    field === "email"
      ? "E-postadress"
      : (settings?.kinds.find((k) => `preferences/${k.kind}` === field)?.title ?? field);
  const errorList = Object.entries(errors);

  return (
    <>
      <h1>Inställningar</h1>
      <p className="lead">
        Välj vad du vill få besked om och hur. Ett e-postmeddelande säger bara att det finns något att göra i en SIP
        och länkar hit; det innehåller aldrig något om den enskilde.
      </p>

      {errorList.length > 0 || general ? (
        <div className="alert alert--error error-summary" tabIndex={-1} ref={summary}>
          <h2>Inställningarna kunde inte sparas</h2>
          {general ? <p>{general}</p> : null}
          {errorList.length > 0 ? (
            <ul>
              {errorList.map(([field, message]) => (
                <li key={field}>
                  <a href={`#${fieldId(field)}`}>
                    {labelOf(field)}: {message}
                  </a>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}

      {settings === null ? (
        general ? null : (
          <p className="loading" role="status">
            Hämtar inställningarna …
          </p>
        )
      ) : (
        <form className="card form" onSubmit={submit} noValidate aria-labelledby="installningar-rubrik">
          <h2 id="installningar-rubrik">Besked om händelser</h2>
          <div className="field">
            <label htmlFor={fieldId("email")}>E-postadress</label>
            <p className="field__hint" id="installningar-email-hint">
              Dit skickas beskeden. Lämna tomt för att inte få e-post.
            </p>
            {errors.email ? (
              <p className="field__error" id="installningar-email-error">
                <span className="visually-hidden">Fel: </span>
                {errors.email}
              </p>
            ) : null}
            <input
              id={fieldId("email")}
              type="email"
              autoComplete="email"
              maxLength={320}
              value={email}
              aria-invalid={errors.email ? true : undefined}
              aria-describedby={
                errors.email ? "installningar-email-hint installningar-email-error" : "installningar-email-hint"
              }
              onChange={(e) => {
                setEmail(e.target.value);
                setSaved(false);
              }}
            />
          </div>
          {settings.kinds.map(({ kind, title }) => {
            const field = `preferences/${kind}`;
            return (
              <div className="field" key={kind}>
                <label htmlFor={fieldId(field)}>{title}</label>
                {errors[field] ? (
                  <p className="field__error" id={`${fieldId(field)}-error`}>
                    <span className="visually-hidden">Fel: </span>
                    {errors[field]}
                  </p>
                ) : null}
                <select
                  id={fieldId(field)}
                  value={choices[kind] ?? "immediately"}
                  aria-invalid={errors[field] ? true : undefined}
                  aria-describedby={errors[field] ? `${fieldId(field)}-error` : undefined}
                  onChange={(e) => {
                    setChoices((current) => ({ ...current, [kind]: e.target.value as Choice }));
                    setSaved(false);
                  }}
                >
                  {CHOICES.map((choice) => (
                    <option key={choice.value} value={choice.value}>
                      {choice.label}
                    </option>
                  ))}
                </select>
              </div>
            );
          })}
          <div className="form__actions">
            <button type="submit" aria-disabled={saving || undefined}>
              {saving ? "Sparar …" : "Spara"}
            </button>
          </div>
          <p className={saved ? "alert alert--ok" : "visually-hidden"} role="status">
            {saving ? "Sparar inställningarna …" : saved ? "Inställningarna är sparade." : ""}
          </p>
        </form>
      )}
    </>
  );
}

function fieldId(field: string): string {
  return `installningar-${field.replace(/[^a-z_]/gi, "-")}`;
}
