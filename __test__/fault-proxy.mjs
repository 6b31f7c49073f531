// A loopback TCP proxy between the SDK (or its wallets) and a base node, with faults on demand:
//   pass       forward both ways
//   delay      wait `delayMs` before forwarding a new connection
//   drop       accept, then close at once (FIN): the client sees the connection end without an answer
//   reset      accept, then reset (RST): "connection reset by peer"
//   blackhole  accept and never answer
// Changing the mode cuts every open connection, so pooled keep-alive connections cannot dodge a fault.
import net from 'node:net'

export class FaultProxy {
  #server
  #target
  #sockets = new Set()
  mode = 'pass'
  delayMs = 0
  /** Connections accepted, by the mode they met. */
  accepted = { pass: 0, delay: 0, drop: 0, reset: 0, blackhole: 0 }

  static async start(targetUrl) {
    const p = new FaultProxy()
    const u = new URL(targetUrl)
    p.#target = { host: u.hostname, port: Number(u.port) }
    p.#server = net.createServer((client) => p.#accept(client))
    await new Promise((resolve) => p.#server.listen(0, '127.0.0.1', resolve))
    return p
  }

  get url() {
    return `http://127.0.0.1:${this.#server.address().port}`
  }

  set(mode, { delayMs = 0 } = {}) {
    this.mode = mode
    this.delayMs = delayMs
    for (const s of this.#sockets) s.destroy()
    this.#sockets.clear()
    return this
  }

  #track(s) {
    this.#sockets.add(s)
    s.on('close', () => this.#sockets.delete(s))
    s.on('error', () => {})
  }

  #accept(client) {
    const mode = this.mode
    this.accepted[mode]++
    this.#track(client)
    if (mode === 'drop') return client.end()
    if (mode === 'reset') return client.resetAndDestroy()
    if (mode === 'blackhole') return
    const forward = () => {
      if (client.destroyed) return
      const upstream = net.connect(this.#target)
      this.#track(upstream)
      client.pipe(upstream).pipe(client)
      upstream.on('close', () => client.destroy())
      client.on('close', () => upstream.destroy())
    }
    if (mode === 'delay') setTimeout(forward, this.delayMs)
    else forward()
  }

  async stop() {
    this.set('drop')
    await new Promise((resolve) => this.#server.close(resolve))
  }
}
