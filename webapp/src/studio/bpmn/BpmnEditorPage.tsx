// A diagram of a region's routine, edited in the browser (/studio/<region>/bpmn/<file path>): the deployed file
// opened in the bpmn-js modeler, checked by the deployment's checks while it is edited (problems marked on the
// elements they concern and listed with a way to each), tried in a walk of the draft, and deployed with a comment.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { ApiError } from "../../api/client";
import { useCurrentUser } from "../../auth/CurrentUser";
import { usePageTitle } from "../../layout/usePageTitle";
import { DeployPanel } from "../DeployPanel";
import { problemMessage, problemsCount } from "../deployProblems";
import { regionLabel } from "../forms";
import {
  deployDraft,
  readDeployedFile,
  readRoutineCatalog,
  studioRegionPath,
  type DeployedFile,
  type DeployProblem,
  type DraftFile,
  type RoutineCatalog,
} from "../studioApi";
import type { ModelerHandle } from "./DiagramModeler";
import { WalkPanel } from "./WalkPanel";

const DiagramModeler = lazy(() => import("./DiagramModeler"));

/** How long editing pauses before the draft is checked. */
const CHECK_DELAY_MS = 900;

type Load = { state: "loading" } | { state: "failed"; text: string } | { state: "ready"; file: DeployedFile };

type Checks =
  | { state: "none" }
  | { state: "checking" }
  | { state: "checked"; problems: DeployProblem[] }
  | { state: "failed"; text: string };

/** The diagram's path in the set from what follows `/bpmn/` in the address: the folder may be left out. */
export function diagramFilePath(rest: string): string {
  const path = rest.replace(/^\/+/, "");
  return path.startsWith("bpmn/") ? path : `bpmn/${path}`;
}

function loadText(err: unknown): string {
  if (err instanceof ApiError && err.status === 404) return "Regionens rutin har inget sådant diagram.";
  if (err instanceof ApiError) return `${err.problem.title}. ${err.problem.detail ?? ""}`.trim();
  return "Diagrammet kunde inte hämtas. Försök igen.";
}

