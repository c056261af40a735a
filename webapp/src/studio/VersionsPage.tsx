// A region's versions, newest first: who deployed each, when and why, what it changed (file by file, and on request
// element by element), how many running cases run it and whether they can move to the newest version, and, for
// the region's own process owners, an earlier version deployed again with a comment.
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { ApiError } from "../api/client";
import { useCurrentUser } from "../auth/CurrentUser";
import { formatDateTime } from "../format";
import { usePageTitle } from "../layout/usePageTitle";
import { DiffView } from "./DiffView";
import { problemMessage } from "./deployProblems";
import { regionLabel } from "./forms";
import { NotForYou } from "./NotForYou";
import {
  countText,
  deploysTo,
  getVersionChanges,
  listVersions,
  planMigration,
  regionPath,
  restoreVersion,
  routinePath,
  usesStudio,
  type MigrationPlan,
  type Version,
  type VersionChanges,
  type VersionList,
} from "./routine";
import type { DeployProblem } from "./studioApi";
import "./studioFrame.css";

const PAGE = 20;

type Load = { state: "loading" } | { state: "failed"; text: string } | { state: "ready"; list: VersionList };

function problemText(err: unknown, fallback: string): string {
  if (err instanceof ApiError) return `${err.problem.title}. ${err.problem.detail ?? ""}`.trim();
  return fallback;
}

const SOURCES: Record<string, string> = {
  api: "driftsatt i studion eller via API:et",
  cli: "driftsatt från kommandoraden",
  init: "driftsatt vid installationen",
  restore: "en tidigare version driftsatt igen",
};

function casesText(count: number): string {
  return countText(count, "pågående ärende", "pågående ärenden");
}

export default function VersionsPage() {
  const { region = "" } = useParams();
  const me = useCurrentUser();
  usePageTitle(`Versioner i ${regionLabel(region)}`);
  if (!usesStudio(me)) return <NotForYou />;
  return <Versions key={region} region={region} mayDeploy={deploysTo(me, region)} />;
}

function Versions({ region, mayDeploy }: { region: string; mayDeploy: boolean }) {
  const [offset, setOffset] = useState(0);
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [reloads, setReloads] = useState(0);
  const [done, setDone] = useState<string | null>(null);
  const doneRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    listVersions(region, PAGE, offset, controller.signal)
      .then((list) => setLoad({ state: "ready", list }))
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        const text =
          err instanceof ApiError && (err.status === 404 || err.status === 400)
            ? "Det finns ingen sådan region."
            : problemText(err, "Versionerna kunde inte hämtas. Försök igen.");
        setLoad({ state: "failed", text });
      });
    return () => controller.abort();
  }, [region, offset, reloads]);

  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);

  const restored = useCallback((text: string) => {
    setDone(text);
    setOffset(0);
    setReloads((n) => n + 1);
  }, []);

  const list = load.state === "ready" ? load.list : null;
  const current = list?.current ?? null;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/studio">Processtudio</Link> › <Link to={regionPath(region)}>Rutinen i {regionLabel(region)}</Link>
      </p>
      <h1>Versioner i {regionLabel(region)}</h1>
      <div role="status">
        {done && (
          <div className="alert alert--ok" tabIndex={-1} ref={doneRef}>
            <p>{done}</p>
          </div>
        )}
        {load.state === "loading" && <p className="loading">Hämtar versionerna …</p>}
        {list && (
          <p>
            {current === null
              ? "Ingen version är driftsatt."
              : current.region === region
                ? `Nya ärenden startar på version ${current.version}.`
                : `Regionen har ingen egen version: nya ärenden startar på basens version ${current.version}.`}{" "}
            {casesText(list.running_cases)} i regionen. Ett pågående ärende fortsätter på sin version när en ny
            driftsätts.
          </p>
        )}
      </div>
      {load.state === "failed" && (
        <p className="alert alert--error" role="alert">
          {load.text}
        </p>
      )}
      {list && list.base_versions.length > 0 && (
        <p>
          Ärenden som startade innan regionen hade en egen version kör basens rutin:{" "}
          {list.base_versions.map((b) => `${casesText(b.running_cases)} på basens version ${b.version}`).join(", ")}.
        </p>
      )}
      {list &&
        list.items.map((version) => (
          <VersionCard
            key={version.version}
            region={region}
            version={version}
            current={current !== null && current.region === region && current.version === version.version}
            newest={current !== null && current.region === region ? current.version : null}
            mayDeploy={mayDeploy}
            onRestored={restored}
          />
        ))}
      {list && list.total > PAGE && (
        <nav className="pager" aria-label="Fler versioner">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Nyare versioner
          </button>
          <span>
            {offset + 1}–{Math.min(offset + PAGE, list.total)} av {list.total}
          </span>
          <button type="button" disabled={offset + PAGE >= list.total} onClick={() => setOffset(offset + PAGE)}>
            Äldre versioner
          </button>
        </nav>
      )}
    </>
  );
}

