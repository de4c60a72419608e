#!/usr/bin/env node
// An OAuth client app (pluggedin-style: an MCP hub that logs in to MCP
// servers) instrumented with @opentelemetry/sdk-node, for otelcol-oauth.
//
// - Spans: every OAuth step the contract names (discovery, pkce.create,
//   authorize, callback, pkce.validate, token, revoke) carries
//   oauth.operation and the raw secrets it handled.
// - Logs: pino, with the pluggedin fields (`type: 'OAUTH_EVENT', operation`,
//   `type: 'SECURITY_EVENT', action`). @opentelemetry/instrumentation-pino
//   sends every pino record to the OTel Logs SDK: each pino field (other than
//   msg, level, time) becomes a log-record attribute, msg the body, and the
//   active span's trace and span ids come along. The agent config
//   (deploy/agent.yaml) maps OAUTH_EVENT operations onto the contract;
//   oauth_security reads SECURITY_EVENT actions as reported findings.
//   Refreshes are reported by pino only (as pluggedin does), carrying the
//   presented refresh token.
//
// It plays complete flows against an in-process, deliberately naive
// authorization server, including exactly one refresh-token reuse and one
// authorization-code injection, which the collector detects, and one
// tampered PKCE state the app reports itself. Then it flushes and exits 0
// (1 when an export failed).
//
//   node client.js --endpoint http://127.0.0.1:4318 --seed 7
'use strict';

const { parseArgs } = require('node:util');
const fs = require('node:fs');
const { Writable } = require('node:stream');