export default function BpmnEditorPage() {
  const params = useParams();
  const region = params.region ?? "";
  const path = diagramFilePath(params["*"] ?? "");
  const fileName = path.split("/").pop() ?? path;
  usePageTitle(`Ändra diagrammet ${fileName}`);
  const me = useCurrentUser();
  // The deployment's checks and the walk are the region's process owners' (the API answers others 403).
  const owner = me.roles.includes("process_owner") && me.region === region;
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [editorError, setEditorError] = useState<string | null>(null);
  const [checks, setChecks] = useState<Checks>({ state: "none" });
  const [, setReady] = useState(false);
  const [changed, setChanged] = useState(false);
  const handle = useRef<ModelerHandle | null>(null);
  const timer = useRef<number | undefined>(undefined);
  const sequence = useRef(0);

  useEffect(() => {
    const controller = new AbortController();
    setLoad({ state: "loading" });
    handle.current = null;
    setChecks({ state: "none" });
    readDeployedFile(region, path, controller.signal)
      .then((file) => setLoad({ state: "ready", file }))
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setLoad({ state: "failed", text: loadText(err) });
      });
    return () => controller.abort();
  }, [region, path]);

  useEffect(() => () => window.clearTimeout(timer.current), []);

  // What the region's routine has for the panel to offer (forms, decisions, groups, messages): studio users only.
  const studio = me.roles.includes("process_owner") || me.roles.includes("admin");
  const [catalog, setCatalog] = useState<RoutineCatalog | null>(null);
  useEffect(() => {
    if (!studio) return;
    const controller = new AbortController();
    readRoutineCatalog(region, controller.signal)
      .then(setCatalog)
      .catch(() => setCatalog(null));
    return () => controller.abort();
  }, [region, studio]);

  // Changes not deployed are lost when the page is left: the browser asks first.
  useEffect(() => {
    if (!changed) return;
    const ask = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", ask);
    return () => window.removeEventListener("beforeunload", ask);
  }, [changed]);

  // Deployed: the page shows the file as the region now runs it (its own, in the new version).
  const onDeployed = useCallback(() => {
    setChanged(false);
    readDeployedFile(region, path)
      .then((file) =>
        // The modeler keeps what is open in it: the deployed text is what it saved.
        setLoad((now) => (now.state === "ready" ? { state: "ready", file: { ...file, content: now.file.content } } : now)),
      )
      .catch(() => undefined);
  }, [region, path]);

  const draft = useCallback(async (): Promise<DraftFile[]> => {
    if (!handle.current) throw new Error("Diagrammet är inte öppnat än.");
    return [{ name: fileName, text: await handle.current.xml(), type: "application/xml" }];
  }, [fileName]);

  const check = useCallback(async () => {
    const mine = ++sequence.current;
    setChecks({ state: "checking" });
    try {
      const result = await deployDraft(region, await draft(), { dryRun: true });
      if (mine === sequence.current) setChecks({ state: "checked", problems: result.problems });
    } catch (err) {
      if (mine !== sequence.current) return;
      const text =
        err instanceof ApiError && err.status === 403
          ? "Bara processägare för regionen kan kontrollera utkast."
          : err instanceof ApiError
            ? `${err.problem.title}. ${err.problem.detail ?? ""}`.trim()
            : "Utkastet kunde inte kontrolleras. Försök igen.";
      setChecks({ state: "failed", text });
    }
  }, [region, draft]);

  const onChange = useCallback(() => {
    setChanged(true);
    if (!owner) return;
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void check(), CHECK_DELAY_MS);
  }, [check, owner]);

  const onReady = useCallback((ready: ModelerHandle) => {
    handle.current = ready;
    setReady(true);
  }, []);

  const nameOf = useCallback((id: string) => handle.current?.nameOf(id) ?? null, []);
  const select = useCallback((id: string) => {
    handle.current?.select(id);
  }, []);

  const problems = useMemo(() => (checks.state === "checked" ? checks.problems : []), [checks]);
  const ownProblems = useMemo(() => problems.filter((p) => p.file === path), [problems, path]);

  return (
    <>
      <p>
        <Link to={studioRegionPath(region)}>Tillbaka till rutinen för {regionLabel(region)}</Link>
      </p>
      <h1>Ändra diagrammet {fileName}</h1>
      {load.state === "loading" && (
        <p role="status" className="loading">
          Hämtar diagrammet …
        </p>
      )}
      {load.state === "failed" && (
        <p className="alert alert--error" role="alert">
          {load.text}
        </p>
      )}
      {load.state === "ready" && (
        <>
          <p className="lead">
            {load.file.source === "region"
              ? `Regionens egen version av diagrammet`
              : `Grundrutinens diagram, som ${regionLabel(region)} följer`}{" "}
            (rutinens version {load.file.routine.version}). Dra element för att flytta dem och välj ett element för
            att ändra det som motorn läser: formulär (också personens), vem uppgiften är för, när den ska vara klar,
            instruktioner, anropad beslutstabell eller process, meddelanden, aviseringar och skript. Utkastet kontrolleras medan du ändrar; ingenting sparas
            förrän du driftsätter.
          </p>
          {editorError && (
            <p className="alert alert--error" role="alert">
              {editorError}
            </p>
          )}
          <Suspense
            fallback={
              <p className="loading" role="status">
                Laddar redigeraren …
              </p>
            }
          >
            <DiagramModeler
              xml={load.file.content}
              problems={ownProblems}
              catalog={catalog}
              onChange={onChange}
              onReady={onReady}
              onFailure={setEditorError}
            />
          </Suspense>
          <section aria-labelledby="studio-checks-heading" className="studio-checks">
            <h2 id="studio-checks-heading">Kontroller av utkastet</h2>
            <div role="status">
              {!owner && (
                <p className="muted">
                  Driftsättningens kontroller körs för processägare för {regionLabel(region)}. Du kan ändra och titta,
                  men inte kontrollera, prova eller driftsätta.
                </p>
              )}
              {owner && checks.state === "none" && (
                <p className="muted">Utkastet kontrolleras när du ändrar något.</p>
              )}
              {checks.state === "checking" && <p>Kontrollerar utkastet …</p>}
              {checks.state === "checked" && problems.length === 0 && (
                <p className="alert alert--ok">Utkastet klarar driftsättningens kontroller.</p>
              )}
              {checks.state === "checked" && problems.length > 0 && (
                <p className="alert alert--error">
                  Utkastet har {problemsCount(problems.length)}. Det kan inte driftsättas förrän de är åtgärdade.
                </p>
              )}
            </div>
            {checks.state === "failed" && (
              <p className="alert alert--error" role="alert">
                {checks.text}
              </p>
            )}
            {problems.length > 0 && (
              <ul className="studio-checks__list" aria-label="Problem i utkastet">
                {problems.map((problem, index) => {
                  const here = problem.file === path && problem.element ? nameOf(problem.element) : null;
                  return (
                    <li key={index}>
                      {here && problem.element ? (
                        <button type="button" className="link-button" onClick={() => select(problem.element!)}>
                          {here}
                        </button>
                      ) : (
                        <span>
                          {problem.file ?? "Rutinen"}
                          {problem.element ? `, ${problem.element}` : ""}
                        </span>
                      )}
                      {problem.line ? ` (rad ${problem.line})` : ""}: {problemMessage(problem)}
                    </li>
                  );
                })}
              </ul>
            )}
          </section>
          {owner && <WalkPanel region={region} draft={draft} nameOf={nameOf} select={select} />}
          <DeployPanel region={region} draft={draft} onDeployed={onDeployed} />
        </>
      )}
    </>
  );
}