interface CardProps {
  region: string;
  version: Version;
  current: boolean;
  newest: number | null;
  mayDeploy: boolean;
  onRestored: (text: string) => void;
}

function VersionCard({ region, version, current, newest, mayDeploy, onRestored }: CardProps) {
  const headingId = `version-${version.version}`;
  const changed = version.changes;
  return (
    <section className={`card version${current ? " version--current" : ""}`} aria-labelledby={headingId}>
      <h2 id={headingId}>
        Version {version.version}
        {current && (
          <>
            {" "}
            <span className="badge badge--ok">Gäller nu</span>
          </>
        )}
      </h2>
      <dl className="version__facts">
        <dt>Driftsatt</dt>
        <dd>
          <time dateTime={version.deployed_at}>{formatDateTime(version.deployed_at)}</time>
          {version.deployed_by ? ` av ${version.deployed_by}` : ""}
          {version.source && SOURCES[version.source] ? ` (${SOURCES[version.source]})` : ""}
        </dd>
        <dt>Kommentar</dt>
        <dd className={version.comment ? "version__comment" : "muted"}>{version.comment ?? "Ingen kommentar"}</dd>
        {version.restored_version !== null && (
          <>
            <dt>Innehåll</dt>
            <dd>Samma som version {version.restored_version}, som driftsattes igen</dd>
          </>
        )}
        <dt>Ändrat</dt>
        <dd>
          <ChangedFiles version={version} />
        </dd>
        <dt>Ärenden</dt>
        <dd>{casesText(version.running_cases)} kör versionen</dd>
      </dl>
      <div className="version__actions">
        {version.previous_version !== null &&
          changed.added.length + changed.removed.length + changed.changed.length > 0 && (
            <ChangeDetails region={region} version={version.version} />
          )}
        <Link to={routinePath(region, current ? null : version.version)}>
          Visa versionens filer<span className="visually-hidden"> (version {version.version})</span>
        </Link>
      </div>
      {!current && newest !== null && version.running_cases > 0 && (
        <MigrationCheck region={region} version={version.version} running={version.running_cases} newest={newest} />
      )}
      {!current && mayDeploy && <RestoreForm region={region} version={version.version} onRestored={onRestored} />}
    </section>
  );
}

function ChangedFiles({ version }: { version: Version }) {
  const { added, removed, changed } = version.changes;
  if (version.previous_version === null) return <>Första versionen: {countText(added.length, "fil", "filer")}</>;
  if (added.length + removed.length + changed.length === 0) {
    return <>Inga filer ändrade sedan version {version.previous_version}</>;
  }
  const groups: [string, string[]][] = [
    ["Ändrade", changed],
    ["Nya", added],
    ["Borttagna", removed],
  ];
  return (
    <>
      Sedan version {version.previous_version}:
      <ul className="plain-list">
        {groups
          .filter(([, paths]) => paths.length > 0)
          .map(([label, paths]) => (
            <li key={label}>
              {label}: <span className="studio-path">{paths.join(", ")}</span>
            </li>
          ))}
      </ul>
    </>
  );
}

type ChangesLoad =
  | { state: "closed" }
  | { state: "loading" }
  | { state: "failed"; text: string }
  | { state: "ready"; changes: VersionChanges };

function ChangeDetails({ region, version }: { region: string; version: number }) {
  const [load, setLoad] = useState<ChangesLoad>({ state: "closed" });
  const open = load.state !== "closed";
  const regionId = `andringar-${version}`;

  function toggle() {
    if (open) {
      setLoad({ state: "closed" });
      return;
    }
    setLoad({ state: "loading" });
    getVersionChanges(region, version)
      .then((changes) => setLoad({ state: "ready", changes }))
      .catch((err: unknown) => setLoad({ state: "failed", text: problemText(err, "Ändringarna kunde inte hämtas.") }));
  }

  return (
    <div className="version__details">
      <button type="button" className="button button--secondary" aria-expanded={open} aria-controls={regionId}
        onClick={toggle}>
        {open ? "Dölj ändringarna" : "Visa ändringarna i detalj"}
        <span className="visually-hidden"> i version {version}</span>
      </button>
      <div id={regionId}>
        {load.state === "loading" && (
          <p className="loading" role="status">
            Jämför med versionen före …
          </p>
        )}
        {load.state === "failed" && (
          <p className="alert alert--error" role="alert">
            {load.text}
          </p>
        )}
        {load.state === "ready" &&
          load.changes.files.map((diff) => (
            <div key={diff.path}>
              <h3 className="studio-path">{diff.path}</h3>
              <DiffView diff={diff} level={4} />
            </div>
          ))}
      </div>
    </div>
  );
}

