// Checking and deploying a draft from a studio editor: the deployment's checks run on the draft beside the
// region's other files (a dry run, nothing stored), and a deployment says why in a comment. Running cases keep
// their version; new cases start on the deployed one.
import { useId, useState } from "react";
import { ApiError } from "../api/client";
import { useCurrentUser } from "../auth/CurrentUser";
import { problemMessage, problemPlace, problemsCount } from "./deployProblems";
import { regionLabel } from "./forms";
import { deployDraft, type DeployResult, type DraftFile } from "./studioApi";

type Outcome =
  | { kind: "none" }
  | { kind: "busy"; what: string }
  | { kind: "checked"; result: DeployResult }
  | { kind: "deployed"; result: DeployResult }
  | { kind: "failed"; text: string };

function failureText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 403) return "Du får inte driftsätta i den här regionen: det kräver att du är processägare för den.";
    return err.problem.detail ? `${err.problem.title}. ${err.problem.detail}` : err.problem.title;
  }
  if (err instanceof Error) return err.message;
  return "Något gick fel. Försök igen.";
}

export function DeployPanel({
  region,
  draft,
  onDeployed,
}: {
  region: string;
  /** The draft's files as they are now, or an error text saying why there is nothing to send. */
  draft: () => Promise<DraftFile[]>;
  onDeployed?: (result: DeployResult) => void;
}) {
  const me = useCurrentUser();
  const id = useId();
  const [comment, setComment] = useState("");
  const [commentError, setCommentError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome>({ kind: "none" });
  const mayDeploy = me.roles.includes("process_owner") && me.region === region;
  const busy = outcome.kind === "busy";

  async function run(dryRun: boolean) {
    if (busy) return;
    if (!dryRun && !comment.trim()) {
      setCommentError("Skriv en kommentar om vad du ändrar och varför.");
      document.getElementById(`${id}-comment`)?.focus();
      return;
    }
    setCommentError(null);
    setOutcome({ kind: "busy", what: dryRun ? "Kontrollerar utkastet …" : "Driftsätter …" });
    try {
      const files = await draft();
      const result = await deployDraft(region, files, { dryRun, comment: comment.trim() || undefined });
      if (dryRun || !result.valid) setOutcome({ kind: "checked", result });
      else {
        setOutcome({ kind: "deployed", result });
        setComment("");
        onDeployed?.(result);
      }
    } catch (err) {
      setOutcome({ kind: "failed", text: failureText(err) });
    }
  }

  return (
    <section aria-labelledby={`${id}-heading`} className="studio-deploy">
      <h2 id={`${id}-heading`}>Kontrollera och driftsätt</h2>
      <p className="muted">
        Utkastet kontrolleras tillsammans med de övriga filerna i rutinen för {regionLabel(region)}, som vid en
        driftsättning. Pågående ärenden behåller sin version; nya ärenden får den driftsatta.
      </p>
      {!mayDeploy && (
        <p className="alert alert--warning">
          Bara processägare för {regionLabel(region)} kan kontrollera och driftsätta ändringar här.
        </p>
      )}
      <div className="field">
        <label htmlFor={`${id}-comment`}>Kommentar till driftsättningen</label>
        <p id={`${id}-comment-help`} className="help-block">
          Vad ändras och varför? Kommentaren visas i versionshistoriken.
        </p>
        {commentError && (
          <p id={`${id}-comment-error`} className="field-error">
            {commentError}
          </p>
        )}
        <textarea
          id={`${id}-comment`}
          rows={3}
          value={comment}
          maxLength={2000}
          aria-invalid={commentError ? true : undefined}
          aria-describedby={`${id}-comment-help${commentError ? ` ${id}-comment-error` : ""}`}
          onChange={(e) => setComment(e.target.value)}
        />
      </div>
      <div className="form-actions">
        <button
          type="button"
          className="button button--secondary"
          disabled={busy || !mayDeploy}
          onClick={() => void run(true)}
        >
          Kontrollera utkastet
        </button>
        <button type="button" disabled={busy || !mayDeploy} onClick={() => void run(false)}>
          Driftsätt
        </button>
      </div>
      <div role="status" className="studio-outcome">
        {outcome.kind === "busy" && <p>{outcome.what}</p>}
        {outcome.kind === "checked" && outcome.result.valid && (
          <p className="alert alert--ok">
            Utkastet klarar driftsättningens kontroller.{" "}
            {outcome.result.changed
              ? `Driftsatt blir det version ${outcome.result.version}.`
              : "Det är samma innehåll som den driftsatta versionen."}
          </p>
        )}
        {outcome.kind === "deployed" && (
          <p className="alert alert--ok">
            {outcome.result.changed
              ? `Driftsatt som version ${outcome.result.version} för ${regionLabel(region)}. Nya ärenden använder den; pågående ärenden behåller sin version.`
              : `Innehållet är detsamma som version ${outcome.result.version}: ingen ny version behövdes.`}
          </p>
        )}
      </div>
      {outcome.kind === "checked" && !outcome.result.valid && (
        <div className="alert alert--error" role="alert">
          <p>
            <strong>
              {outcome.result.dry_run ? "Utkastet klarar inte" : "Driftsättningen stoppades av"} driftsättningens
              kontroller: {problemsCount(outcome.result.problems.length)}.
            </strong>{" "}
            Ingenting har sparats.
          </p>
          <ul>
            {outcome.result.problems.map((problem, index) => (
              <li key={index}>
                {problemPlace(problem)}: {problemMessage(problem)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {outcome.kind === "failed" && (
        <p className="alert alert--error" role="alert">
          {outcome.text}
        </p>
      )}
    </section>
  );
}
