"""The person's own view, under /min-plan: pages rendered by the server, in easy Swedish, for the person whose
plan it is and for a guardian of a child. No scripts; every form works without them.

- `GET /min-plan/logga-in[?fel=CODE]`: signing in with e-legitimation (the region's OpenID Connect provider),
  or a word on the link the coordinator sends.
- `GET /min-plan/logga-in/start` → the provider; `GET /min-plan/logga-in/svar` ← the provider: the ID token's
  personal-number claim (PERSON_OIDC_NUMBER_CLAIMS, the first that holds a valid number) is matched, by its keyed
  hash, against the cases' protected numbers; the number itself is never stored.
- `GET /min-plan/lank/<token>`: a one-time link; `POST` opens it (once) and signs in to its case.
- `GET /min-plan`: the person's plans; `GET /min-plan/<case>`: one of them; `…/plan`: the easy-read plan;
  `…/samtycke` (`POST`: withdraw consent, after a confirmation); `…/sip-kollen` (`POST`: the answers).
- `POST /min-plan/logga-ut`.

Another case than the person's own is 404; staff's pages and API do not read the person's session."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for

from .. import audit
from ..access.errors import Unauthenticated
from ..calendar import SWEDISH_TIME
from ..config import setting
from ..database import db
from ..people.personal_number import InvalidPersonalNumber, parse_personal_number
from ..person import links, view
from ..person import sessions as person_sessions
from ..privacy import number_hash
from ..services.errors import Conflict, InvalidData, NotFound
from ..store import Case
from . import oidc_flow
from .pages import protect
from .sessions import secure_cookies

log = logging.getLogger(__name__)

person_pages = Blueprint("person", __name__, template_folder="templates")
person_pages.after_request(protect)

STATE_COOKIE = "sip_person_oidc_state"
STATE_PATH = "/min-plan/logga-in/"
DEFAULT_NUMBER_CLAIMS = "https://id.oidc.se/claim/personalIdentityNumber,personal_identity_number,sub"

ERRORS = {
    "misslyckades": "Inloggningen misslyckades. Försök igen.",
    "avbruten": "Du avbröt inloggningen.",
    "tidsgrans": "Inloggningen tog för lång tid. Försök igen.",
    "leverantor": "Inloggningen fungerar inte just nu. Försök igen om en stund.",
    "ej_konfigurerad": "Det går inte att logga in med e-legitimation här. Be den som samordnar din plan om en länk.",
    "ingen_plan": "Vi hittar ingen plan för dig. Fråga den som samordnar din plan.",
    "session": "Du har blivit utloggad. Logga in igen.",
}
LINK_REFUSED = {
    "used": (410, "Länken är redan använd",
             "Länken går bara att använda en gång. Be den som samordnar din plan om en ny länk."),
    "expired": (410, "Länken gäller inte längre",
                "Länken gäller bara en kort tid. Be den som samordnar din plan om en ny länk."),
    "unknown": (404, "Länken fungerar inte",
                "Kontrollera att du har fått med hela länken. Annars kan du be den som samordnar din plan om en ny."),
}


def _page(template: str, status: int = 200, person=None, **values):
    response = make_response(render_template(template, person=person, **values), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _today():
    return datetime.now(SWEDISH_TIME).date()


def _signed_in():
    """The person signed in, or a redirect to the sign-in page (after clearing an ended session's cookie)."""
    person = person_sessions.current()
    if person is not None:
        return person, None
    response = redirect(url_for("person.sign_in_page", **({"fel": "session"} if request.cookies.get(
        person_sessions.COOKIE) else {})), 303)
    return None, person_sessions.clear_cookie(response)


def _csrf_ok(person) -> bool:
    return person_sessions.csrf_matches(person, request.form.get("csrf_token"))


def _refused_csrf(person):
    return _page("web/min_plan/meddelande.html", 403, person, title="Sidan var för gammal",
                 text="Gå tillbaka, ladda om sidan och försök igen.", back=url_for("person.home"))


# -- signing in -----------------------------------------------------------------------------------------
@person_pages.get("/min-plan/logga-in")
def sign_in_page():
    code = request.args.get("fel")
    error = ERRORS.get(code, ERRORS["misslyckades"]) if code is not None else None
    return _page("web/min_plan/logga_in.html", error=error, oidc=oidc_flow.configured())


def _redirect_uri() -> str:
    return setting("PERSON_OIDC_REDIRECT_URI") or url_for("person.oidc_callback", _external=True)


def _state_cookie(response, state: str | None):
    if state is None:
        response.delete_cookie(STATE_COOKIE, path=STATE_PATH, httponly=True, samesite="Lax", secure=secure_cookies())
    else:
        response.set_cookie(STATE_COOKIE, state, max_age=int(oidc_flow.ATTEMPT_LIFETIME.total_seconds()),
                            path=STATE_PATH, httponly=True, samesite="Lax", secure=secure_cookies())
    return response


def _failed(code: str, reason: str):
    db.session.rollback()
    audit.record_now("sign_in", None, user="(den enskilde)", remote_addr=request.remote_addr, outcome="failed",
                     detail={"reason": reason, "via": "person_oidc"})
    return redirect(url_for("person.sign_in_page", fel=code), 303)


@person_pages.get("/min-plan/logga-in/start")
def oidc_start():
    if not oidc_flow.configured():
        return redirect(url_for("person.sign_in_page", fel="ej_konfigurerad"), 303)
    try:
        url, state = oidc_flow.begin("/min-plan", _redirect_uri())
    except oidc_flow.SignInFailed as err:
        return _failed(err.code, err.reason)
    except Exception:  # noqa: BLE001 (a sign-in never ends in an error page)
        log.exception("The person's OpenID Connect sign-in could not start")
        return _failed("misslyckades", "error")
    return _state_cookie(redirect(url, 302), state)


def subject_of(claims: dict) -> str | None:
    """The keyed hash of the personal number the claims assert: the first of PERSON_OIDC_NUMBER_CLAIMS that
    holds a valid number. The number itself goes no further than this function."""
    names = str(setting("PERSON_OIDC_NUMBER_CLAIMS", DEFAULT_NUMBER_CLAIMS)).split(",")
    for name in (n.strip() for n in names if n.strip()):
        value = claims.get(name)
        if not isinstance(value, str):
            continue
        try:
            return number_hash(parse_personal_number(value).number)
        except InvalidPersonalNumber:
            continue
    return None


@person_pages.get("/min-plan/logga-in/svar")
def oidc_callback():
    state, kept = request.args.get("state") or "", request.cookies.get(STATE_COOKIE) or ""
    try:
        attempt = oidc_flow.answered_attempt(state, kept)
        code = oidc_flow.answered_code(attempt, request.args)
        subject = subject_of(oidc_flow.finish_claims(attempt, code, _redirect_uri()))
        if subject is None:
            raise oidc_flow.SignInFailed("ingen_plan", "no_personal_number")
        if db.session.query(Case.id).filter(Case.personal_number_hash == subject).first() is None:
            db.session.rollback()
            audit.record_now("sign_in", None, user="(den enskilde)", remote_addr=request.remote_addr,
                             outcome="failed", subject_hash=subject, detail={"reason": "no_case", "via": "person_oidc"})
            return _state_cookie(redirect(url_for("person.sign_in_page", fel="ingen_plan"), 303), None)
        token, person = person_sessions.create("person", "oidc", subject_hash=subject)
        audit.record_now("sign_in", None, user=view.actor(person), remote_addr=request.remote_addr,
                         subject_hash=subject, detail={"via": "person_oidc"})
        response = person_sessions.set_cookie(redirect(url_for("person.home"), 303), token)
    except oidc_flow.SignInFailed as err:
        response = _failed(err.code, err.reason)
    except Unauthenticated as err:
        response = _failed("misslyckades", err.reason)
    except Exception:  # noqa: BLE001 (a sign-in never ends in an error page)
        log.exception("The person's OpenID Connect sign-in failed")
        response = _failed("misslyckades", "error")
    return _state_cookie(response, None)


@person_pages.route("/min-plan/lank/<token>", methods=["GET", "POST"])
def open_link(token: str):
    """A one-time link: the page asks before the link is used (a mail program that fetches links to check
    them does not use it up); the button uses it and signs in to its case."""
    try:
        link = links.use(token) if request.method == "POST" else links.peek(token)
    except links.LinkRefused as err:
        db.session.rollback()
        person = person_sessions.current()
        if err.link is not None and person is not None and person.link_id == err.link.id:
            # The browser that used the link, back on it (the back button): its plan, not a refusal.
            return redirect(url_for("person.case_page", case_id=err.link.case_id), 303)
        audit.record_now("sign_in", None, user="(länk)", remote_addr=request.remote_addr, outcome="failed",
                         case_id=err.link.case_id if err.link else None,
                         detail={"reason": f"link_{err.reason}", "via": "person_link"})
        status, title, text = LINK_REFUSED[err.reason]
        return _page("web/min_plan/meddelande.html", status, title=title, text=text,
                     back=url_for("person.sign_in_page"), back_text="Logga in med e-legitimation i stället")
    if request.method == "GET":
        return _page("web/min_plan/lank.html", guardian=link.role == "guardian")
    db.session.commit()  # the link is used: it opens nothing again, whatever happens next
    token_, person = person_sessions.create(link.role, "link", case_id=link.case_id,
                                            guardian_name=link.guardian_name, link_id=link.id)
    audit.record_now("sign_in", None, user=view.actor(person), remote_addr=request.remote_addr,
                     case_id=link.case_id, detail={"via": "person_link", "as": link.role})
    return person_sessions.set_cookie(redirect(url_for("person.case_page", case_id=link.case_id), 303), token_)


@person_pages.post("/min-plan/logga-ut")
def sign_out():
    person = person_sessions.current()
    if person is not None and not _csrf_ok(person):
        return _refused_csrf(person)
    if person is not None:
        audit.record_now("sign_out", None, user=view.actor(person), detail={"via": "person_" + person.via})
    person_sessions.end()
    return person_sessions.clear_cookie(_page(
        "web/min_plan/meddelande.html", 200, title="Du är utloggad",
        text="Stäng webbläsaren om du använder en dator som andra också använder.",
        back=url_for("person.sign_in_page"), back_text="Logga in igen"))


# -- the person's pages ---------------------------------------------------------------------------------
@person_pages.get("/min-plan")
def home():
    person, away = _signed_in()
    if person is None:
        return away
    found = view.read_list(person)
    if len(found) == 1:
        return redirect(url_for("person.case_page", case_id=found[0].id), 303)
    return _page("web/min_plan/planer.html", person=person, cases=found)


def _case(person, case_id: str, page: str, action: str = "read_case"):
    try:
        return view.read(person, case_id, page, action)
    except NotFound:
        abort(404)


@person_pages.get("/min-plan/<case_id>")
def case_page(case_id: str):
    person, away = _signed_in()
    if person is None:
        return away
    case = _case(person, case_id, "overview")
    return _page("web/min_plan/arende.html", person=person, o=view.overview(case, person, _today()),
                 done=request.args.get("klart"))


@person_pages.get("/min-plan/<case_id>/plan")
def plan_page(case_id: str):
    person, away = _signed_in()
    if person is None:
        return away
    case = _case(person, case_id, "plan", "read_plan")
    page = render_template("web/min_plan/plan.html", plan=view.plan_of(case), printed_at=_today(),
                           back=url_for("person.case_page", case_id=case.id))
    page = page.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@person_pages.route("/min-plan/<case_id>/samtycke", methods=["GET", "POST"])
def consent_page(case_id: str):
    person, away = _signed_in()
    if person is None:
        return away
    if request.method == "GET":
        case = _case(person, case_id, "consent")
        return _page("web/min_plan/samtycke.html", person=person, case=case, consent=view.consent_of(case),
                     can_withdraw=view.can_withdraw(case))
    if not _csrf_ok(person):
        return _refused_csrf(person)
    try:
        view.withdraw(person, case_id)
    except NotFound:
        abort(404)
    except Conflict:
        case = _case(person, case_id, "consent")
        return _page("web/min_plan/samtycke.html", 409, person=person, case=case, consent=view.consent_of(case),
                     can_withdraw=False, error="Det gick inte att ta tillbaka samtycket just nu. Planen väntar inte "
                     "på det. Ring den som samordnar din plan.")
    return redirect(url_for("person.case_page", case_id=case_id, klart="samtycke"), 303)


@person_pages.route("/min-plan/<case_id>/sip-kollen", methods=["GET", "POST"])
def sip_kollen_page(case_id: str):
    person, away = _signed_in()
    if person is None:
        return away
    if request.method == "GET":
        case = _case(person, case_id, "sip_kollen")
        state = view.sip_kollen_state(case, person)
        if state is None:
            abort(404)
        return _page("web/min_plan/sip_kollen.html", person=person, case=case, state=state,
                     kollen=view.sip_kollen_form(case), answers={}, errors={})
    if not _csrf_ok(person):
        return _refused_csrf(person)
    try:
        view.answer_sip_kollen(person, case_id, request.form)
    except NotFound:
        abort(404)
    except InvalidData as err:
        case = view.own_case(person, case_id, "sip_kollen")
        return _page("web/min_plan/sip_kollen.html", 422, person=person, case=case, state="open",
                     kollen=view.sip_kollen_form(case), answers=request.form,
                     errors={e["field"]: e["message"] for e in err.errors})
    except Conflict:
        return redirect(url_for("person.sip_kollen_page", case_id=case_id), 303)
    return redirect(url_for("person.case_page", case_id=case_id, klart="sip_kollen"), 303)


@person_pages.errorhandler(404)
def not_found(_error):
    return _page("web/min_plan/meddelande.html", 404, person=person_sessions.current(),
                 title="Sidan finns inte", text="Det finns ingen sådan sida eller plan för dig.",
                 back=url_for("person.home"), back_text="Till Min plan")
