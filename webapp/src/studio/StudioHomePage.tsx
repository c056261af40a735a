// The process studio's front page: the regions whose routines a process owner looks at, one's own first.
import { Link } from "react-router-dom";
import { useCurrentUser } from "../auth/CurrentUser";
import { usePageTitle } from "../layout/usePageTitle";
import { regionLabel, REGIONS } from "./forms";
import { regionPath, usesStudio, versionsPath } from "./routine";
import { NotForYou } from "./NotForYou";
import "./studioFrame.css";

export default function StudioHomePage() {
  usePageTitle("Processtudio");
  const me = useCurrentUser();
  if (!usesStudio(me)) return <NotForYou />;
  const regions = [me.region, ...REGIONS.filter((r) => r !== me.region)].filter((r) => /^[a-z0-9_]{1,64}$/.test(r));
  return (
    <>
      <h1>Processtudio</h1>
      <p className="lead">
        Här ser du rutinen som den är driftsatt i varje region: processdiagram, beslutstabeller och formulär, vad som
        kommer från den nationella grundrutinen (Bas) och vad regionen har gjort till sitt eget. Du ser också
        regionens versioner och kan driftsätta en tidigare version igen.
      </p>
      <h2>Regioner</h2>
      <ul className="studio-regions">
        {regions.map((region) => (
          <li key={region} className="card">
            <h3>
              <Link to={regionPath(region)}>{regionLabel(region)}</Link>
            </h3>
            {region === me.region && <p className="muted">Din region</p>}
            <p>
              <Link to={versionsPath(region)}>
                Versioner<span className="visually-hidden"> i {regionLabel(region)}</span>
              </Link>
            </p>
          </li>
        ))}
      </ul>
      <h2>Formulär</h2>
      <p>
        <Link to={`/formular?region=${encodeURIComponent(me.region)}`}>Förhandsgranska rutinens formulär</Link> som
        personalen ser dem, och prova att fylla i dem.
      </p>
    </>
  );
}
