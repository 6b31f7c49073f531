'use strict'
// Operator endpoints for a process that embeds the SDK, on plain node:http:
//   GET /metrics       Prometheus text (or OpenMetrics when the scraper asks for it)
//   GET /health        full health, application/health+json; 503 when critical
//   GET /health/live   liveness: 200 while the process answers (getHealthCheck, no I/O)
//   GET /health/ready  readiness: 503 when the health level is critical, so traffic moves elsewhere
//
// Run: PORT=9464 node examples/http-server.js   (PORT=0 picks a free port; the URL is printed)
// Configure through TARI_* variables, e.g. TARI_HEALTH_CHECK_INTERVAL_MS=1000 TARI_LOG_LEVEL=info.
const http = require('node:http')
const sdk = require('../lib/sdk.js')

const json = (res, status, body, type = 'application/json') => {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
  res.end(JSON.stringify(body))
}

const routes = {
  '/metrics': (req, res) => {
    const openMetrics = /application\/openmetrics-text/.test(req.headers.accept ?? '')
    res.writeHead(200, { 'content-type': openMetrics ? sdk.OPENMETRICS_CONTENT_TYPE : sdk.PROMETHEUS_CONTENT_TYPE })
    res.end(sdk.getPrometheusMetrics(openMetrics ? 'openmetrics' : 'text'))
  },
  '/health': (req, res) => {
    const h = sdk.getHealthStatus()
    json(res, h.status === 'fail' ? 503 : 200, { ...h, version: sdk.getVersion().sdk }, 'application/health+json')
  },
  '/health/live': (req, res) => {
    const { level, uptimeSeconds } = sdk.getHealthCheck()
    json(res, 200, { status: 'pass', level, uptimeSeconds }, 'application/health+json')
  },
  '/health/ready': (req, res) => {
    // Evaluate now rather than trust the monitor's last run: readiness gates traffic.
    const h = sdk.getHealthStatus()
    json(res, h.level === 'critical' ? 503 : 200, { status: h.status, level: h.level }, 'application/health+json')
  },
}

function createServer() {
  return http.createServer((req, res) => {
    const route = req.method === 'GET' ? routes[new URL(req.url, 'http://x').pathname] : undefined
    if (!route) return json(res, 404, { error: 'not found' })
    try {
      route(req, res)
    } catch (err) {
      json(res, 500, { error: err.code ?? 'ERR_INTERNAL', message: err.message })
    }
  })
}

if (require.main === module) {
  sdk.init()
  const server = createServer()
  server.listen(Number(process.env.PORT ?? 9464), process.env.HOST ?? '127.0.0.1', () => {
    const { address, port } = server.address()
    console.log(`listening on http://${address}:${port}`)
  })
  const stop = () => server.close(() => process.exit(0))
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

module.exports = { createServer }
