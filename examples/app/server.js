// svd's example app: GET / records a visit in PostgreSQL and answers with the
// database's clock and the visit count, as JSON. GET /healthz answers without
// touching the database. Behind the gateway (etc/gateway, or Kong), the answer
// also names the key the caller used (X-Consumer-Username: anon or
// service_role, set by the gateway after its key check). Connection settings come from the standard libpq
// variables (PGHOST, PGPORT, PGUSER, PGDATABASE) that services/app.yaml sets; with
// PGHOST a directory, pg connects over the Unix socket and PostgreSQL's peer
// authentication matches the OS user (svd-app) to the role of the same name.
'use strict';

const http = require('http');
const { Pool } = require('pg');

const host = process.env.APP_HOST || '127.0.0.1';
const port = Number(process.env.APP_PORT || 8080);

const pool = new Pool({ max: 4, idleTimeoutMillis: 30000, connectionTimeoutMillis: 5000 });
// An idle client losing its connection (say, PostgreSQL restarting) must not
// take the process down; the next query gets a fresh connection.
pool.on('error', (err) => console.error(`pg: idle client error: ${err.message}`));

let schemaReady = null;
function ensureSchema() {
  if (!schemaReady) {
    schemaReady = pool
      .query(
        'CREATE TABLE IF NOT EXISTS visits (' +
          'id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), path text NOT NULL)'
      )
      .catch((err) => {
        schemaReady = null; // try again on the next request
        throw err;
      });
  }
  return schemaReady;
}

function send(res, status, body) {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

async function visit(path) {
  await ensureSchema();
  const client = await pool.connect();
  try {
    await client.query('INSERT INTO visits (path) VALUES ($1)', [path]);
    const { rows } = await client.query(
      'SELECT now() AS now, count(*)::bigint AS visits, current_user AS role, ' +
        'current_database() AS database, version() AS version FROM visits'
    );
    return rows[0];
  } finally {
    client.release();
  }
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, { error: 'method not allowed' });
    return;
  }
  if (url.pathname === '/healthz') {
    send(res, 200, { ok: true, pid: process.pid });
    return;
  }
  if (url.pathname !== '/') {
    send(res, 404, { error: 'not found' });
    return;
  }
  visit(url.pathname).then(
    (row) =>
      send(res, 200, {
        ok: true,
        now: row.now,
        visits: Number(row.visits),
        role: row.role,
        database: row.database,
        postgres: row.version,
        consumer: req.headers['x-consumer-username'] || null,
        pid: process.pid,
      }),
    (err) => {
      console.error(`GET /: ${err.message}`);
      send(res, 503, { ok: false, error: err.message });
    }
  );
});

server.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}/ (postgres ${process.env.PGHOST || 'default'}:${process.env.PGPORT || 5432})`);
});

// svd stops services with SIGTERM (the default stop signal): finish in-flight
// requests, close the pool, exit 0 so the stop is not counted as a failure.
let stopping = false;
function shutdown(sig) {
  if (stopping) return;
  stopping = true;
  console.log(`${sig}: shutting down`);
  const force = setTimeout(() => process.exit(0), 5000);
  force.unref();
  server.close(() => pool.end().finally(() => process.exit(0)));
  server.closeIdleConnections?.();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
