import { Link } from "react-router-dom";
import { usePageTitle } from "./usePageTitle";

export function NotFoundPage() {
  usePageTitle("Sidan finns inte");
  return (
    <>
      <h1>Sidan finns inte</h1>
      <p>
        Adressen leder inte till någon sida. <Link to="/uppgifter">Gå till dina uppgifter</Link>.
      </p>
    </>
  );
}
