"""What every page of the web side shares: its security headers, where a sign-in may go afterwards, and the
page with a message."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import Response, make_response, redirect, render_template

# No inline scripts anywhere; inline styles are allowed, since bpmn-js sets them.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
                           "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# The web app checks a task's form in the browser with Ajv, which compiles each deployed form's schema into a
# function: its pages may evaluate code they build themselves, still from no script but the app's own.
APP_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-eval'")
SIGN_IN_PAGE = "/logga-in"
NOT_AFTER_SIGN_IN = ("/auth/", "/logga-in")


def protect(response: Response, policy: str = CONTENT_SECURITY_POLICY) -> Response:
    """Security headers: on every answer nosniff; on HTML pages also the content security policy, no framing
    and no referrer to other sites."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def protect_app(response: Response) -> Response:
    """The web app's pages: the same headers, with the policy that lets its form checks compile."""
    return protect(response, APP_CONTENT_SECURITY_POLICY)


def safe_next(value: str | None) -> str:
    """Where to go once signed in: a path of this site (one "/" first, no scheme, no host, no backslash, no
    control character), else "/". An open redirect would let a link through the sign-in lead anywhere."""
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(NOT_AFTER_SIGN_IN) or parts.path == SIGN_IN_PAGE:
        return "/"
    return value


def to_sign_in(error: str | None = None, next_path: str = "/", status: int = 303) -> Response:
    """A redirect to the sign-in page, with the error to show and where to go afterwards."""
    query = {**({"fel": error} if error else {}), **({"next": next_path} if next_path != "/" else {})}
    return redirect(SIGN_IN_PAGE + ("?" + urlencode(query) if query else ""), status)


def message_page(status: int, title: str, *paragraphs: str, command: str | None = None,
                 link: dict | None = None) -> Response:
    response = make_response(render_template("web/meddelande.html", title=title, paragraphs=paragraphs,
                                             command=command, link=link), status)
    response.headers["Cache-Control"] = "no-store"
    return response
