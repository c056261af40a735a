"""The staff web app's side of the server: signing in through the browser (the sign-in page, OpenID Connect,
the demo users in development), server-side sessions, and serving the built web app."""

from __future__ import annotations

from flask import Flask, g


def register_web(app: Flask) -> None:
    from . import sessions
    from .app_shell import app_shell, register_converter
    from .person_pages import person_pages
    from .sign_in import sign_in_pages

    register_converter(app)
    app.register_blueprint(sign_in_pages)
    app.register_blueprint(person_pages)
    app.register_blueprint(app_shell)

    @app.after_request
    def clear_ended_session(response):
        """An API request whose session has ended (or is unknown) also clears the cookies."""
        if g.get("clear_session_cookies"):
            sessions.clear_cookies(response)
        return response
