// Trying the draft table on the page: a value for each variable it reads, and its result as a case would get it,
// or why it gives none (the server names the rules, which the editor marks).
import { useId, useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { isBooleanType, isNumberType, type DecisionInfo, type DecisionInput } from "./dmnModel";

type Value = string;
type Outcome =
  | { kind: "none" }
  | { kind: "busy" }
  | { kind: "result"; lines: { label: string; value: string }[] }
  | { kind: "failed"; text: string; rules: { number: number; id: string | null }[] };

export interface TrialRequest {
  decisionId: string;
  variables: Record<string, unknown>;
}

function shown(value: unknown): string {
  if (value === null || value === undefined) return "inget värde";
  if (value === true) return "ja";
  if (value === false) return "nej";
  if (Array.isArray(value)) return value.length ? value.map(shown).join(", ") : "inga";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function resultLines(decision: DecisionInfo | undefined, result: unknown): { label: string; value: string }[] {
  const labelOf = (name: string) => decision?.outputs.find((o) => o.name === name)?.label || name;
  if (Array.isArray(result)) {
    return result.map((row, index) => ({ label: `Rad ${index + 1}`, value: shown(row) }));
  }
  if (result && typeof result === "object") {
    return Object.entries(result as Record<string, unknown>).map(([name, value]) => ({ label: labelOf(name), value: shown(value) }));
  }
  return [{ label: "Resultat", value: shown(result) }];
}

function valueOf(input: DecisionInput, text: Value): unknown {
  if (text === "") return null;
  if (isBooleanType(input.typeRef)) return text === "true";
  if (isNumberType(input.typeRef)) return Number(text);
  return text;
}

/** Sets `value` at `path` (`kravet.antal_kallade` sets `antal_kallade` of the object `kravet`), as the table reads it. */
function setAt(variables: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split(".");
  let target = variables;
  for (const key of keys.slice(0, -1)) {
    const next = target[key];
    if (!next || typeof next !== "object") target[key] = {};
    target = target[key] as Record<string, unknown>;
  }
  target[keys[keys.length - 1]] = value;
}

export function DecisionTrial({
  decision,
  inputs,
  evaluate,
  onRules,
}: {
  decision: DecisionInfo | undefined;
  inputs: DecisionInput[];
  evaluate: (request: TrialRequest) => Promise<unknown>;
  /** The rules a failing try names (none after a result). */
  onRules: (ids: string[]) => void;
}) {
  const id = useId();
  const [values, setValues] = useState<Record<string, Value>>({});
  const [outcome, setOutcome] = useState<Outcome>({ kind: "none" });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!decision || outcome.kind === "busy") return;
    const variables: Record<string, unknown> = {};
    for (const input of inputs) setAt(variables, input.name, valueOf(input, values[input.name] ?? ""));
    setOutcome({ kind: "busy" });
    try {
      const result = await evaluate({ decisionId: decision.id, variables });
      setOutcome({ kind: "result", lines: resultLines(decision, result) });
      onRules([]);
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) {
        setOutcome({ kind: "failed", text: "Bara processägare för regionen kan prova utkast till dess tabeller.", rules: [] });
      } else if (err instanceof ApiError) {
        const rules = Array.isArray(err.problem.rules) ? (err.problem.rules as { number: number; id: string | null }[]) : [];
        const text = err.problem.detail || err.problem.title;
        setOutcome({ kind: "failed", text, rules });
        onRules(rules.flatMap((r) => (r.id ? [r.id] : [])));
      } else {
        setOutcome({ kind: "failed", text: "Tabellen kunde inte provas. Försök igen.", rules: [] });
      }
    }
  }

  const title = decision ? decision.name || decision.id : "";
  return (
    <section aria-labelledby={`${id}-heading`} className="studio-trial">
      <h2 id={`${id}-heading`}>Prova tabellen</h2>
      <p className="muted">
        Ge värden och se vad {title ? `tabellen ${title}` : "tabellen"} svarar med utkastet som det ser ut nu, innan
        du driftsätter. Ett tomt fält räknas som inget värde.
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="studio-trial__inputs">
          {inputs.map((input) => {
            const fieldId = `${id}-${input.name}`;
            const value = values[input.name] ?? "";
            const set = (next: string) => setValues((old) => ({ ...old, [input.name]: next }));
            return (
              <div className="field" key={input.name}>
                <label htmlFor={fieldId}>{input.label}</label>
                {isBooleanType(input.typeRef) ? (
                  <select id={fieldId} value={value} onChange={(e) => set(e.target.value)}>
                    <option value="">Inget värde</option>
                    <option value="true">Ja</option>
                    <option value="false">Nej</option>
                  </select>
                ) : (
                  <input
                    id={fieldId}
                    type={isNumberType(input.typeRef) ? "number" : "text"}
                    value={value}
                    onChange={(e) => set(e.target.value)}
                  />
                )}
              </div>
            );
          })}
        </div>
        <button type="submit" disabled={!decision || outcome.kind === "busy"}>
          Prova
        </button>
      </form>
      <div role="status" className="studio-outcome">
        {outcome.kind === "busy" && <p>Provar tabellen …</p>}
        {outcome.kind === "result" && (
          <div className="alert alert--ok">
            <p>
              <strong>Svar från {title}:</strong>
            </p>
            <dl className="studio-result">
              {outcome.lines.map((line) => (
                <div key={line.label}>
                  <dt>{line.label}</dt>
                  <dd>{line.value}</dd>
                </div>
              ))}
            </dl>
          </div>
        )}
      </div>
      {outcome.kind === "failed" && (
        <div className="alert alert--error" role="alert">
          <p>{outcome.text}</p>
          {outcome.rules.length > 0 && <p>Reglerna är markerade i tabellen.</p>}
        </div>
      )}
    </section>
  );
}
