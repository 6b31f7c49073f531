// @ts-check
'use strict'
// A loopback TCP forwarder in front of a node's p2p listener, which the harness can close. Each node advertises
// its gate as its public address, so every p2p connection between LocalNet nodes passes through a gate: closing
// them splits the network (live connections are reset, new ones refused) and opening them joins it again.

const net = require('node:net')

class Gate {
  /** @param {number} targetPort the node's real p2p port */
  constructor(targetPort) {
    this.targetPort = targetPort
    this.open = true
    this.port = 0
    /** @type {Set<net.Socket>} */
    this._sockets = new Set()
    this._server = net.createServer((client) => this._forward(client))
    // Neither the gate nor its connections keep the process alive: the nodes' own handles decide that.
    this._server.unref()
  }

  /** Starts listening on a free loopback port; resolves to it. */
  listen() {
    return new Promise((resolve, reject) => {
      this._server.once('error', reject)
      this._server.listen(0, '127.0.0.1', () => {
        this.port = /** @type {net.AddressInfo} */ (this._server.address()).port
        resolve(this.port)
      })
    })
  }

  /** @param {net.Socket} client */
  _forward(client) {
    if (!this.open) {
      client.resetAndDestroy() // to the dialling node this is a refused connection
      return
    }
    const upstream = net.connect(this.targetPort, '127.0.0.1')
    const drop = () => {
      for (const s of [client, upstream]) {
        this._sockets.delete(s)
        s.destroy()
      }
    }
    for (const s of [client, upstream]) {
      this._sockets.add(s)
      s.unref()
      s.setNoDelay(true)
      s.on('error', drop)
      s.on('close', drop)
    }
    client.pipe(upstream)
    upstream.pipe(client)
  }

  /** Resets every connection through the gate and refuses new ones until `openUp()`. */
  close() {
    this.open = false
    for (const s of this._sockets) s.resetAndDestroy()
    this._sockets.clear()
  }

  openUp() {
    this.open = true
  }

  /** Closes the gate for good and stops listening. */
  shutdown() {
    this.close()
    return new Promise((resolve) => {
      // Every connection is already reset; do not let a straggler hold the node's stop() up.
      setTimeout(resolve, 1_000).unref()
      this._server.close(() => resolve(undefined))
    })
  }
}

module.exports = { Gate }
