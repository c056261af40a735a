"""Webhooks cannot be aimed at what only the server reaches: an address that is, in any spelling, or whose name
resolves to, a loopback, private, link-local, shared, multicast, reserved or unspecified address is refused when
subscribing and again at each delivery; so are credentials in the address and plain http, unless the operator
allows them; a redirect is a failed delivery, not followed. The real receiver on 127.0.0.1 takes webhooks only
because the tests' configuration allows its network, as an on-premise deployment would."""

from __future__ import annotations

import datetime as dt
import ssl
from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from engine.database import db
from engine.notifications.sender import sweep
from engine.store import Notification, WebhookSubscription
from tests.api.conftest import signed_in, user_token
from tests.notifications.conftest import LOCAL_RECEIVERS, receiving
from tests.notifications.test_email import summoned
from tests.notifications.test_webhooks import VC, subscribe

INTERNAL = "adressen pekar på ett internt nät"
HOSTILE = [
    "http://127.0.0.1:{port}/sip-webhook",  # loopback
    "http://127.0.0.2/", "http://10.0.0.1/", "http://172.16.5.4/", "http://192.168.1.1/",  # loopback, private
    "http://169.254.169.254/latest/meta-data/",  # link-local: a cloud's metadata service
    "http://100.64.0.1/", "http://0.0.0.0/", "http://224.0.0.1/", "http://240.0.0.1/",  # shared, unspecified, …
    "http://255.255.255.255/", "https://192.0.2.10/",  # broadcast, documentation
    "http://2130706433:{port}/", "http://0x7f.1:{port}/", "http://017700000001/", "http://127.1/",  # 127.0.0.1
    "http://0xa9fea9fe/",  # 169.254.169.254
    "http://[::1]:{port}/", "http://[::]/", "http://[::ffff:127.0.0.1]:{port}/", "http://[::ffff:7f00:1]/",
    "http://[::ffff:169.254.169.254]/", "http://[fe80::1]/", "http://[fe80::1%25lo]/", "http://[fc00::1]/",
    "http://[fd12:3456::1]/", "http://[ff02::1]/", "https://[2002:a9fe:a9fe::1]/",  # 6to4 around 169.254.169.254
    "https://[64:ff9b::7f00:1]/", "https://[2001:db8::1]/",
    "http://localhost:{port}/sip-webhook", "https://LOCALHOST./",  # a name that resolves to 127.0.0.1
]


def admin_of(app):
    return signed_in(app, user_token("vc-admin", VC, roles=("staff", "admin")))


def refused_at_url(answer) -> str:
    assert answer.status_code == 422, answer.json
    assert answer.mimetype == "application/problem+json"
    assert [e["field"] for e in answer.json["errors"]] == ["url"]
    return answer.json["errors"][0]["message"]


def webhook_row() -> Notification:
    db.session.expire_all()
    return db.session.scalars(sa.select(Notification).where(Notification.channel == "webhook")).one()


def test_internal_addresses_in_any_spelling_are_refused_when_subscribing(app, receiver):
    app.config.update(WEBHOOK_ALLOWED_NETWORKS="10.20.0.0/16")  # another network: allows none of these
    admin = admin_of(app)
    for url in HOSTILE:
        url = url.format(port=receiver.port)
        answer = admin.post("/api/v1/webhooks", json={"url": url, "event_kinds": ["summons"]})
        assert refused_at_url(answer).startswith(INTERNAL), url
    assert admin.get("/api/v1/webhooks").json["items"] == [], "nothing stored"

    # A global address passes, and so does the operator's network.
    for url in ("https://8.8.8.8/sip", "https://[2606:4700::1111]/sip", "http://10.20.3.4/sip"):
        assert admin.post("/api/v1/webhooks", json={"url": url, "event_kinds": ["summons"]}).status_code == 201, url
    assert len(admin.get("/api/v1/webhooks").json["items"]) == 3


