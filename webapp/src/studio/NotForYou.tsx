// What a signed-in user without the process owner's role sees at a studio address.
import { Link } from "react-router-dom";
import { usePageTitle } from "../layout/usePageTitle";

export function NotForYou() {
  usePageTitle("Ingen åtkomst till processtudion");
  return (
    <>
      <h1>Ingen åtkomst till processtudion</h1>
      <p>
        Processtudion är till för regionernas processägare. Du har inte den rollen. <Link to="/uppgifter">Gå till
        dina uppgifter</Link>.
      </p>
    </>
  );
}
