'use strict'
// Charts for bench output: a Vega-Lite spec, rendered headless to SVG by Vega, then to PNG by resvg.
// Why these: Vega-Lite is a declarative, well-kept grammar (a spec is plain JSON, easy to change), Vega
// renders it to SVG in Node with no browser or canvas, and @resvg/resvg-js is a prebuilt napi-rs addon,
// so no system library or Rust build is needed. (plotters would have meant a Rust build for a chart.)
const fs = require('node:fs')

/** Renders a Vega-Lite `spec` to a PNG file at `file`. */
async function renderPng(spec, file) {
  const vega = await import('vega')
  const vegaLite = await import('vega-lite')
  const { Resvg } = require('@resvg/resvg-js')
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' })
  const svg = await view.toSVG()
  view.finalize()
  const png = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng()
  fs.writeFileSync(file, png)
}

/**
 * One line chart per panel, stacked, sharing the x axis. `rows` are flat objects; each panel maps the
 * legend label of each line to the field it draws, and names its y axis.
 */
function panels({ title, rows, x, xTitle, panels: list, width = 720, height = 170 }) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    vconcat: list.map((p) => {
      const labels = Object.keys(p.series)
      const values = rows.flatMap((row) => labels.filter((l) => row[p.series[l]] != null).map((l) => ({ x: row[x], series: l, value: row[p.series[l]] })))
      return {
        width,
        height,
        title: p.title,
        data: { values },
        mark: 'line',
        encoding: {
          x: { field: 'x', type: 'quantitative', title: xTitle, scale: { nice: false } },
          y: { field: 'value', type: 'quantitative', title: p.yTitle },
          color: { field: 'series', type: 'nominal', title: null, sort: labels },
        },
      }
    }),
    resolve: { scale: { color: 'independent' } },
  }
}

module.exports = { renderPng, panels }