type PlanLoad =
  | { state: "idle" }
  | { state: "loading" }
  | { state: "failed"; text: string }
  | { state: "ready"; plan: MigrationPlan };

/** The reasons cases cannot move, each with how many cases it holds back. */
function reasonsOf(plan: MigrationPlan): { text: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const found of plan.cases) {
    if (found.can_move) continue;
    const seen = new Set<string>();
    for (const reason of found.reasons) {
      const text = reason.element ? `${reason.message} (${reason.element})` : reason.message;
      if (seen.has(text)) continue;
      seen.add(text);
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
  }
  return [...counts.entries()].map(([text, count]) => ({ text, count })).sort((a, b) => b.count - a.count);
}

function MigrationCheck({ region, version, running, newest }: { region: string; version: number; running: number;
  newest: number }) {
  const [load, setLoad] = useState<PlanLoad>({ state: "idle" });

  function check() {
    setLoad({ state: "loading" });
    planMigration(region, version)
      .then((plan) => setLoad({ state: "ready", plan }))
      .catch((err: unknown) => {
        const text =
          err instanceof ApiError && (err.status === 404 || err.status === 405)
            ? "Att flytta ärenden mellan versioner finns inte i den här installationen ännu."
            : err instanceof ApiError && err.status === 403
              ? "Bara regionens processägare kan pröva om ärendena kan flyttas."
              : problemText(err, "Det gick inte att pröva flytten. Försök igen.");
        setLoad({ state: "failed", text });
      });
  }

  const plan = load.state === "ready" ? load.plan : null;
  const reasons = plan ? reasonsOf(plan) : [];
  return (
    <div className="version__migration">
      <button type="button" className="button button--secondary" onClick={check} disabled={load.state === "loading"}>
        Kan ärendena flyttas till version {newest}?
        <span className="visually-hidden"> ({casesText(running)} på version {version})</span>
      </button>
      <div role="status">
        {load.state === "loading" && <p className="loading">Prövar varje ärende …</p>}
        {plan && (
          <p>
            {countText(plan.summary.total, "ärende", "ärenden")} på version {version}: {plan.summary.can_move} kan
            flyttas till version {plan.to_version}, {plan.summary.cannot_move} kan inte
            {reasons.length > 0 ? ", eftersom:" : "."}
          </p>
        )}
      </div>
      {reasons.length > 0 && (
        <ul>
          {reasons.map((r) => (
            <li key={r.text}>
              {r.text} – {countText(r.count, "ärende", "ärenden")}
            </li>
          ))}
        </ul>
      )}
      {load.state === "failed" && (
        <p className="alert alert--warning" role="alert">
          {load.text}
        </p>
      )}
    </div>
  );
}

function RestoreForm({ region, version, onRestored }: { region: string; version: number;
  onRestored: (text: string) => void }) {
  const [open, setOpen] = useState(false);
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const fieldRef = useRef<HTMLTextAreaElement>(null);
  const fieldId = `kommentar-${version}`;

  useEffect(() => {
    if (open) fieldRef.current?.focus();
  }, [open]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setFailure(null);
    try {
      const result = await restoreVersion(region, version, comment);
      onRestored(
        result.changed
          ? `Version ${version} är driftsatt igen, som version ${result.version}. Nya ärenden startar på den; pågående ärenden fortsätter på sina versioner.`
          : `Version ${version} har samma innehåll som den som gäller nu: ingenting nytt driftsattes.`,
      );
      setOpen(false);
      setComment("");
    } catch (err) {
      const problems = err instanceof ApiError && Array.isArray(err.problem.problems) ? err.problem.problems : [];
      const first = problems
        .slice(0, 3)
        .map((p) => (p && typeof p === "object" ? problemMessage(p as DeployProblem) : ""))
        .filter(Boolean);
      setFailure([problemText(err, "Versionen kunde inte driftsättas. Försök igen."), ...first].join(" "));
    } finally {
      setBusy(false);
    }
  }

  if (!open) {
    return (
      <div className="version__actions">
        <button type="button" className="button" onClick={() => setOpen(true)}>
          Driftsätt version {version} igen …
        </button>
      </div>
    );
  }
  return (
    <form className="form" onSubmit={(e) => void submit(e)} aria-label={`Driftsätt version ${version} igen`}>
      <div className="field">
        <label htmlFor={fieldId}>Kommentar: varför driftsätts version {version} igen?</label>
        <textarea id={fieldId} ref={fieldRef} rows={3} maxLength={2000} value={comment}
          onChange={(e) => setComment(e.target.value)} />
      </div>
      {failure && (
        <p className="alert alert--error" role="alert">
          {failure}
        </p>
      )}
      <div className="version__actions">
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Driftsätter …" : `Driftsätt version ${version} igen`}
        </button>
        <button type="button" className="button button--secondary" onClick={() => setOpen(false)} disabled={busy}>
          Avbryt
        </button>
      </div>
    </form>
  );
}
