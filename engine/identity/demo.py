"""Demo organisations and users for the four seed regions, for trying the product at once. They exist only
where `flask --app engine demo` was run."""

from __future__ import annotations

# region -> [(organisation, huvudman kind, user name, username, roles)]
DEMO = {
    "kristianstad": [
        ("Kristianstads kommun, hemtjänst Norr", "kommun_sol", "Eva Ek", "demo.eva", ["staff", "process_owner"]),
        ("Kristianstads kommun, hemsjukvården", "kommunal_halso_och_sjukvard", "Lisa Lund", "demo.lisa", ["staff"]),
        ("Region Skåne, vårdcentral Näsby", "primarvard", "Per Berg", "demo.per", ["staff"]),
        ("Region Skåne, psykiatrisk öppenvård Kristianstad", "psykiatri", "Omar Ali", "demo.omar", ["staff"]),
    ],
    "jonkoping": [
        ("Jönköpings kommun, socialtjänsten", "kommun_sol", "Karin Holm", "demo.karin", ["staff", "process_owner"]),
        ("Jönköpings kommun, LSS", "kommun_lss", "Johan Ek", "demo.johan", ["staff"]),
        ("Region Jönköpings län, vårdcentralen Öxnehaga", "primarvard", "Maria Lind", "demo.maria", ["staff"]),
        ("Region Jönköpings län, Länssjukhuset Ryhov", "slutenvard", "Ali Hassan", "demo.ali", ["staff"]),
        ("Jönköpings kommun, Ekhagens skola", "skola", "Sara Sten", "demo.sara", ["staff"]),
    ],
    "vastra_gotaland": [
        ("Göteborgs Stad, socialtjänst Centrum", "kommun_sol", "Anders Berg", "demo.anders",
         ["staff", "process_owner"]),
        ("Västra Götalandsregionen, BUP Göteborg", "psykiatri", "Fatima Noor", "demo.fatima", ["staff"]),
        ("Västra Götalandsregionen, vårdcentralen Centrum", "primarvard", "Nils Ström", "demo.nils", ["staff"]),
        ("Göteborgs Stad, grundskola Centrum", "skola", "Emma Dahl", "demo.emma", ["staff"]),
    ],
    "stockholm": [
        ("Stockholms stad, socialtjänst Södermalm", "kommun_sol", "Helena Sjö", "demo.helena",
         ["staff", "process_owner"]),
        ("Region Stockholm, BUP Södermalm", "psykiatri", "David Ruiz", "demo.david", ["staff"]),
        ("Region Stockholm, vårdcentral Rosenlund", "primarvard", "Ingrid Falk", "demo.ingrid", ["staff"]),
        ("Stockholms stad, Södermalmsskolan", "skola", "Yusuf Kaya", "demo.yusuf", ["staff"]),
    ],
}
ADMIN = ("SIP förvaltning", "annan", "base", "Admin Adminsson", "demo.admin", ["admin"])


def load_demo() -> list[dict]:
    """Create (or refresh) the demo organisations and users and issue each a new token. Commits."""
    from ..database import db
    from .tokens import ensure_organisation, ensure_user, issue_token

    people = []
    entries = [(region, *row) for region, rows in DEMO.items() for row in rows]
    name, kind, region, person, username, roles = ADMIN
    entries.append((region, name, kind, person, username, roles))
    for region, org_name, kind, person, username, roles in entries:
        org = ensure_organisation(org_name, kind, region)
        ensure_user(username, person, org, roles)
        token = issue_token(username, label="demo")
        people.append({"name": person, "username": username, "organisation": org_name, "kind": kind,
                       "region": region, "roles": roles, "token": token})
    db.session.commit()
    return people
