// @ts-check
'use strict'
// Processes: every node spawned is tracked so it can be killed even if the host process crashes; loopback
// ports for it to bind.

const fs = require('node:fs')
const net = require('node:net')

const liveNodes = new Map() // child process → temp dir to remove on a crash (or null)
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP']

// Runs on the way out of a crashing process, so everything here is synchronous.
function killAllNodes() {
  for (const [child, tempDir] of liveNodes) {
    try {
      child.kill('SIGKILL')
    } catch {}
    if (tempDir) {
      try {
        fs.rmSync(tempDir, { recursive: true, force: true })
      } catch {}
    }
  }
}

function onExit() {
  killAllNodes()
}

function onSignal(signal) {
  killAllNodes()
  // We only listen while nodes run. If nobody else handles the signal, restore the default behaviour (die).
  if (process.listenerCount(signal) === 1) {
    detachProcessHooks()
    process.kill(process.pid, signal)
  }
}

function attachProcessHooks() {
  process.on('exit', onExit)
  for (const s of FORWARDED_SIGNALS) process.on(s, onSignal)
}

function detachProcessHooks() {
  process.removeListener('exit', onExit)
  for (const s of FORWARDED_SIGNALS) process.removeListener(s, onSignal)
}

function track(child, tempDir) {
  if (liveNodes.size === 0) attachProcessHooks()
  liveNodes.set(child, tempDir)
  child.once('exit', () => {
    liveNodes.delete(child)
    if (liveNodes.size === 0) detachProcessHooks()
  })
}

function hasExited(child) {
  // A child that failed to spawn has no pid and never emits 'exit'.
  return child.pid === undefined || child.exitCode !== null || child.signalCode !== null
}

function waitForExit(child, ms) {
  if (hasExited(child)) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.removeListener('exit', done)
      resolve(false)
    }, ms)
    function done() {
      clearTimeout(timer)
      resolve(true)
    }
    child.once('exit', done)
  })
}

async function terminate(child, graceMs) {
  if (hasExited(child)) return
  child.kill('SIGTERM') // SIGINT is ignored in --non-interactive-mode
  if (await waitForExit(child, graceMs)) return
  child.kill('SIGKILL')
  await waitForExit(child, 5_000)
}

async function freeLoopbackPorts(count) {
  // Hold all listeners open at once so the ports are distinct, then release them for the node to bind.
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise((resolve, reject) => {
        const srv = net.createServer()
        srv.unref()
        srv.once('error', reject)
        srv.listen(0, '127.0.0.1', () => resolve(srv))
      }),
    ),
  )
  const ports = servers.map((s) => s.address().port)
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  return ports
}

module.exports = { track, hasExited, terminate, freeLoopbackPorts }
