// A region's routine as it is deployed: each diagram, decision table and form, marked as the base's ("Bas") or the
// region's own ("Regionens egen"), how it stands to the base, and links to edit it, see its difference from the
// base, and (for a form) preview it.
import { useEffect, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { ApiError } from "../api/client";
import { useCurrentUser } from "../auth/CurrentUser";
import { usePageTitle } from "../layout/usePageTitle";
import { previewPath, regionLabel } from "./forms";
import { NotForYou } from "./NotForYou";
import {
  diffPath,
  editorPath,
  getRoutine,
  originText,
  regionPath,
  usesStudio,
  versionParam,
  versionsPath,
  type Routine,
  type RoutineFile,
} from "./routine";
import "./studioFrame.css";

type Load = { state: "loading" } | { state: "failed"; text: string } | { state: "ready"; routine: Routine };

/** A row of the page: a diagram, a table, or a form (its schema with its UI schema folded in). */
interface Row {
  file: RoutineFile;
  title: string;
  paths: string[];
  origin: RoutineFile["origin"];
  status: RoutineFile["status"];
  formName: string | null;
}

const SCHEMA = ".schema.json";
const UI = ".uischema.json";

function fileName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function rowsOf(routine: Routine): { bpmn: Row[]; dmn: Row[]; forms: Row[] } {
  const byPath = new Map(routine.files.map((f) => [f.path, f]));
  const plain = (file: RoutineFile): Row => ({
    file,
    title: file.title ?? fileName(file.path),
    paths: [file.path],
    origin: file.origin,
    status: file.status,
    formName: null,
  });
  const forms: Row[] = [];
  for (const file of routine.files) {
    if (file.kind !== "schema") continue;
    const ui = file.path.endsWith(SCHEMA) ? byPath.get(file.path.slice(0, -SCHEMA.length) + UI) : undefined;
    const parts = ui ? [file, ui] : [file];
    forms.push({
      file,
      title: file.title ?? fileName(file.path),
      paths: parts.map((p) => p.path),
      origin: parts.some((p) => p.origin === "region") ? "region" : "base",
      status: file.status === "added" ? "added" : parts.some((p) => p.status !== "same") ? "changed" : "same",
      formName: file.path.endsWith(SCHEMA) ? fileName(file.path).slice(0, -SCHEMA.length) : null,
    });
  }
  // A UI schema without a schema of the same name is listed on its own.
  for (const file of routine.files) {
    if (file.kind === "uischema" && !byPath.has(file.path.slice(0, -UI.length) + SCHEMA)) forms.push(plain(file));
  }
  const byTitle = (a: Row, b: Row) => a.title.localeCompare(b.title, "sv");
  return {
    bpmn: routine.files.filter((f) => f.kind === "bpmn").map(plain).sort(byTitle),
    dmn: routine.files.filter((f) => f.kind === "dmn").map(plain).sort(byTitle),
    forms: forms.sort(byTitle),
  };
}

function statusText(row: Row): string {
  if (row.status === "added") return "Finns inte i basen";
  if (row.status === "same") return "Som basen";
  return row.origin === "region" ? "Ändrad från basen" : "Basen har ändrats sedan";
}

export default function RegionRoutinePage() {
  const { region = "" } = useParams();
  const [params] = useSearchParams();
  const version = versionParam(params.get("version"));
  const me = useCurrentUser();
  usePageTitle(`Rutinen i ${regionLabel(region)}${version !== null ? `, version ${version}` : ""}`);
  if (!usesStudio(me)) return <NotForYou />;
  return <RegionRoutine region={region} version={version} />;
}

function RegionRoutine({ region, version }: { region: string; version: number | null }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });

  useEffect(() => {
    const controller = new AbortController();
    setLoad({ state: "loading" });
    getRoutine(region, version, controller.signal)
      .then((routine) => setLoad({ state: "ready", routine }))
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        const text =
          err instanceof ApiError && (err.status === 404 || err.status === 400)
            ? "Det finns ingen sådan region, eller ingen rutin driftsatt för den."
            : err instanceof ApiError
              ? `${err.problem.title}. ${err.problem.detail ?? ""}`.trim()
              : "Rutinen kunde inte hämtas. Försök igen.";
        setLoad({ state: "failed", text });
      });
    return () => controller.abort();
  }, [region, version]);

  return (
    <>
      <p className="breadcrumb">
        <Link to="/studio">Processtudio</Link>
      </p>
      <h1>
        Rutinen i {regionLabel(region)}
        {version !== null ? `, version ${version}` : ""}
      </h1>
      {version !== null && (
        <p>
          En tidigare version, som den driftsattes. <Link to={regionPath(region)}>Visa den som gäller nu</Link>.
        </p>
      )}
      <div role="status">
        {load.state === "loading" && <p className="loading">Hämtar rutinen …</p>}
        {load.state === "ready" && <RoutineSummary routine={load.routine} />}
      </div>
      {load.state === "failed" && (
        <p className="alert alert--error" role="alert">
          {load.text}
        </p>
      )}
      {load.state === "ready" && (
        <>
          <p>
            <Link to={versionsPath(region)}>Versioner, ändringar och ärenden per version</Link>
          </p>
          <Files region={region} version={version} routine={load.routine} />
        </>
      )}
    </>
  );
}

