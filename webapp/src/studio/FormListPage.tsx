// The forms of a region's routine, as deployed: each opens in a preview to look at and try out.
import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { ApiError } from "../api/client";
import { useCurrentUser } from "../auth/CurrentUser";
import { usePageTitle } from "../layout/usePageTitle";
import { listForms, previewPath, regionLabel, REGIONS, type FormList, type FormTask } from "./forms";

type Load = { state: "loading" } | { state: "failed"; text: string } | { state: "ready"; list: FormList };

function tasksText(tasks: FormTask[]): string {
  if (tasks.length === 0) return "Ingen (formuläret används inte)";
  return [...new Set(tasks.map((t) => t.name))].join(", ");
}

function formsText(count: number): string {
  return count === 1 ? "1 formulär" : `${count} formulär`;
}

export default function FormListPage() {
  usePageTitle("Formulär");
  const me = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const asked = params.get("region");
  const fallback = (REGIONS as readonly string[]).includes(me.region) ? me.region : "base";
  const region = asked && /^[a-z0-9_]{1,64}$/.test(asked) ? asked : fallback;
  const offered = (REGIONS as readonly string[]).includes(region) ? [...REGIONS] : [...REGIONS, region];
  const [load, setLoad] = useState<Load>({ state: "loading" });

  useEffect(() => {
    const controller = new AbortController();
    setLoad({ state: "loading" });
    listForms(region, controller.signal)
      .then((list) => setLoad({ state: "ready", list }))
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        const text =
          err instanceof ApiError && err.status === 404
            ? "Det finns ingen rutin driftsatt för regionen."
            : err instanceof ApiError
              ? `${err.problem.title}. ${err.problem.detail ?? ""}`.trim()
              : "Formulären kunde inte hämtas. Försök igen.";
        setLoad({ state: "failed", text });
      });
    return () => controller.abort();
  }, [region]);

  return (
    <>
      <h1>Formulär</h1>
      <p className="lead">
        Rutinens formulär som de är driftsatta. Öppna ett formulär för att se hur det visas och prova att fylla i det:
        det kontrolleras som när en uppgift slutförs, men ingenting sparas.
      </p>
      <div className="filters">
        <div className="field">
          <label htmlFor="formular-region">Region</label>
          <select id="formular-region" value={region} onChange={(e) => setParams({ region: e.target.value }, { replace: true })}>
            {offered.map((r) => (
              <option key={r} value={r}>
                {regionLabel(r)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div role="status" className="list-count">
        {load.state === "loading" && <p>Hämtar formulären …</p>}
        {load.state === "ready" && (
          <p>
            {formsText(load.list.items.length)} i {regionLabel(region)}
            {load.list.process.region !== region
              ? `, som följer ${regionLabel(load.list.process.region).toLowerCase()}`
              : ""}{" "}
            (version {load.list.process.version}).
          </p>
        )}
      </div>
      {load.state === "failed" && (
        <p className="alert alert--error" role="alert">
          {load.text}
        </p>
      )}
      {load.state === "ready" && load.list.items.length > 0 && (
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">Formulär i {regionLabel(region)}</caption>
            <thead>
              <tr>
                <th scope="col">Formulär</th>
                <th scope="col">Används i uppgiften</th>
                <th scope="col">Fil</th>
              </tr>
            </thead>
            <tbody>
              {load.list.items.map((form) => (
                <tr key={form.name}>
                  <td>
                    <Link to={previewPath(region, form.name)}>{form.title}</Link>
                  </td>
                  <td>{tasksText(form.tasks)}</td>
                  <td>{form.schema_file}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
