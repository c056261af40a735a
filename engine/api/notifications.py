"""Notifications over HTTP: each user's choice of what they are told and where (`/me/notifications`), and the
organisation's webhook subscriptions (`/webhooks`, for its admins and process owners). Each view turns HTTP into
a call of engine.notifications and the result back."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from ..notifications import kinds, preferences, webhooks
from .auth import current_principal
from .blueprint import Blueprint
from .presenters import utc
from .problems import problem_response

notifications_v1 = Blueprint("notifications", __name__, url_prefix="/api/v1",
                             description="Notifications: what each user is told, and webhooks")

KIND_LIST = ", ".join(f"`{kind}`" for kind in kinds.EVENT_KINDS)
CHOICE_LIST = "`immediately` (every event, at once), `daily` (a digest each morning) or `never`"


class EventKindOut(Schema):
    kind = fields.String(required=True, metadata={"description": f"one of {KIND_LIST}"})
    title = fields.String(required=True, metadata={"description": "what the web app calls it, in Swedish"})


class NotificationSettingsOut(Schema):
    email = fields.String(allow_none=True, required=True, metadata={
        "description": "where the user's e-mails go; none: the user gets no e-mail"})
    preferences = fields.Dict(keys=fields.String(), values=fields.String(), required=True, metadata={
        "description": f"per kind of event: {CHOICE_LIST}"})
    kinds = fields.List(fields.Nested(EventKindOut), required=True)


class NotificationSettingsIn(Schema):
    email = fields.String(allow_none=True, validate=validate.Length(max=320), metadata={
        "description": "the address for e-mails (name@example.se); null or an empty string removes it"})
    preferences = fields.Dict(keys=fields.String(validate=validate.Length(max=32)),
                              values=fields.String(validate=validate.Length(max=16)), metadata={
        "description": f"the kinds to change, each to {CHOICE_LIST}; kinds left out stay as they are. The server "
                       f"checks kinds ({KIND_LIST}) and choices, naming each wrong one in Swedish"})


class WebhookIn(Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000), metadata={
        "description": "the endpoint (https://…) that receives a POST per event. The server refuses (422) an "
                       "address with a user name or password, plain http:// (unless the operator allows it), and "
                       "one whose host is, or resolves to, an address that is not globally routable (loopback, "
                       "private, link-local, shared, multicast, reserved, in any spelling) unless the operator "
                       "allows that network (`SIP_WEBHOOK_ALLOWED_NETWORKS`); each delivery resolves the host "
                       "again, checks the addresses, connects to those and follows no redirect",
        "example": "https://example.se/sip"})
    event_kinds = fields.List(fields.String(validate=validate.Length(max=32)), required=True,
                              validate=validate.Length(max=len(kinds.EVENT_KINDS) * 2),
                              metadata={"description": f"the kinds of events to receive, among {KIND_LIST}"})


class WebhookOut(Schema):
    id = fields.String(required=True)
    url = fields.String(required=True)
    event_kinds = fields.List(fields.String(), required=True)
    created_at = fields.DateTime(required=True)
    created_by = fields.String(allow_none=True)
    active = fields.Boolean(required=True, metadata={"description": "false once disabled after failing deliveries"})
    disabled_at = fields.DateTime(allow_none=True)
    disabled_reason = fields.String(allow_none=True, metadata={"description": "why it was disabled, in Swedish"})


class CreatedWebhookOut(WebhookOut):
    secret = fields.String(required=True, metadata={
        "description": "the signing secret (`whsec_…`), shown only now: payloads are signed as Standard Webhooks "
                       "say (`webhook-id`, `webhook-timestamp`, `webhook-signature` = `v1,` + base64 HMAC-SHA256 of "
                       "`id.timestamp.body`)"})


class WebhookListOut(Schema):
    items = fields.List(fields.Nested(WebhookOut), required=True)


def settings_out(found: dict) -> dict:
    return {**found, "kinds": [{"kind": kind, "title": title} for kind, (title, _) in kinds.KINDS.items()]}


def webhook_out(subscription, secret: str | None = None) -> dict:
    out = {"id": subscription.id, "url": subscription.url, "event_kinds": list(subscription.event_kinds or []),
           "created_at": utc(subscription.created_at), "created_by": subscription.created_by,
           "active": subscription.disabled_at is None,
           "disabled_at": utc(subscription.disabled_at),
           "disabled_reason": subscription.disabled_reason}
    if secret is not None:
        out["secret"] = secret
    return out


@notifications_v1.route("/me/notifications")
class MyNotifications(MethodView):
    @notifications_v1.doc(operationId="getMyNotificationSettings")
    @notifications_v1.response(200, NotificationSettingsOut)
    @problem_response(notifications_v1, 401, "not signed in, or the session has ended")
    def get(self):
        """What the signed-in user is told, and where: the e-mail address and a choice per kind of event."""
        return settings_out(preferences.read(current_principal()))

    @notifications_v1.doc(operationId="putMyNotificationSettings")
    @notifications_v1.arguments(NotificationSettingsIn, error_status_code=400, required=False)
    @notifications_v1.response(200, NotificationSettingsOut)
    @problem_response(notifications_v1, 400, "an address or a choice is wrong (`errors` names each, in Swedish)")
    @problem_response(notifications_v1, 401, "not signed in, or the session has ended")
    def put(self, body):
        """Change the e-mail address and the choices named; the rest stays as it is."""
        return settings_out(preferences.update(current_principal(), body.get("email"), body.get("preferences"),
                                               email_given="email" in body))


@notifications_v1.route("/webhooks")
class Webhooks(MethodView):
    @notifications_v1.doc(operationId="listWebhooks")
    @notifications_v1.response(200, WebhookListOut)
    @problem_response(notifications_v1, 401, "not signed in, or the session has ended")
    @problem_response(notifications_v1, 403, "only the organisation's admins and process owners manage webhooks")
    def get(self):
        """The organisation's webhook subscriptions, with those disabled and why."""
        return {"items": [webhook_out(found) for found in webhooks.subscriptions_of(current_principal())]}

    @notifications_v1.doc(operationId="createWebhook")
    @notifications_v1.arguments(WebhookIn, error_status_code=400)
    @notifications_v1.response(201, CreatedWebhookOut)
    @problem_response(notifications_v1, 400, "the address or a kind of event is wrong (`errors` names each)")
    @problem_response(notifications_v1, 401, "not signed in, or the session has ended")
    @problem_response(notifications_v1, 403, "only the organisation's admins and process owners manage webhooks")
    @problem_response(notifications_v1, 422, "the server does not send to this address: credentials in it, plain "
                      "http, or an internal network (`errors` names `url`, saying why in Swedish)")
    def post(self, body):
        """Subscribe an endpoint of the organisation to kinds of events. The answer holds the signing secret,
        shown only this once."""
        subscription, secret = webhooks.create_subscription(current_principal(), body["url"], body["event_kinds"])
        return webhook_out(subscription, secret)


@notifications_v1.route("/webhooks/<string:subscription_id>")
class WebhookResource(MethodView):
    @notifications_v1.doc(operationId="deleteWebhook")
    @notifications_v1.response(204)
    @problem_response(notifications_v1, 401, "not signed in, or the session has ended")
    @problem_response(notifications_v1, 403, "only the organisation's admins and process owners manage webhooks")
    @problem_response(notifications_v1, 404, "no such subscription in your organisation")
    def delete(self, subscription_id):
        """Stop a subscription: nothing more is sent to it."""
        webhooks.delete_subscription(current_principal(), subscription_id)