function RoutineSummary({ routine }: { routine: Routine }) {
  const own = routine.files.filter((f) => f.origin === "region").length;
  if (routine.region === "base") {
    return <p>Version {routine.process.version} av den nationella grundrutinen är driftsatt.</p>;
  }
  if (routine.process.region !== routine.region) {
    return (
      <p>
        Regionen har ingen egen version: den följer {regionLabel(routine.process.region).toLowerCase()}, version{" "}
        {routine.process.version}. Alla filer är basens.
      </p>
    );
  }
  return (
    <p>
      Version {routine.process.version} är driftsatt. {own === 1 ? "1 fil är" : `${own} filer är`} regionens egna, de
      andra kommer från basen
      {routine.base_version !== null ? ` (basens senaste version är ${routine.base_version})` : ""}.
    </p>
  );
}

function Files({ region, version, routine }: { region: string; version: number | null; routine: Routine }) {
  const rows = rowsOf(routine);
  return (
    <>
      <FileTable region={region} version={version} heading="Processdiagram" rows={rows.bpmn} />
      <FileTable region={region} version={version} heading="Beslutstabeller" rows={rows.dmn} />
      <FileTable region={region} version={version} heading="Formulär" rows={rows.forms} />
      {routine.missing.length > 0 && (
        <section aria-labelledby="saknas">
          <h2 id="saknas">Basens filer som versionen saknar</h2>
          <ul>
            {routine.missing.map((m) => (
              <li key={m.path}>
                {m.title ?? fileName(m.path)} ({m.path})
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

interface TableProps {
  region: string;
  /** An earlier version shown (its files are not edited or previewed from here), or null for the current one. */
  version: number | null;
  heading: string;
  rows: Row[];
}

function FileTable({ region, version, heading, rows }: TableProps) {
  const id = `filer-${heading.toLowerCase().replace(/[^a-zåäö]+/g, "-")}`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{heading}</h2>
      {rows.length === 0 ? (
        <p className="muted">Inga.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Namn</th>
                <th scope="col">Fil</th>
                <th scope="col">Ursprung</th>
                <th scope="col">Mot basen</th>
                <th scope="col">Gör</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const editor = version === null ? editorPath(region, row.file) : null;
                return (
                  <tr key={row.file.path}>
                    <th scope="row">{row.title}</th>
                    <td className="studio-path">{row.paths.join(", ")}</td>
                    <td>
                      <span className={`badge badge--${row.origin === "region" ? "own" : "base"}`}>
                        {originText(row.origin)}
                      </span>
                    </td>
                    <td>{statusText(row)}</td>
                    <td>
                      <ul className="studio-actions">
                        {editor && (
                          <li>
                            <Link to={editor}>
                              {row.origin === "region" ? "Redigera" : "Öppna"}
                              <span className="visually-hidden"> {row.title}</span>
                            </Link>
                          </li>
                        )}
                        {row.status === "changed" && (
                          <li>
                            <Link to={diffPath(region, row.paths, version)}>
                              Visa skillnad mot basen<span className="visually-hidden"> för {row.title}</span>
                            </Link>
                          </li>
                        )}
                        {row.formName && version === null && (
                          <li>
                            <Link to={previewPath(region, row.formName)}>
                              Förhandsgranska<span className="visually-hidden"> {row.title}</span>
                            </Link>
                          </li>
                        )}
                      </ul>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
