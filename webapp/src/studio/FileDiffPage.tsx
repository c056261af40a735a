// A region's file (or a form's schema and UI schema) as a difference from the base as it is now.
import { useEffect, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { ApiError } from "../api/client";
import { useCurrentUser } from "../auth/CurrentUser";
import { usePageTitle } from "../layout/usePageTitle";
import { DiffView } from "./DiffView";
import { regionLabel } from "./forms";
import { NotForYou } from "./NotForYou";
import { getFileDiff, regionPath, usesStudio, versionParam, type RegionFileDiff } from "./routine";
import "./studioFrame.css";

type Load = { state: "loading" } | { state: "failed"; text: string } | { state: "ready"; diffs: RegionFileDiff[] };

export default function FileDiffPage() {
  const { region = "" } = useParams();
  const [params] = useSearchParams();
  const paths = params.getAll("fil").slice(0, 4);
  const version = versionParam(params.get("version"));
  const me = useCurrentUser();
  usePageTitle(`Skillnad mot basen – ${regionLabel(region)}`);
  if (!usesStudio(me)) return <NotForYou />;
  return <FileDiffs region={region} version={version} joined={paths.join("\n")} />;
}

function FileDiffs({ region, version, joined }: { region: string; version: number | null; joined: string }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });

  useEffect(() => {
    const paths = joined ? joined.split("\n") : [];
    if (paths.length === 0) {
      setLoad({ state: "failed", text: "Ingen fil är vald." });
      return undefined;
    }
    const controller = new AbortController();
    setLoad({ state: "loading" });
    Promise.all(paths.map((p) => getFileDiff(region, p, version, controller.signal)))
      .then((diffs) => setLoad({ state: "ready", diffs }))
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        const text =
          err instanceof ApiError && err.status === 404
            ? "Regionens rutin har ingen sådan fil."
            : err instanceof ApiError
              ? `${err.problem.title}. ${err.problem.detail ?? ""}`.trim()
              : "Skillnaden kunde inte hämtas. Försök igen.";
        setLoad({ state: "failed", text });
      });
    return () => controller.abort();
  }, [region, version, joined]);

  return (
    <>
      <p className="breadcrumb">
        <Link to="/studio">Processtudio</Link> › <Link to={regionPath(region)}>Rutinen i {regionLabel(region)}</Link>
      </p>
      <h1>Skillnad mot basen</h1>
      <div role="status">{load.state === "loading" && <p className="loading">Jämför med basen …</p>}</div>
      {load.state === "failed" && (
        <p className="alert alert--error" role="alert">
          {load.text}
        </p>
      )}
      {load.state === "ready" &&
        load.diffs.map((diff) => (
          <section key={diff.path} className="card" aria-labelledby={`fil-${diff.path}`}>
            <h2 id={`fil-${diff.path}`}>{diff.path}</h2>
            <p className="muted">
              Version {diff.version} i {regionLabel(region)}
              {diff.base_path
                ? ` jämförd med ${diff.base_path} i basens version ${diff.base_version ?? "?"}.`
                : ", som basen inte har någon motsvarighet till."}
            </p>
            <DiffView diff={diff} level={3} />
          </section>
        ))}
    </>
  );
}
