#!/usr/bin/env node
// A local OpenID Connect provider for development and tests (never for production): the npm package
// oidc-provider with static accounts, the authorization code flow with PKCE required, and a minimal login
// page of its own (labelled fields, in Swedish) instead of the package's development pages.
//
//   node webapp/scripts/oidc-provider.mjs [--port 9000] [--issuer http://localhost:9000]
//        [--client-id sip-web] [--client-secret dev-secret] [--token-auth client_secret_basic|client_secret_post]
//        [--redirect-uri URI ...] [--post-logout-redirect-uri URI ...] [--password demo] [--accounts FILE]
//
// Each option can also be given as an environment variable: OIDC_DEV_PORT, OIDC_DEV_ISSUER, OIDC_DEV_CLIENT_ID,
// OIDC_DEV_CLIENT_SECRET, OIDC_DEV_TOKEN_AUTH, OIDC_DEV_REDIRECT_URIS and OIDC_DEV_POST_LOGOUT_REDIRECT_URIS
// (comma-separated), OIDC_DEV_PASSWORD, OIDC_DEV_ACCOUNTS.
//
// Accounts: the demo users of `flask --app engine demo` (sign in as `eva`, `per`, `karin`, ... with the password,
// default `demo`); the ID token's `sub` is the demo user name (`demo.eva`), with `name` and `org` (the
// organisation's name as registered). `--accounts FILE` replaces them: a JSON list of
// {"login", "sub", "name", "org"}, and for a person who signs in to their own plan (/min-plan) instead of staff,
// {"login", "sub", "name", "personalIdentityNumber"}: the ID token then carries the Swedish OIDC profile's claim
// https://id.oidc.se/claim/personalIdentityNumber. The demo accounts include one such person, `tolvan` (Tolvan
// Tolvansson, 191212121212, a test number of Skatteverket's).
//
// The login page has the fields "Användarnamn" and "Lösenord" and the button "Logga in" ("Avbryt" cancels).
// Consent is not asked: the one client is the product itself. Prints "ready <issuer>" once listening; stops on
// SIGTERM or SIGINT.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import { parseArgs } from "node:util";

import Provider from "oidc-provider";

const DEMO_ACCOUNTS = [
  ["eva", "Eva Ek", "Kristianstads kommun, hemtjänst Norr"],
  ["lisa", "Lisa Lund", "Kristianstads kommun, hemsjukvården"],
  ["per", "Per Berg", "Region Skåne, vårdcentral Näsby"],
  ["omar", "Omar Ali", "Region Skåne, psykiatrisk öppenvård Kristianstad"],
  ["karin", "Karin Holm", "Jönköpings kommun, socialtjänsten"],
  ["johan", "Johan Ek", "Jönköpings kommun, LSS"],
  ["maria", "Maria Lind", "Region Jönköpings län, vårdcentralen Öxnehaga"],
  ["ali", "Ali Hassan", "Region Jönköpings län, Länssjukhuset Ryhov"],
  ["sara", "Sara Sten", "Jönköpings kommun, Ekhagens skola"],
  ["anders", "Anders Berg", "Göteborgs Stad, socialtjänst Centrum"],
  ["fatima", "Fatima Noor", "Västra Götalandsregionen, BUP Göteborg"],
  ["nils", "Nils Ström", "Västra Götalandsregionen, vårdcentralen Centrum"],
  ["emma", "Emma Dahl", "Göteborgs Stad, grundskola Centrum"],
  ["helena", "Helena Sjö", "Stockholms stad, socialtjänst Södermalm"],
  ["david", "David Ruiz", "Region Stockholm, BUP Södermalm"],
  ["ingrid", "Ingrid Falk", "Region Stockholm, vårdcentral Rosenlund"],
  ["yusuf", "Yusuf Kaya", "Stockholms stad, Södermalmsskolan"],
  ["admin", "Admin Adminsson", "SIP förvaltning"],
].map(([login, name, org]) => ({ login, sub: `demo.${login}`, name, org }));
DEMO_ACCOUNTS.push({ login: "tolvan", sub: "person.tolvan", name: "Tolvan Tolvansson",
  personalIdentityNumber: "191212121212" });
const NUMBER_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber";

const list = (value) => (value ? value.split(",").map((v) => v.trim()).filter(Boolean) : []);

const { values: args } = parseArgs({
  options: {
    port: { type: "string" },
    issuer: { type: "string" },
    "client-id": { type: "string" },
    "client-secret": { type: "string" },
    "token-auth": { type: "string" },
    "redirect-uri": { type: "string", multiple: true },
    "post-logout-redirect-uri": { type: "string", multiple: true },
    password: { type: "string" },
    accounts: { type: "string" },
  },
});
const env = process.env;
const port = Number(args.port ?? env.OIDC_DEV_PORT ?? 9000);
const issuer = args.issuer ?? env.OIDC_DEV_ISSUER ?? `http://localhost:${port}`;
const clientId = args["client-id"] ?? env.OIDC_DEV_CLIENT_ID ?? "sip-web";
const clientSecret = args["client-secret"] ?? env.OIDC_DEV_CLIENT_SECRET ?? "dev-secret";
const tokenAuth = args["token-auth"] ?? env.OIDC_DEV_TOKEN_AUTH ?? "client_secret_basic";
const redirectUris = args["redirect-uri"] ?? list(env.OIDC_DEV_REDIRECT_URIS);
const postLogoutUris = args["post-logout-redirect-uri"] ?? list(env.OIDC_DEV_POST_LOGOUT_REDIRECT_URIS);
const password = args.password ?? env.OIDC_DEV_PASSWORD ?? "demo";
const accountsFile = args.accounts ?? env.OIDC_DEV_ACCOUNTS;
const accounts = accountsFile ? JSON.parse(readFileSync(accountsFile, "utf8")) : DEMO_ACCOUNTS;