def test_credentials_and_plain_http_are_refused_unless_the_operator_allows_http(app, receiver, monkeypatch):
    admin = admin_of(app)
    answer = admin.post("/api/v1/webhooks", json={"url": "https://sip:hemligt@8.8.8.8/", "event_kinds": ["summons"]})
    assert refused_at_url(answer) == "adressen får inte innehålla användarnamn eller lösenord"

    app.config["WEBHOOK_ALLOW_HTTP"] = ""
    answer = admin.post("/api/v1/webhooks", json={"url": receiver.url, "event_kinds": ["summons"]})
    assert refused_at_url(answer).startswith("adressen måste börja med https://")
    answer = admin.post("/api/v1/webhooks", json={"url": "http://8.8.8.8/", "event_kinds": ["summons"]})
    assert refused_at_url(answer).startswith("adressen måste börja med https://")

    # Both settings read from the environment, as the operator sets them; a host name may be allowed too.
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ""
    monkeypatch.setenv("SIP_WEBHOOK_ALLOW_HTTP", "true")
    monkeypatch.setenv("SIP_WEBHOOK_ALLOWED_NETWORKS", "10.20.0.0/16, localhost")
    local = f"http://localhost:{receiver.port}/sip-webhook"
    assert admin.post("/api/v1/webhooks", json={"url": local, "event_kinds": ["summons"]}).status_code == 201
    answer = admin.post("/api/v1/webhooks", json={"url": receiver.url, "event_kinds": ["summons"]})
    assert refused_at_url(answer).startswith(INTERNAL), "127.0.0.1 by its address is not the name allowed"


def test_without_the_allowance_the_local_receiver_is_refused_at_subscription_and_at_delivery(sending, staff,
                                                                                              receiver):
    admin = admin_of(sending)
    sending.config["WEBHOOK_ALLOWED_NETWORKS"] = ""
    answer = admin.post("/api/v1/webhooks", json={"url": receiver.url, "event_kinds": ["summons"]})
    assert refused_at_url(answer).startswith(INTERNAL)

    # Subscribed while allowed; the allowance gone (or the name resolving elsewhere), the delivery refuses it.
    sending.config.update(LOCAL_RECEIVERS)
    subscribe(sending, receiver, kinds=("summons",))
    sending.config["WEBHOOK_ALLOWED_NETWORKS"] = ""
    summoned(place="Näsby vårdcentral")
    sweep()
    assert receiver.received == [] and receiver.refused == [], "no connection at all"
    row = webhook_row()
    assert (row.status, row.last_error) == ("pending", INTERNAL)

    sending.config.update(LOCAL_RECEIVERS)
    with time_machine.travel(row.next_attempt_at.replace(tzinfo=UTC) + timedelta(seconds=1)):
        sweep()
    assert len(receiver.received) == 1 and webhook_row().status == "sent"


def test_a_redirect_is_a_failed_delivery_and_is_not_followed(sending, staff, receiver):
    with receiving("127.0.0.2") as internal:  # outside the allowance (127.0.0.1/32)
        admin, created = subscribe(sending, receiver, kinds=("summons",))
        receiver.statuses, receiver.location = [302], internal.url
        summoned(place="Näsby vårdcentral")
        sweep()
        assert internal.received == [] and internal.refused == [], "the redirect was not followed"
    assert len(receiver.refused) == 1, "the receiver answered the one POST with its redirect"
    row = webhook_row()
    assert row.status == "pending"
    assert row.last_error.startswith("mottagaren svarade HTTP 302, en omdirigering, som inte följs")


@pytest.fixture
def tls_for_localhost(tmp_path, monkeypatch):
    """A server context with a certificate for `localhost` from a CA the client trusts (SSL_CERT_FILE), and the
    names the server was asked for by SNI."""
    now = dt.datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "SIP test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
          .not_valid_after(now + timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "leaf.pem")
    context.asked = []
    context.sni_callback = lambda sock, name, ctx: context.asked.append(name)
    return context


def test_https_goes_to_the_checked_address_with_the_name_as_host_and_sni_and_the_certificate_checked(
        sending, staff, tls_for_localhost):
    sending.config.update(WEBHOOK_ALLOWED_NETWORKS="127.0.0.1/32", WEBHOOK_ALLOW_HTTP="")
    with receiving(tls=tls_for_localhost) as receiver:
        receiver.url = f"https://localhost:{receiver.port}/sip-webhook"
        subscribe(sending, receiver, kinds=("summons",))
        summoned(place="Näsby vårdcentral")
        sweep()
        assert len(receiver.received) == 1
        assert receiver.received[0]["headers"]["host"] == f"localhost:{receiver.port}"
        assert "localhost" in tls_for_localhost.asked

        # The same receiver by its address: the certificate does not name it, so nothing is sent.
        db.session.execute(sa.update(WebhookSubscription).values(url=f"https://127.0.0.1:{receiver.port}/sip"))
        db.session.commit()
        summoned(place="Näsby vårdcentral")
        sweep()
        assert len(receiver.received) == 1
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Notification).where(Notification.channel == "webhook")
                              .order_by(Notification.id)).all()
    assert [(row.status, row.last_error) for row in rows] == [
        ("sent", None), ("pending", "mottagarens TLS-certifikat godtogs inte")]