const { values: args } = parseArgs({
  options: {
    endpoint: { type: 'string', default: 'http://127.0.0.1:4318' },
    seed: { type: 'string', default: '0' },
    flows: { type: 'string', default: '3' },
    refreshes: { type: 'string', default: '3' },
    service: { type: 'string', default: 'node-oauth-client' },
    'client-id': { type: 'string', default: 'node-example-client' },
    'attack-delay-ms': { type: 'string', default: '2000' },
    record: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log(`usage: node client.js [--endpoint URL] [--seed N] [--flows N] [--refreshes N]
  [--service NAME] [--client-id ID] [--attack-delay-ms MS] [--record FILE]
See README.md.`);
  process.exit(0);
}
const flows = Number(args.flows);
const refreshes = Number(args.refreshes);
if (!(flows >= 2 && refreshes >= 1)) {
  console.error('need --flows >= 2 and --refreshes >= 1');
  process.exit(2);
}
let seed = Number(args.seed) >>> 0;
if (seed === 0) seed = (Date.now() & 0xffffffff) >>> 0 || 1;
const base = args.endpoint.replace(/\/+$/, '');

// --- OpenTelemetry: started before pino is loaded, so the pino
// instrumentation can patch it.
const { NodeSDK, tracing, logs, resources, core } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http');
const { PinoInstrumentation } = require('@opentelemetry/instrumentation-pino');

const { BatchSpanProcessor } = tracing;
const { BatchLogRecordProcessor } = logs;
const { resourceFromAttributes } = resources;
const { ExportResultCode } = core;

// Export failures make the exit status 1.
let exportFailed = null;
function watch(exporter) {
  const orig = exporter.export.bind(exporter);
  exporter.export = (items, done) =>
    orig(items, (result) => {
      if (result.code !== ExportResultCode.SUCCESS && !exportFailed) {
        exportFailed = result.error || new Error('export failed');
      }
      done(result);
    });
  return exporter;
}

const spanProcessor = new BatchSpanProcessor(watch(new OTLPTraceExporter({ url: `${base}/v1/traces` })));
const logProcessor = new BatchLogRecordProcessor({
  exporter: watch(new OTLPLogExporter({ url: `${base}/v1/logs` })),
});
const sdk = new NodeSDK({
  resource: resourceFromAttributes({
    'service.name': args.service,
    'oauth.client_id': args['client-id'],
  }),
  autoDetectResources: false,
  spanProcessors: [spanProcessor],
  logRecordProcessors: [logProcessor],
  // Log sending is on by default; the pino fields become attributes.
  instrumentations: [new PinoInstrumentation()],
});
sdk.start();

const api = require('@opentelemetry/api');
const pino = require('pino');

// The local pino output is dropped: it holds raw tokens, and this example
// prints nothing secret. (In production the collector's agent is where
// secrets are fingerprinted; never ship raw pino lines elsewhere.)
const discard = new Writable({ write(_chunk, _enc, cb) { cb(); } });
const logger = pino({ level: 'info', base: undefined }, discard);

const tracer = api.trace.getTracer('otelcol-oauth/examples/node-client');
const clientId = args['client-id'];
const PROVIDER = 'example-mcp-idp';
const ISSUER = 'https://mcp-idp.example.com';
const REDIRECT = 'https://hub.example.com/api/oauth/callback';

// --- seeded randomness (mulberry32), so a seed replays the same secrets.
let rngState = seed;
function rnd() {
  rngState = (rngState + 0x6d2b79f5) >>> 0;
  let t = rngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const random = (n) => Array.from({ length: n }, () => ALPHABET[Math.floor(rnd() * 64)]).join('');
const record = { client_id: clientId, seed, flows: 0, refreshes: 0, secrets: [] };
function secret(prefix, n) {
  const s = prefix + random(n);
  record.secrets.push(s);
  return s;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ids = (span) => ({ trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });

// The naive authorization server: it never invalidates a redeemed code or a
// rotated refresh token.
const as = { codes: new Map(), refresh: new Map() };

// span runs fn inside a new active span with the contract's attributes.
async function span(name, kind, attrs, fn) {
  return tracer.startActiveSpan(
    name,
    { kind, attributes: { 'oauth.client_id': clientId, 'oauth.provider': PROVIDER, ...attrs } },
    async (sp) => {
      try {
        return await fn(sp);
      } catch (err) {
        sp.setStatus({ code: api.SpanStatusCode.ERROR, message: String(err.message) });
        throw err;
      } finally {
        sp.end();
      }
    },
  );
}
const { SERVER, CLIENT, INTERNAL } = api.SpanKind;

async function discover() {
  await span('oauth discovery', CLIENT, {
    'oauth.operation': 'discovery',
    'oauth.discovery.method': 'www-authenticate',
    'oauth.iss': ISSUER,
    'url.full': `${ISSUER}/.well-known/oauth-authorization-server`,
  }, async () => {
    await sleep(10 + rnd() * 20);
    logger.info({ type: 'OAUTH_EVENT', operation: 'oauth_discovery_complete', clientId, issuer: ISSUER },
      'oauth discovery: metadata cached');
  });
}

// login: the "connect" request (pkce.create, authorize), then the callback
// (pkce.validate, token). With injected, that code comes back instead of a
// fresh one.
async function login(userId, injected) {
  const state = secret('nst-', 32);
  const verifier = secret('ncv-', 43);
  await span('POST /api/oauth/connect', SERVER, {}, async () => {
    await span('oauth pkce.create', INTERNAL,
      { 'oauth.operation': 'pkce.create', 'oauth.state': state, code_verifier: verifier, 'enduser.id': userId },
      async () => {});
    const url = `${ISSUER}/authorize?response_type=code&client_id=${encodeURIComponent(clientId)}` +
      `&redirect_uri=${encodeURIComponent(REDIRECT)}&state=${state}&code_challenge_method=S256&code_challenge=${random(43)}`;
    await span('oauth authorize', INTERNAL,
      { 'oauth.operation': 'authorize', 'oauth.state': state, 'url.full': url, 'enduser.id': userId },
      async () => {
        logger.info({ type: 'OAUTH_EVENT', operation: 'oauth_authorize_redirect', clientId, userId },
          'oauth authorize: redirecting');
      });
  });
  await sleep(20 + rnd() * 40);
  let code = injected;
  if (!code) {
    code = secret('nac-', 32);
    as.codes.set(code, userId);
  }
  const session = { userId, code };
  const cbURL = `${REDIRECT}?code=${code}&state=${state}&iss=${encodeURIComponent(ISSUER)}`;
  session.callback = await span('oauth callback', SERVER, {
    'oauth.operation': 'callback', 'oauth.state': state, 'oauth.code': code,
    'oauth.iss': ISSUER, 'url.full': cbURL, 'enduser.id': userId,
  }, async (cb) => {
    await span('oauth pkce.validate', INTERNAL,
      { 'oauth.operation': 'pkce.validate', 'oauth.state': state, 'enduser.id': userId }, async () => {});
    session.access = secret('nat-', 40);
    session.refresh = secret('nrt-', 40);
    as.refresh.set(session.refresh, userId);
    await span('oauth token', CLIENT, {
      'oauth.operation': 'token', 'oauth.grant_type': 'authorization_code',
      code_verifier: verifier, access_token: session.access, refresh_token: session.refresh,
      'oauth.token.expires_in': 3600, 'enduser.id': userId,
    }, async () => sleep(5 + rnd() * 15));
    logger.info({ type: 'OAUTH_EVENT', operation: 'oauth_callback_complete', clientId, userId, access_token: session.access },
      'oauth callback: tokens stored');
    return ids(cb);
  });
  return session;
}

// refresh: pluggedin reports refreshes through pino only. The log runs in
// the refresh job's span (not an OAuth span), so it has its own trace and is
// counted once; it carries the presented refresh token, which the collector
// fingerprints and correlates.
async function refresh(session, presented) {
  return span('refresh-token job', INTERNAL, {}, async (job) => {
    await sleep(5 + rnd() * 15);
    if (!as.refresh.has(presented)) throw new Error('invalid_grant');
    if (!session.firstRefresh) session.firstRefresh = presented;
    session.access = secret('nat-', 40);
    session.refresh = secret('nrt-', 40);
    as.refresh.set(session.refresh, session.userId);
    logger.info({
      type: 'OAUTH_EVENT', operation: 'token_refresh_success', clientId, userId: session.userId,
      provider: PROVIDER, refresh_token: presented,
    }, 'oauth token refreshed');
    record.refreshes++;
    return ids(job);
  });
}

// A callback whose PKCE state fails its integrity check (the stored hash no
// longer matches): the app rejects it and reports it, pluggedin-style.
async function tamperedState(userId) {
  const state = secret('nst-', 32);
  return span('GET /api/oauth/callback', SERVER, {}, async (req) => {
    await span('oauth pkce.validate', INTERNAL, {
      'oauth.operation': 'pkce.validate', 'oauth.status': 'failure', 'oauth.reason': 'invalid_hash',
      'oauth.state': state, 'enduser.id': userId,
    }, async (sp) => {
      sp.setStatus({ code: api.SpanStatusCode.ERROR, message: 'state integrity check failed' });
    });
    logger.warn({ type: 'SECURITY_EVENT', action: 'pkce_state_integrity_violation', clientId, userId },
      'oauth security: PKCE state integrity violation');
    return ids(req);
  });
}

async function revoke(session) {
  await span('oauth revoke', CLIENT, {
    'oauth.operation': 'revoke', 'oauth.reason': 'manual',
    access_token: session.access, refresh_token: session.refresh, 'enduser.id': session.userId,
  }, async () => {
    logger.info({ type: 'OAUTH_EVENT', operation: 'token_revoked', clientId, userId: session.userId },
      'oauth revoke: connection removed');
  });
}

async function main() {
  await discover();
  const sessions = [];
  for (let i = 1; i <= flows; i++) {
    sessions.push(await login(`node-user-${i}`));
    record.flows++;
  }
  for (let r = 0; r < refreshes; r++) {
    for (const s of sessions) await refresh(s, s.refresh);
  }
  record.integrity_violation = await tamperedState(sessions[0].userId);

  // The attacks come later: the legitimate uses must reach the collector first.
  await spanProcessor.forceFlush();
  await logProcessor.forceFlush();
  await sleep(Number(args['attack-delay-ms']));

  // 1. node-user-1's first refresh token, rotated away, is presented again
  // (a stale copy in another worker); the naive AS accepts it.
  const victim = sessions[0];
  record.token_reuse = await refresh(victim, victim.firstRefresh);
  // 2. node-user-2's redeemed code is injected into another user's callback.
  record.code_injection = (await login('node-attacker', sessions[1].code)).callback;

  for (const s of sessions) await revoke(s);
  await sdk.shutdown();
  if (exportFailed) {
    console.error(`node-client: export failed: ${exportFailed.message || exportFailed}`);
    process.exit(1);
  }
  if (args.record) fs.writeFileSync(args.record, JSON.stringify(record, null, 2), { mode: 0o600 });
  console.log(`node-client: ${record.flows} flows, ${record.refreshes} refreshes, 1 refresh-token reuse, ` +
    `1 code injection, 1 reported integrity violation sent to ${base} (seed ${seed})`);
}

main().catch((err) => {
  console.error(`node-client: ${err.stack || err}`);
  process.exit(1);
});
