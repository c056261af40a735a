// "Prova utkastet": the draft walked in memory by the engine, task by task, each answered by its form's first
// valid choice unless the process owner chooses another answer here; the list says which tasks come, for whom,
// when each is due, and where the routine stops. Nothing is stored.
import { useId, useState } from "react";
import { ApiError } from "../../api/client";
import { closureReasonText, formatDateTime, statusText } from "../../format";
import { problemMessage, problemPlace } from "../deployProblems";
import type { DeployProblem, DraftFile } from "../studioApi";
import { walkDraft, type Answers, type Walk, type WalkChoice, type WalkStep, type WalkStop } from "./draftWalk";

type State =
  | { kind: "none" }
  | { kind: "busy" }
  | { kind: "walked"; walk: Walk }
  | { kind: "problems"; problems: DeployProblem[] }
  | { kind: "failed"; text: string };

function whom(step: WalkStep): string {
  return step.candidate_group ? `för ${step.candidate_group}` : "för ingen särskild grupp";
}

function stopText(stop: WalkStop, names: (id: string) => string): string {
  switch (stop.kind) {
    case "ended":
      return `Rutinen slutar: ärendet blir ${statusText(stop.status).toLowerCase() || stop.status}${
        stop.reason ? ` (${closureReasonText(stop.reason)})` : ""
      }.`;
    case "waiting": {
      const parts: string[] = [];
      if (stop.messages?.length) parts.push(`meddelandet ${stop.messages.join(" eller ")}`);
      if (stop.timer_due) parts.push(`en tidpunkt: ${formatDateTime(stop.timer_due)}`);
      return `Rutinen väntar på ${parts.join(" eller ") || "något utifrån"}. Provkörningen slutar här.`;
    }
    case "incident":
      return `Ett steg misslyckades${stop.element ? ` efter ${names(stop.element)}` : ""}: ${stop.message ?? ""}`;
    case "invalid_answer":
      return `Formuläret godtar inte svaret på ${names(stop.element ?? "")}: ${(stop.errors ?? [])
        .map((e) => e.message)
        .join("; ")}`;
    case "repeats":
      return `${stop.name ?? names(stop.element ?? "")} kommer tillbaka med samma svar: välj ett annat svar för att komma vidare.`;
    case "limit":
      return `Provkörningen slutade efter ${stop.steps} uppgifter.`;
  }
}

function choiceKey(value: unknown): string {
  return JSON.stringify(value);
}

export function WalkPanel({
  region,
  draft,
  nameOf,
  select,
}: {
  region: string;
  draft: () => Promise<DraftFile[]>;
  /** The element's name when it is in the open diagram, else null. */
  nameOf: (id: string) => string | null;
  select: (id: string) => void;
}) {
  const id = useId();
  const [answers, setAnswers] = useState<Answers>({});
  const [state, setState] = useState<State>({ kind: "none" });
  const busy = state.kind === "busy";

  async function run(given: Answers) {
    setState({ kind: "busy" });
    try {
      const outcome = await walkDraft(region, await draft(), given);
      setState(outcome.kind === "walked" ? { kind: "walked", walk: outcome.walk } : outcome);
    } catch (err) {
      const text =
        err instanceof ApiError
          ? err.status === 403
            ? "Bara processägare för regionen kan prova utkast."
            : `${err.problem.title}. ${err.problem.detail ?? ""}`.trim()
          : "Provkörningen kunde inte göras. Försök igen.";
      setState({ kind: "failed", text });
    }
  }

  function choose(element: string, choice: WalkChoice, key: string) {
    const option = choice.options.find((o) => choiceKey(o.value) === key);
    if (!option) return;
    const next = { ...answers, [element]: { ...(answers[element] ?? {}), [choice.field]: option.value } };
    setAnswers(next);
    void run(next);
  }

  const names = (element: string) => nameOf(element) ?? element;
  const walk = state.kind === "walked" ? state.walk : null;
  const firstOf = new Set<string>();

  return (
    <section aria-labelledby={`${id}-heading`} className="studio-walk">
      <h2 id={`${id}-heading`}>Prova utkastet</h2>
      <p className="muted">
        Motorn kör rutinen med utkastet, utan att spara något. Varje uppgift besvaras med formulärets första giltiga
        val (ja på ja/nej-frågor, dagens datum, en provtext) eller med det svar du väljer nedan.
      </p>
      <button type="button" disabled={busy} onClick={() => void run(answers)}>
        Prova utkastet
      </button>
      {Object.keys(answers).length > 0 && (
        <button
          type="button"
          className="button button--secondary"
          disabled={busy}
          onClick={() => {
            setAnswers({});
            void run({});
          }}
        >
          Återställ svaren
        </button>
      )}
      <div role="status" className="studio-outcome">
        {busy && <p>Provkör utkastet …</p>}
        {walk && (
          <p>
            {walk.steps.length === 1 ? "1 uppgift" : `${walk.steps.length} uppgifter`} kom.{" "}
            <span className="walk-stop">{stopText(walk.stop, names)}</span>
          </p>
        )}
      </div>
      {state.kind === "problems" && (
        <div className="alert alert--error" role="alert">
          <p>
            <strong>Utkastet kan inte provas: det klarar inte driftsättningens kontroller.</strong>
          </p>
          <ul>
            {state.problems.map((problem, index) => (
              <li key={index}>
                {problemPlace(problem)}: {problemMessage(problem)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {state.kind === "failed" && (
        <p className="alert alert--error" role="alert">
          {state.text}
        </p>
      )}
      {walk && walk.steps.length > 0 && (
        <ol className="walk-steps" aria-label="Uppgifterna i provkörningen">
          {walk.steps.map((step, index) => {
            const first = !firstOf.has(step.element);
            firstOf.add(step.element);
            const inDiagram = nameOf(step.element) !== null;
            return (
              <li key={index}>
                <strong>{step.name}</strong>{" "}
                <span className="walk-step__meta">
                  {whom(step)}
                  {step.due_at ? `, senast ${formatDateTime(step.due_at)}` : ""}
                  {step.chosen ? ", med ditt svar" : ""}
                </span>
                {inDiagram && (
                  <>
                    {" "}
                    <button type="button" className="link-button" onClick={() => select(step.element)}>
                      Visa {step.name} i diagrammet
                    </button>
                  </>
                )}
                {first && step.choices.length > 0 && (
                  <details>
                    <summary>Välj svar för {step.name}</summary>
                    {step.choices.map((choice) => {
                      const controlId = `${id}-${step.element}-${choice.field}`;
                      const current = choiceKey(step.answer[choice.field]);
                      return (
                        <div className="field" key={choice.field}>
                          <label htmlFor={controlId}>{choice.title}</label>
                          <select
                            id={controlId}
                            value={current}
                            disabled={busy}
                            onChange={(e) => choose(step.element, choice, e.target.value)}
                          >
                            {!choice.options.some((o) => choiceKey(o.value) === current) && (
                              <option value={current}>(inget val)</option>
                            )}
                            {choice.options.map((option) => (
                              <option key={choiceKey(option.value)} value={choiceKey(option.value)}>
                                {option.title}
                              </option>
                            ))}
                          </select>
                        </div>
                      );
                    })}
                  </details>
                )}
              </li>
            );
          })}
        </ol>
      )}
      {walk && walk.started_processes.length > 0 && (
        <p>Rutinen startar därefter ett nytt ärende: {walk.started_processes.join(", ")}.</p>
      )}
    </section>
  );
}
