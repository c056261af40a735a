// The frame of every page: a skip link, the header with the main navigation and who is signed in, and the page.
import { NavLink, Outlet } from "react-router-dom";
import { signOut } from "../api/client";
import { useCurrentUser } from "../auth/CurrentUser";

export function Layout() {
  const me = useCurrentUser();
  const studio = me.roles.includes("process_owner") || me.roles.includes("admin");
  return (
    <>
      <a className="skip-link" href="#innehall">
        Hoppa till innehållet
      </a>
      <header className="site-header">
        <div className="site-header__inner">
          <p className="brand">
            <NavLink to="/uppgifter">SIP</NavLink>
            <span className="brand__sub">samordnad individuell plan</span>
          </p>
          <nav aria-label="Huvudmeny">
            <ul className="main-nav">
              <li>
                <NavLink to="/uppgifter">Uppgifter</NavLink>
              </li>
              <li>
                <NavLink to="/arenden" end>
                  Ärenden
                </NavLink>
              </li>
              <li>
                <NavLink to="/arenden/ny">Starta SIP</NavLink>
              </li>
              {studio && (
                <li>
                  <NavLink to="/studio">Processtudio</NavLink>
                </li>
              )}
              {studio && (
                <li>
                  <NavLink to="/formular">Formulär</NavLink>
                </li>
              )}
              <li>
                <NavLink to="/installningar">Inställningar</NavLink>
              </li>
            </ul>
          </nav>
          <div className="who">
            <span>
              <strong>{me.name ?? me.username}</strong>
              <br />
              <span className="who__org">{me.organisation}</span>
            </span>
            <button type="button" className="button button--secondary" onClick={() => void signOut()}>
              Logga ut
            </button>
          </div>
        </div>
      </header>
      <main id="innehall" className="page" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