const defaultRedirects = ["http://127.0.0.1:8000", "http://localhost:8000", "http://localhost:5173"];
const client = {
  client_id: clientId,
  client_secret: clientSecret,
  token_endpoint_auth_method: tokenAuth,
  grant_types: ["authorization_code"],
  response_types: ["code"],
  redirect_uris: redirectUris.length
    ? redirectUris
    : defaultRedirects.flatMap((o) => [`${o}/auth/oidc/callback`, `${o}/min-plan/logga-in/svar`]),
  post_logout_redirect_uris: postLogoutUris.length ? postLogoutUris : defaultRedirects.map((o) => `${o}/logga-in`),
};

const bySub = new Map(accounts.map((a) => [a.sub, a]));
const byLogin = new Map(accounts.map((a) => [a.login, a]));

const provider = new Provider(issuer, {
  clients: [client],
  pkce: { required: () => true },
  claims: { openid: ["sub"], profile: ["name", "org", NUMBER_CLAIM] },
  // The product reads who signs in from the ID token alone: put the profile's claims in it.
  conformIdTokenClaims: false,
  cookies: { keys: [randomBytes(32).toString("hex")] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, sub) {
    const account = bySub.get(sub);
    if (!account) return undefined;
    const number = account.personalIdentityNumber ? { [NUMBER_CLAIM]: account.personalIdentityNumber } : {};
    return { accountId: sub, claims: async () => ({ sub, name: account.name, org: account.org, ...number }) };
  },
  // First-party client: no consent page; what it asks of openid and profile is granted.
  async loadExistingGrant(ctx) {
    const { oidc } = ctx;
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
    const grant = grantId
      ? await oidc.provider.Grant.find(grantId)
      : new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
    grant.addOIDCScope("openid profile");
    grant.addOIDCClaims(["sub", "name", "org", NUMBER_CLAIM]);
    await grant.save();
    return grant;
  },
  async renderError(ctx, out) {
    ctx.type = "html";
    ctx.body = page("Fel vid inloggning", `<p>${escape(out.error)}: ${escape(out.error_description ?? "")}</p>`);
  },
});

function escape(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="sv">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} – lokal identitetsleverantör</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 32rem; padding: 0 1rem; color: #1b1b1b; }
label { display: block; margin-top: 1rem; font-weight: 600; }
input { font: inherit; padding: .5rem; width: 100%; box-sizing: border-box; border: 1px solid #555; }
button { font: inherit; margin-top: 1rem; padding: .5rem 1rem; }
:focus-visible { outline: 3px solid #1a4a8a; outline-offset: 2px; }
.fel { color: #9b1c1c; font-weight: 600; }
</style></head>
<body><main>
<h1>${escape(title)}</h1>
${body}
</main></body></html>`;
}

function loginPage(uid, params, error) {
  const hint = params.login_hint ? ` value="${escape(params.login_hint)}"` : "";
  const rows = accounts.map(
    (a) => `<li><code>${escape(a.login)}</code> – ${escape(a.name)}, ${escape(a.org ?? "privatperson")}</li>`,
  );
  return page("Logga in", `<p>Lokal identitetsleverantör för utveckling och test. Lösenordet är detsamma för alla
konton.</p>
${error ? `<p class="fel" role="alert">${escape(error)}</p>` : ""}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">Användarnamn</label>
<input id="login" name="login" autocomplete="username" required autofocus${hint}>
<label for="password">Lösenord</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Logga in</button>
</form>
<form method="post" action="/interaction/${escape(uid)}/abort"><button type="submit">Avbryt</button></form>
<h2>Konton</h2>
<ul>${rows.join("\n")}</ul>`);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 65536) throw new Error("body too large");
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function send(res, status, html) {
  res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  res.end(html);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page("Fel vid inloggning", "<p>Okänd inloggning.</p>"));
  if (details.prompt.name !== "login") {
    // consent: granted by loadExistingGrant; finish the interaction with what it asked.
    return provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
  }
  if (req.method === "GET" && !action) return send(res, 200, loginPage(uid, details.params));
  if (req.method === "POST" && action === "abort") {
    return provider.interactionFinished(req, res, {
      error: "access_denied", error_description: "End-User aborted interaction",
    }, { mergeWithLastSubmission: false });
  }
  if (req.method === "POST" && action === "login") {
    const form = await readForm(req);
    const account = byLogin.get((form.get("login") ?? "").trim());
    if (!account || form.get("password") !== password) {
      return send(res, 200, loginPage(uid, details.params, "Fel användarnamn eller lösenord."));
    }
    return provider.interactionFinished(req, res, { login: { accountId: account.sub } },
      { mergeWithLastSubmission: false });
  }
  return send(res, 405, page("Fel vid inloggning", "<p>Metoden stöds inte.</p>"));
}

const handle = provider.callback();
const server = http.createServer((req, res) => {
  const match = /^\/interaction\/([\w-]+)(?:\/(login|abort))?\/?$/.exec(new URL(req.url, issuer).pathname);
  if (!match) return handle(req, res);
  interaction(req, res, match[1], match[2]).catch((err) => {
    if (!res.headersSent) send(res, 400, page("Fel vid inloggning", `<p>${escape(err.message)}</p>`));
    else res.end();
  });
});

server.listen(port, () => console.log(`ready ${issuer}`));

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
