// A decision table of a region's routine, edited in the browser (dmn-js), tried with inputs on the page as the
// draft stands, checked by the deployment's checks and deployed with a comment.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { usePageTitle } from "../layout/usePageTitle";
import "./studioEditors.css";
import { DecisionTrial, type TrialRequest } from "./DecisionTrial";
import { DeployPanel } from "./DeployPanel";
import type { DmnEditorHandle } from "./DmnTableEditor";
import { readDecisions, trialInputs, type DecisionInfo } from "./dmnModel";
import { regionLabel } from "./forms";
import {
  decisionFilePath,
  deployedAs,
  evaluateDraft,
  readDeployedFile,
  studioRegionPath,
  type DeployedFile,
} from "./studioApi";
import { LoadState, useStudioLoad } from "./useStudioLoad";
import { useUnsavedWarning } from "./useUnsavedWarning";

const DmnTableEditor = lazy(() => import("./DmnTableEditor"));


export default function DecisionEditorPage() {
  const { region = "", "*": rest = "" } = useParams();
  const path = decisionFilePath(rest);
  return <DecisionEditor key={`${region}/${path}`} region={region} path={path} />;
}

function fileName(path: string): string {
  return path.split("/").pop() || path;
}

function DecisionEditor({ region, path }: { region: string; path: string }) {
  const { load, retry, setValue } = useStudioLoad<DeployedFile>(
    (signal) => readDeployedFile(region, path, signal),
    "Tabellen kunde inte hämtas.",
  );

  const firstName = useMemo(
    () => (load.state === "ready" ? readDecisions(load.value.content)[0]?.name : undefined),
    [load],
  );
  usePageTitle(
    load.state === "ready"
      ? `${firstName || fileName(path)} – beslutstabell`
      : load.state === "missing"
        ? "Tabellen finns inte"
        : "Beslutstabell",
  );

  const back = (
    <p className="breadcrumb">
      <Link to={studioRegionPath(region)}>Studio: {regionLabel(region)}</Link>
    </p>
  );
  if (load.state !== "ready") {
    return (
      <LoadState
        load={load}
        retry={retry}
        back={back}
        loading="Hämtar tabellen …"
        missingTitle="Tabellen finns inte"
        missing={`Rutinen för ${regionLabel(region)} har ingen fil ${path}.`}
        failedTitle="Tabellen kunde inte hämtas"
      />
    );
  }
  const file = load.value;
  return (
    <>
      {back}
      <h1>Beslutstabell: {firstName || fileName(path)}</h1>
      <Editor region={region} file={file} onDeployed={(version) => setValue(deployedAs(file, region, version))} />
    </>
  );
}

function Editor({
  region,
  file,
  onDeployed,
}: {
  region: string;
  file: DeployedFile;
  onDeployed: (version: number) => void;
}) {
  const handle = useRef<DmnEditorHandle | null>(null);
  const [ready, setReady] = useState(false);
  const [decisions, setDecisions] = useState<DecisionInfo[]>(() => readDecisions(file.content));
  const [active, setActive] = useState<string>(() => readDecisions(file.content)[0]?.id ?? "");
  const [edited, setEdited] = useState(false);
  const [marked, setMarked] = useState<string[]>([]);
  useUnsavedWarning(edited);
  const reread = useRef<number | undefined>(undefined);

  const saveXml = useCallback(async () => {
    if (!handle.current) throw new Error("Tabellredigeraren är inte klar än.");
    return handle.current.saveXml();
  }, []);

  const onChange = useCallback(() => {
    setEdited(true);
    window.clearTimeout(reread.current);
    reread.current = window.setTimeout(() => {
      saveXml()
        .then((xml) => setDecisions(readDecisions(xml)))
        .catch(() => undefined);
    }, 300);
  }, [saveXml]);
  useEffect(() => () => window.clearTimeout(reread.current), []);

  const decision = decisions.find((d) => d.id === active);
  const inputs = useMemo(() => trialInputs(decisions, active), [decisions, active]);

  async function evaluate(request: TrialRequest) {
    const answer = await evaluateDraft({ region, path: file.path, dmn: await saveXml(), ...request });
    return answer.result;
  }

  const own = file.source === "region";
  return (
    <>
      <p className="muted">
        Filen {file.path} i rutinen för {regionLabel(region)},{" "}
        {own ? "regionens egen" : "från basrutinen"} (version {file.routine.version}
        {file.routine.region !== region ? ` av ${regionLabel(file.routine.region)}` : ""}).{" "}
        {!own && region !== "base" && "Driftsätter du en ändring blir tabellen regionens egen."}
      </p>
      <p className="muted">
        Klicka i en cell för att ändra den. Ändringarna är ett utkast tills du driftsätter dem.
      </p>
      <div role="status">{edited && <p className="studio-draft-note">Utkastet har ändringar som inte är driftsatta.</p>}</div>
      <Suspense
        fallback={
          <p className="loading" role="status">
            Laddar tabellredigeraren …
          </p>
        }
      >
        <DmnTableEditor
          xml={file.content}
          onReady={(h) => {
            handle.current = h;
            setReady(true);
          }}
          onChange={onChange}
          onDecision={(id) => {
            setActive(id);
            setMarked([]);
          }}
          marked={marked}
        />
      </Suspense>
      {ready && (
        <>
          <DecisionTrial key={active} decision={decision} inputs={inputs} evaluate={evaluate} onRules={setMarked} />
          <DeployPanel
            region={region}
            draft={async () => [{ name: fileName(file.path), text: await saveXml(), type: "application/xml" }]}
            onDeployed={(result) => {
              setEdited(false);
              if (result.changed) onDeployed(result.version);
            }}
          />
        </>
      )}
    </>
  );
}
