"""The plan in easy-read Swedish: a second rendering of the same plan for the person and their family."""

from __future__ import annotations

from datetime import datetime

from flask import Response, render_template
from flask.views import MethodView

from ..calendar import SWEDISH_TIME
from ..services import cases as case_service
from .auth import current_principal
from .presenters import plan_out
from .problems import problem_response
from .resources import NO_SUCH_CASE, api_v1


@api_v1.route("/cases/<string:case_id>/plan/easy-read")
class EasyReadPlanResource(MethodView):
    @problem_response(api_v1, 404, NO_SUCH_CASE)
    @api_v1.doc(operationId="getCaseEasyReadPlan", responses={"200": {"description": "the easy-read plan", "content": {
        "text/html": {"schema": {"type": "string", "description": "the plan in plain Swedish, on one page"}}}}})
    def get(self, case_id):
        """The plan for the person and their family in plain words (easy-read Swedish, "du"), with pictures: what
        they want, the help they get and from whom, what they do themselves, whom to call when something does not
        work, and when everyone meets again; printable on one A4 page. The same plan as `GET /cases/{id}/plan`
        with `Accept: text/html`, and ready as soon as everyone has approved it."""
        principal = current_principal()
        case, scope = case_service.read_case(case_id, principal, action="read_plan")
        plan = plan_out(case, scope, principal.organisation if principal else None)
        page = render_template("plan_lattlast.html", plan=plan, printed_at=datetime.now(SWEDISH_TIME).date())
        # A lone surrogate (text stored before entry refused them) has no UTF-8 form: it is shown as U+FFFD.
        page = page.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return Response(page, mimetype="text/html", headers={
            # Everything on the page is the plan's own text and its own pictures: no scripts, nothing fetched.
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "Cache-Control": "no-store"})
