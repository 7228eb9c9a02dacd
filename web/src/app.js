// The Lodestone dashboard. Every figure shown comes from the API of the server that serves this
// page; the page only fetches, lays out and formats (no method, no derived figure).
/* global echarts, topojson */

const $ = (id) => document.getElementById(id);
const charts = {};  // element id -> ECharts instance (the browser tests read them)
window.lodestoneCharts = charts;

// --- API access and messages

async function api(path, options = {}) {
  let res;
  try {
    res = await fetch(path, options);
  } catch (e) {
    throw new Error(`The server did not answer (${path}): is it still running?`);
  }
  const type = res.headers.get('content-type') || '';
  const body = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const err = body && body.error;
    let msg = err ? `${err.message}` : `${res.status} ${res.statusText}`;
    if (err && err.diagnostics && err.diagnostics.length) {
      msg += '\n' + err.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n');
    }
    const e = new Error(msg);
    e.status = res.status;
    throw e;
  }
  return body;
}

function showError(id, e) {
  const el = $(id);
  if (!e) {
    el.hidden = true;
    el.textContent = '';
    return;
  }
  el.hidden = false;
  el.textContent = e.message || String(e);
}

// Formatting only: the figures are the API's, rounded for reading. Missing is a state, not 0.
function num(v, digits = 0) {
  if (v === null || v === undefined || v === 'NA' || v === '') return 'not available';
  if (typeof v !== 'number') return String(v);
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
function pct(share, digits = 1) {
  if (share === null || share === undefined) return 'not available';
  return `${(share * 100).toFixed(digits)}%`;
}
function pctPoints(v, digits = 1) {
  if (v === null || v === undefined) return 'not available';
  return `${v.toFixed(digits)}%`;
}
function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
function label(id) {
  return String(id).replace(/_/g, ' ');
}

// A table from rows: cols = [{head, cell(row) -> {text, value?, title?, num?}}].
function fillTable(id, cols, rows, rowClass) {
  const t = $(id);
  const head = '<thead><tr>' + cols.map((c) => `<th class="${c.num ? 'num' : ''}"${c.tip ? ` title="${esc(c.tip)}"` : ''}>${esc(c.head)}</th>`).join('') + '</tr></thead>';
  const body = rows.map((r) => {
    const cls = rowClass ? rowClass(r) : '';
    return `<tr class="${cls}">` + cols.map((c) => {
      const x = c.cell(r);
      const cell = typeof x === 'object' && x !== null ? x : { text: x };
      const attrs = [];
      if (c.num) attrs.push('class="num"');
      if (cell.title) attrs.push(`title="${esc(cell.title)}"`);
      if (cell.value !== undefined) attrs.push(`data-value="${esc(JSON.stringify(cell.value))}"`);
      if (c.key) attrs.push(`data-key="${esc(c.key)}"`);
      return `<td ${attrs.join(' ')}>${cell.html ?? esc(cell.text)}</td>`;
    }).join('') + '</tr>';
  }).join('');
  t.innerHTML = head + '<tbody>' + body + '</tbody>';
}

function chart(id) {
  if (!charts[id]) charts[id] = echarts.init($(id), null, { renderer: 'canvas' });
  return charts[id];
}
window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));

// --- shared reference: dataset, countries, sources, world map

const ref = { dataset: null, countries: new Map(), byNum: new Map(), sources: new Map(), centroids: new Map() };

// Consumers the simulator names that are not countries of the table.
const otherNames = { ROW: 'rest of the world', 'USA+JPN': 'United States and Japan' };
function countryName(iso3) {
  const c = ref.countries.get(iso3);
  return c ? c.name : otherNames[iso3] || iso3;
}

function sourceText(id, extra) {
  const s = (extra && extra.get(id)) || ref.sources.get(id);
  if (!s) return id;
  return `${s.citation || s.text || id}${s.licence ? ` (licence: ${s.licence})` : ''}`;
}

function sourcesLine(ids, extra) {
  const uniq = [...new Set(ids.filter(Boolean))];
  return uniq.length ? 'Source: ' + uniq.map((i) => sourceText(i, extra)).join('; ') : '';
}

async function loadReference() {
  const [ds, cs, topo] = await Promise.all([
    api('/v1/dataset'),
    api('/v1/countries'),
    fetch('vendor/countries-110m.json').then((r) => r.json()),
  ]);
  ref.dataset = ds;
  for (const s of ds.sources) ref.sources.set(s.id, s);
  for (const c of cs.countries) {
    ref.countries.set(c.iso3, c);
    if (c.iso_num !== null) ref.byNum.set(Number(c.iso_num), c.iso3);
  }
  // world-atlas features are keyed by ISO numeric code; the API's table names them.
  const geo = topojson.feature(topo, topo.objects.countries);
  geo.features = geo.features.filter((f) => f.id !== '010');  // Antarctica: no mineral figures, much space
  geo.features.forEach((f) => unwrapAntimeridian(f.geometry));
  for (const f of geo.features) {
    const iso3 = ref.byNum.get(Number(f.id)) || '';
    f.properties = { ...f.properties, iso3, label: iso3 ? countryName(iso3) : f.properties.name };
    if (iso3) ref.centroids.set(iso3, labelPoint(f.geometry));
  }
  echarts.registerMap('world', geo);
  $('dataset-line').textContent = `Dataset ${ds.name} ${ds.version} (${ds.date}), figures ${ds.year_min}-${ds.year_max}, ${ds.minerals.length} minerals. Countries: ${cs.source}.`;
  for (const sel of ['ov-mineral', 'fl-mineral', 'rk-mineral', 'ol-mineral', 'sb-mineral', 'mc-mineral']) {
    $(sel).innerHTML = ds.minerals.map((m) => `<option value="${esc(m)}">${esc(label(m))}</option>`).join('');
  }
  $('sb-country').innerHTML = cs.countries
    .filter((c) => c.kind === 'country')
    .map((c) => `<option value="${esc(c.iso3)}"${c.iso3 === 'CHN' ? ' selected' : ''}>${esc(c.name)}</option>`)
    .join('');
}

// Rings that cross the 180th meridian (Russia, Fiji) would be drawn as lines across the whole
// map: their points just west of it are moved to the eastern edge (drawing only).
function unwrapAntimeridian(g) {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  for (const p of polys) {
    for (const ring of p) {
      if (ring.some(([x]) => x > 160) && ring.some(([x]) => x < -160)) {
        for (const pt of ring) if (pt[0] < 0) pt[0] = 180;
      }
    }
  }
}

// Where to draw a country's marker: the middle of the bounding box of its largest ring (drawing
// position only, never a figure).
function labelPoint(g) {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  let best = null;
  let bestSize = -1;
  for (const p of polys) {
    const ring = p[0];
    let x0 = 180, x1 = -180, y0 = 90, y1 = -90;
    for (const [x, y] of ring) {
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
    const size = (x1 - x0) * (y1 - y0);
    if (size > bestSize) { bestSize = size; best = [(x0 + x1) / 2, (y0 + y1) / 2]; }
  }
  return best;
}

const baseTitle = (text, sub) => ({ text, subtext: sub || '', left: 'center', textStyle: { fontSize: 15 }, subtextStyle: { color: '#5b6776' } });

// --- Overview: the world map

const flowsCache = new Map();
async function flowsOf(mineral) {
  if (!flowsCache.has(mineral)) {
    flowsCache.set(mineral, api(`/v1/flows?mineral=${encodeURIComponent(mineral)}`).catch((e) => {
      flowsCache.delete(mineral);
      throw e;
    }));
  }
  return flowsCache.get(mineral);
}

async function renderOverview() {
  const mineral = $('ov-mineral').value;
  const stage = $('ov-stage').value;
  showError('ov-error', null);
  let supply;
  try {
    supply = await api(`/v1/supply?mineral=${encodeURIComponent(mineral)}`);
  } catch (e) {
    showError('ov-error', e);
    return;
  }
  const pic = supply.find((s) => s.stage === stage);
  const c = chart('ov-map');
  if (!pic) {
    c.clear();
    showError('ov-error', { message: `The dataset has no ${stage} figures for ${label(mineral)}.` });
    $('ov-source').textContent = '';
    $('ov-table').innerHTML = '';
    return;
  }
  const data = pic.countries
    .filter((r) => r.share !== null && ref.countries.get(r.country)?.iso_num !== null)
    .map((r) => ({ name: r.country, value: r.share * 100, quantity: r.quantity, label: r.name }));
  const max = Math.max(1, ...data.map((d) => d.value));
  // Countries without a figure are drawn grey ("no figure"), not as a share of 0.
  const listed = new Set(data.map((d) => d.name));
  for (const iso3 of ref.centroids.keys()) {
    if (!listed.has(iso3)) data.push({ name: iso3, value: null, itemStyle: { areaColor: '#eeeeee' }, label: countryName(iso3) });
  }
  data.push({ name: '', value: null, itemStyle: { areaColor: '#eeeeee' }, label: 'a territory without an ISO code' });
  // Trade arrows: the flows endpoint's mine-to-refinery and refinery-to-consumer links.
  let lines = [];
  let flowNote = '';
  try {
    const f = await flowsOf(mineral);
    const nodes = new Map(f.nodes.map((n) => [n.id, n]));
    lines = f.before
      .filter((l) => {
        const a = nodes.get(l.source), b = nodes.get(l.target);
        return a && b && a.country && b.country && a.country !== b.country && ref.centroids.get(a.country) && ref.centroids.get(b.country);
      })
      .map((l) => ({
        coords: [ref.centroids.get(nodes.get(l.source).country), ref.centroids.get(nodes.get(l.target).country)],
        value: l.tonnes,
        from: nodes.get(l.source).name,
        to: nodes.get(l.target).name,
      }))
      .sort((a, b) => b.value - a.value)
      .slice(0, 25);
    flowNote = ` Arrows: the 25 largest cross-border flows of ${f.year} (${f.unit}), ${f.basis}.`;
  } catch (e) {
    flowNote = ` Trade arrows unavailable: ${e.message}`;
  }
  const maxLine = Math.max(1, ...lines.map((l) => l.value));
  c.setOption({
    title: baseTitle(`${label(mineral)}: share of world ${stage} output by country, ${pic.year}`, `% of the ${pic.share_basis}; darker = larger share`),
    tooltip: {
      trigger: 'item',
      formatter: (p) => {
        if (p.seriesType === 'lines') return `${esc(p.data.from)} → ${esc(p.data.to)}<br>${num(p.data.value)} ${esc(pic.unit)} a year`;
        if (!p.data || p.data.value === null) return `${esc(p.name ? countryName(p.name) : '')}<br>no figure in the dataset`;
        return `${esc(p.data.label)}<br>${p.value.toFixed(1)}% of world ${stage}<br>${num(p.data.quantity)} ${esc(pic.unit)}`;
      },
    },
    visualMap: { min: 0, max: Math.ceil(max), left: 10, bottom: 20, text: [`${Math.ceil(max)}% of world output`, '0%'], calculable: false, inRange: { color: ['#e3ecf7', '#1f5fa8', '#0b2a55'] }, formatter: (v) => `${v.toFixed(0)}%`, seriesIndex: 0 },
    geo: { map: 'world', nameProperty: 'iso3', roam: true, top: 60, bottom: 10, itemStyle: { areaColor: '#f1f1f1', borderColor: '#bbb' }, emphasis: { label: { show: false } } },
    series: [
      { type: 'map', geoIndex: 0, name: 'share', data },
      { type: 'lines', coordinateSystem: 'geo', data: lines, symbol: ['none', 'arrow'], symbolSize: 8, effect: { show: false },
        lineStyle: { color: '#c46a00', opacity: 0.75, curveness: 0.25, width: 1 }, zlevel: 1,
        emphasis: { lineStyle: { width: 3 } } },
    ],
  }, true);
  c.setOption({ series: [{}, { data: lines.map((l) => ({ ...l, lineStyle: { width: 1 + 5 * (l.value / maxLine) } })) }] });
  $('ov-source').textContent = `${sourcesLine([pic.world_source, ...pic.countries.map((r) => r.source)])}. Year ${pic.year}; unit ${pic.unit}.${flowNote}`;
  fillTable('ov-table', [
    { head: 'Country', cell: (r) => r.name },
    { head: `Output (${pic.unit})`, num: true, cell: (r) => ({ text: num(r.quantity), value: r.quantity }) },
    { head: 'Share of world', num: true, key: 'share', cell: (r) => ({ text: pct(r.share), value: r.share }) },
    { head: 'Source', cell: (r) => ({ text: r.source, title: sourceText(r.source) + (r.note ? ` — ${r.note}` : '') }) },
  ], pic.countries.slice(0, 8));
}

// --- Flows: Sankey before and after

function sankeyOption(f, links, title) {
  const used = new Set();
  for (const l of links) { used.add(l.source); used.add(l.target); }
  const stageName = { mining: 'mine', refining: 'refinery', consumer: 'consumer' };
  return {
    title: baseTitle(title, `${f.unit} a year, averaged over the ${f.horizon_months} months from ${f.year}`),
    tooltip: {
      trigger: 'item',
      formatter: (p) => p.dataType === 'edge'
        ? `${esc(p.data.sourceName)} → ${esc(p.data.targetName)}<br>${num(p.data.value)} ${esc(f.unit)}`
        : `${esc(p.data.label)}`,
    },
    series: [{
      type: 'sankey', top: 60, bottom: 10, left: 10, right: 110, nodeGap: 6, emphasis: { focus: 'adjacency' },
      data: f.nodes.filter((n) => used.has(n.id)).map((n) => ({ name: n.id, label: `${n.name} (${stageName[n.stage] || n.stage})` })),
      links: links.filter((l) => l.tonnes > 0).map((l) => ({
        source: l.source, target: l.target, value: l.tonnes,
        sourceName: f.nodes.find((n) => n.id === l.source)?.name, targetName: f.nodes.find((n) => n.id === l.target)?.name,
      })),
      label: { formatter: (p) => p.data.label.replace(/ \(.*\)$/, ''), fontSize: 11 },
      lineStyle: { color: 'gradient', opacity: 0.4 },
    }],
  };
}

let composedScenario = null;  // the scenario text last run on the Scenario page
async function renderFlows() {
  const mineral = $('fl-mineral').value;
  showError('fl-error', null);
  let f;
  try {
    f = composedScenario
      ? await api(`/v1/flows?mineral=${encodeURIComponent(mineral)}`, { method: 'POST', body: composedScenario.text, headers: { 'Content-Type': 'application/json' } })
      : await flowsOf(mineral);
  } catch (e) {
    showError('fl-error', e.status === 404 ? { message: `The flows of ${label(mineral)} are not available from this server: ${e.message}` } : e);
    return;
  }
  const sc = f.scenario_title || f.scenario;
  $('fl-scenario').textContent = `Scenario: ${sc || 'default'}${composedScenario ? ' (from the Scenario page)' : ''}`;
  chart('fl-before').setOption(sankeyOption(f, f.before, `${label(f.mineral)}: flows before the shock`), true);
  chart('fl-after').setOption(sankeyOption(f, f.after, `${label(f.mineral)}: flows after the shock`), true);
  const extra = new Map((f.sources || []).filter((s) => typeof s === 'object').map((s) => [s.id, s]));
  $('fl-source').textContent = [sourcesLine((f.sources || []).map((s) => (typeof s === 'object' ? s.id : s)), extra), `Basis: ${f.basis}.`].filter(Boolean).join('. ');
  fillTable('fl-consumers', [
    { head: 'Consumer', cell: (n) => n.name },
    { head: `Demand (${f.unit} a year)`, num: true, cell: (n) => ({ text: num(n.demand_t), value: n.demand_t }) },
    { head: 'Demand after', num: true, tip: 'Demand under the scenario (it may change demand too)', cell: (n) => ({ text: num(n.demand_after_t), value: n.demand_after_t }) },
    { head: 'Delivered before', num: true, cell: (n) => ({ text: num(n.delivered_before_t), value: n.delivered_before_t }) },
    { head: 'Delivered after', num: true, cell: (n) => ({ text: num(n.delivered_after_t), value: n.delivered_after_t }) },
    { head: 'Shortfall', num: true, tip: 'Demand not met after drawing on stocks', cell: (n) => ({ text: num(n.shortfall_t), value: n.shortfall_t }) },
    { head: 'From stocks', num: true, cell: (n) => ({ text: num(n.stock_drawn_t), value: n.stock_drawn_t }) },
  ], f.nodes.filter((n) => n.stage === 'consumer'));
  $('fl-notes').innerHTML = (f.notes || []).map((n) => `<li>${esc(n)}</li>`).join('');
}

// --- Risk table

const methodTips = {
  concentration: 'How much of world output the largest producers hold (HHI: 0 = spread out, 10,000 = one producer)',
  governance: 'World Bank governance indicators of the producing countries, weighted by their output',
  eu_crm: 'The European Commission critical raw materials method (supply risk, concentration weighted by governance)',
  geopolrisk: 'GeoPolRisk: import concentration weighted by political stability of the suppliers',
  restriction: 'Share of supply under export restrictions',
  partners: 'Share bought from partner countries (MSP: Minerals Security Partnership)',
  esg: 'Environmental, social and governance screen of the producers, 0 (poor) to 1 (good)',
};
async function renderRisk() {
  const mineral = $('rk-mineral').value;
  showError('rk-error', null);
  let r;
  try {
    r = await api(`/v1/risk?mineral=${encodeURIComponent(mineral)}`);
  } catch (e) {
    showError('rk-error', e);
    return;
  }
  $('rk-verdicts').innerHTML = r.verdicts.map((v) => `<p>${esc(v.line)}</p>`).join('');
  fillTable('rk-table', [
    { head: 'Stage', cell: (x) => x.stage },
    { head: 'Method', cell: (x) => ({ text: label(x.method), title: methodTips[x.method] || x.method }) },
    { head: 'Measure', cell: (x) => label(x.metric) },
    { head: 'Figure', key: 'display', cell: (x) => ({ text: x.display, value: x.value, title: `${x.basis}\n${x.sources.map((s) => sourceText(s)).join('\n')}${x.assumptions.length ? '\nAssumptions: ' + x.assumptions.join('; ') : ''}` }) },
    { head: 'Status', cell: (x) => x.status },
  ], r.rows);
  $('rk-source').textContent = `Consumer ${r.consumer}, partners ${r.partners}, as of ${r.as_of}. ${sourcesLine(r.provenance.sources)}`;
}

// --- Scenario composer and Monte Carlo

async function loadPresets() {
  const names = await fetch('scenarios/index.json').then((r) => (r.ok ? r.json() : []));
  const titles = await Promise.all(names.map((n) => fetch(`scenarios/${n}`).then((r) => r.json()).then((j) => j.title || n, () => n)));
  $('sc-preset').innerHTML = names.map((n, i) => `<option value="${esc(n)}">${esc(titles[i])}</option>`).join('');
  if (names.includes('cn-2025-10-ree-controls.json')) $('sc-preset').value = 'cn-2025-10-ree-controls.json';
  await usePreset();
}
async function usePreset() {
  const name = $('sc-preset').value;
  if (!name) return;
  $('sc-text').value = await fetch(`scenarios/${name}`).then((r) => r.text());
}

function builtScenario() {
  const country = $('sb-country').value;
  const mineral = $('sb-mineral').value;
  const stage = $('sb-stage').value;
  const t = $('sb-targets').value;
  const targets = t === 'all' ? 'all' : t === 'all_but_msp' ? { all_but: ['MSP'] } : { only: ['USA', 'JPN'] };
  return {
    format: 'lodestone-scenario/1',
    id: `composed-${country.toLowerCase()}-${mineral}`,
    title: `${countryName(country)} restricts ${label(mineral)} exports at the ${stage} stage (composed on the dashboard)`,
    year: ref.dataset.year_max,
    horizon_months: 12,
    shocks: [{
      kind: 'export_control', country, stage, minerals: [mineral],
      fraction: Number($('sb-fraction').value), months: Number($('sb-months').value), targets,
      basis: 'composed on the dashboard',
    }],
  };
}

let lastScenario = null;
async function runScenario() {
  showError('sc-error', null);
  const text = $('sc-text').value;
  $('sc-status').textContent = 'Running…';
  $('sc-run').disabled = true;
  try {
    const r = await api('/v1/simulate', { method: 'POST', body: text, headers: { 'Content-Type': 'application/json' } });
    lastScenario = r;
    composedScenario = { text };
    renderScenario(r);
    $('sc-status').textContent = 'Done.';
  } catch (e) {
    showError('sc-error', e);
    $('sc-status').textContent = '';
  } finally {
    $('sc-run').disabled = false;
  }
}

function renderScenario(r) {
  $('sc-result').hidden = false;
  $('sc-title').textContent = r.scenario.title;
  const rows = r.rows;
  const priceKey = rows.length ? Object.keys(rows[0]).find((k) => /price/.test(k)) : undefined;
  const totals = rows.filter((x) => x.sector === 'total');
  const c = chart('sc-chart');
  const minerals = [...new Set(totals.map((x) => x.mineral))];
  const consumers = [...new Set(totals.map((x) => x.consumer))];
  c.setOption({
    title: baseTitle('Shortfall by consumer: demand not met over the horizon', `% of each consumer's demand, ${r.scenario.horizon_months} months from ${r.scenario.year}`),
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? 'not available' : `${v.toFixed(1)}%`) },
    legend: { bottom: 0 },
    grid: { top: 70, bottom: 50, left: 60, right: 20 },
    xAxis: { type: 'category', data: consumers.map((x) => countryName(x)) },
    yAxis: { type: 'value', name: '% of demand', min: 0 },
    series: minerals.map((m) => ({
      type: 'bar', name: label(m),
      data: consumers.map((cn) => totals.find((x) => x.mineral === m && x.consumer === cn)?.shortfall_pct ?? null),
    })),
  }, true);
  const cols = [
    { head: 'Mineral', cell: (x) => label(x.mineral) },
    { head: 'Consumer', cell: (x) => countryName(x.consumer) },
    { head: 'Sector', cell: (x) => label(x.sector) },
    { head: 'Demand (t)', num: true, cell: (x) => ({ text: num(x.demand_t), value: x.demand_t }) },
    { head: 'Delivered (t)', num: true, cell: (x) => ({ text: num(x.delivered_t), value: x.delivered_t }) },
    { head: 'From stocks (t)', num: true, cell: (x) => ({ text: num(x.stock_drawn_t), value: x.stock_drawn_t }) },
    { head: 'Shortfall (t)', num: true, key: 'shortfall_t', tip: 'Demand not met after drawing on stocks', cell: (x) => ({ text: num(x.shortfall_t), value: x.shortfall_t }) },
    { head: 'Shortfall (% of demand)', num: true, key: 'shortfall_pct', cell: (x) => ({ text: pctPoints(x.shortfall_pct), value: x.shortfall_pct }) },
  ];
  if (priceKey) {
    cols.push({ head: 'Price multiple', num: true, key: priceKey, tip: 'Price after the shock as a multiple of the price before (1 = unchanged)', cell: (x) => ({ text: x[priceKey] === null ? 'not available' : `×${num(x[priceKey], 2)}`, value: x[priceKey] }) });
  }
  fillTable('sc-table', cols, rows, (x) => (x.sector === 'total' ? 'chosen' : ''));
  const extra = new Map(r.sources.map((s) => [s.id, s]).concat((r.scenario_sources || []).map((s) => [s.id, s])));
  $('sc-source').textContent = `Units: tonnes of each mineral's content (${[...new Set(rows.map((x) => x.unit))].join(', ')}). ${sourcesLine([...r.sources.map((s) => s.id), ...(r.scenario_sources || []).map((s) => s.id)], extra)}`;
  $('sc-notes').innerHTML = r.notes.map((n) => `<li>${esc(n)}</li>`).join('');
}

let mcJob = null;
let mcResult = null;
async function startMc() {
  showError('mc-error', null);
  const runs = $('mc-runs').value, seed = $('mc-seed').value;
  try {
    const job = await api(`/v1/jobs/monte-carlo?runs=${encodeURIComponent(runs)}&seed=${encodeURIComponent(seed)}`, { method: 'POST' });
    mcJob = job.id;
    $('mc-start').disabled = true;
    $('mc-cancel').disabled = false;
    pollMc();
  } catch (e) {
    showError('mc-error', e);
  }
}
async function pollMc() {
  if (!mcJob) return;
  try {
    const s = await api(`/v1/jobs/${mcJob}`);
    $('mc-progress').value = s.progress;
    $('mc-status').textContent = `${s.state}: ${num(s.runs_done)} of ${num(s.runs)} runs`;
    if (s.state === 'done') {
      mcResult = await api(s.result_url);
      endMc();
      renderMc();
      return;
    }
    if (s.state === 'failed' || s.state === 'cancelled') {
      if (s.error) showError('mc-error', { message: s.error });
      endMc();
      return;
    }
    setTimeout(pollMc, 300);
  } catch (e) {
    showError('mc-error', e);
    endMc();
  }
}
function endMc() {
  mcJob = null;
  $('mc-start').disabled = false;
  $('mc-cancel').disabled = true;
}
async function cancelMc() {
  if (!mcJob) return;
  try {
    const s = await api(`/v1/jobs/${mcJob}`, { method: 'DELETE' });
    $('mc-status').textContent = `${s.state}: ${num(s.runs_done)} of ${num(s.runs)} runs`;
  } catch (e) {
    showError('mc-error', e);
  }
}

// One consumer's shortfall distribution: the share of simulated years in each band of demand, as
// the API gives it (histogram of the total row), with its P50, P95 and CVaR95 marked.
function renderMcHistogram(mineral, rows) {
  const sel = $('mc-consumer');
  const keep = sel.value;
  sel.innerHTML = rows.map((x) => `<option value="${esc(x.consumer)}">${esc(countryName(x.consumer))}</option>`).join('');
  if (rows.some((x) => x.consumer === keep)) sel.value = keep;
  else if (rows.some((x) => x.consumer === 'USA')) sel.value = 'USA';
  const row = rows.find((x) => x.consumer === sel.value);
  const c = chart('mc-hist');
  if (!row || !row.histogram) { c.clear(); return; }
  const h = row.histogram, w = h.band_pct;
  const cats = ['none', ...h.bands.map((_, i) => `${i * w}–${(i + 1) * w}%`), `>100%`];
  const shares = [h.none, ...h.bands, h.above_100].map((v) => 100 * v);
  const bandOf = (p) => (p <= 0 ? cats[0] : p > 100 ? cats[cats.length - 1] : cats[Math.ceil(p / w)]);
  const mark = (name, p, color, position = 'end') => ({ name, xAxis: bandOf(p), lineStyle: { color, width: 2 }, label: { formatter: `${name} ${p.toFixed(1)}%`, color, position } });
  c.setOption({
    title: baseTitle(`${label(mineral)}: how short ${countryName(row.consumer)} is across ${num(mcResult.runs)} simulated years`,
      `share of simulated years (%) by shortfall, in bands of ${w}% of demand; lines: P50, P95, CVaR95`),
    tooltip: { trigger: 'axis', valueFormatter: (v) => `${v.toFixed(1)}% of years` },
    grid: { top: 80, bottom: 60, left: 60, right: 30 },
    xAxis: { type: 'category', data: cats, name: 'shortfall, % of demand', nameLocation: 'middle', nameGap: 35, axisLabel: { interval: 1 } },
    yAxis: { type: 'value', name: '% of years', min: 0 },
    series: [{
      type: 'bar', name: 'share of years', data: shares, itemStyle: { color: '#5b8fcf' },
      markLine: { symbol: 'none', data: [mark('P50', row.shortfall_pct.p50, '#2a7a2a'), mark('P95', row.shortfall_pct.p95, '#c46a00', 'middle'), mark('CVaR95', row.shortfall_pct.cvar95, '#a32020')] },
    }],
  }, true);
}

function renderMc() {
  if (!mcResult) return;
  const mineral = $('mc-mineral').value;
  const rows = mcResult.rows.filter((x) => x.mineral === mineral && x.sector === 'total');
  $('mc-result').hidden = false;
  const c = chart('mc-chart');
  const cats = rows.map((x) => countryName(x.consumer));
  const pick = (k) => rows.map((x) => x.shortfall_pct[k]);
  c.setOption({
    title: baseTitle(`${label(mineral)}: shortfall over ${num(mcResult.runs)} simulated years`, `% of each consumer's demand not met; bars: mean; markers: P50 (median), P95 (1 year in 20), CVaR95 (average of the worst 5%)`),
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? 'not available' : `${v.toFixed(2)}%`) },
    legend: { bottom: 0 },
    grid: { top: 80, bottom: 50, left: 60, right: 20 },
    xAxis: { type: 'category', data: cats },
    yAxis: { type: 'value', name: '% of demand', min: 0 },
    series: [
      { type: 'bar', name: 'mean', data: pick('mean'), itemStyle: { color: '#9fbfe3' } },
      { type: 'scatter', name: 'P50', data: pick('p50'), symbol: 'diamond', symbolSize: 11, itemStyle: { color: '#2a7a2a' } },
      { type: 'scatter', name: 'P95', data: pick('p95'), symbol: 'triangle', symbolSize: 11, itemStyle: { color: '#c46a00' } },
      { type: 'scatter', name: 'CVaR95', data: pick('cvar95'), symbol: 'rect', symbolSize: 10, itemStyle: { color: '#a32020' } },
    ],
  }, true);
  renderMcHistogram(mineral, rows);
  fillTable('mc-table', [
    { head: 'Consumer', cell: (x) => countryName(x.consumer) },
    { head: `Demand (${rows[0]?.unit || 't'})`, num: true, cell: (x) => ({ text: num(x.demand_t), value: x.demand_t }) },
    { head: 'Chance of any shortfall', num: true, key: 'p_shortfall', cell: (x) => ({ text: pct(x.p_shortfall), value: x.p_shortfall }) },
    { head: 'Mean shortfall (t)', num: true, cell: (x) => ({ text: num(x.shortfall_t.mean), value: x.shortfall_t.mean }) },
    { head: 'P50 (t)', num: true, cell: (x) => ({ text: num(x.shortfall_t.p50), value: x.shortfall_t.p50 }) },
    { head: 'P95 (t)', num: true, key: 'p95_t', tip: 'Exceeded in one simulated year in twenty', cell: (x) => ({ text: num(x.shortfall_t.p95), value: x.shortfall_t.p95 }) },
    { head: 'CVaR95 (t)', num: true, tip: 'Average shortfall over the worst 5% of simulated years', cell: (x) => ({ text: num(x.shortfall_t.cvar95), value: x.shortfall_t.cvar95 }) },
  ], rows);
  $('mc-source').textContent = `Register: ${mcResult.register.title} (${mcResult.register.events} events), seed ${mcResult.seed}, year ${mcResult.year}, horizon ${mcResult.horizon_months} months. ${sourcesLine(mcResult.provenance.sources)}`;
}

// --- Outlook

async function renderOutlook() {
  const mineral = $('ol-mineral').value;
  showError('ol-error', null);
  let o;
  try {
    o = await api(`/v1/outlook?mineral=${encodeURIComponent(mineral)}`);
  } catch (e) {
    showError('ol-error', e);
    chart('ol-chart').clear();
    return;
  }
  const years = o.years.map((y) => y.year);
  const byYear = new Map(o.years.map((y) => [y.year, y]));
  const c = chart('ol-chart');
  c.setOption({
    title: baseTitle(`${label(mineral)}: world demand against supply, ${years[0]}-${years[years.length - 1]}`, `${o.unit} a year at the ${o.stage} stage; scenario: ${o.scenario_title}; shaded: demand P5-P95 over ${num(o.runs)} runs`),
    tooltip: {
      trigger: 'axis',
      formatter: (ps) => {
        const y = byYear.get(Number(ps[0].axisValue));
        return `${y.year}<br>Demand ${num(y.demand_t)} (P5 ${num(y.demand_p5)}, P95 ${num(y.demand_p95)})<br>Supply ${num(y.supply_t)}<br>From partners and allies ${num(y.secure_supply_t)}<br>Gap P50 ${num(y.gap_p50)} (P5 ${num(y.gap_p5)}, P95 ${num(y.gap_p95)})`;
      },
    },
    legend: { bottom: 0, data: ['Demand', 'Supply', 'Supply from partners and allies'] },
    grid: { top: 80, bottom: 50, left: 80, right: 20 },
    xAxis: { type: 'category', data: years, boundaryGap: false },
    yAxis: { type: 'value', name: o.unit, axisLabel: { formatter: (v) => num(v) } },
    series: [
      // The band: P5 as an invisible base, P95 stacked on it as the difference to draw (drawing only).
      { type: 'line', name: 'band-base', stack: 'band', data: o.years.map((y) => y.demand_p5), lineStyle: { opacity: 0 }, symbol: 'none', silent: true },
      { type: 'line', name: 'band', stack: 'band', data: o.years.map((y) => y.demand_p95 - y.demand_p5), lineStyle: { opacity: 0 }, areaStyle: { color: '#1f5fa8', opacity: 0.15 }, symbol: 'none', silent: true },
      { type: 'line', name: 'Demand', data: o.years.map((y) => y.demand_t), itemStyle: { color: '#1f5fa8' }, symbol: 'none', lineStyle: { width: 2 } },
      { type: 'line', name: 'Supply', data: o.years.map((y) => y.supply_t), itemStyle: { color: '#c46a00' }, symbol: 'none', lineStyle: { width: 2 } },
      { type: 'line', name: 'Supply from partners and allies', data: o.years.map((y) => y.secure_supply_t), itemStyle: { color: '#2a7a2a' }, symbol: 'none', lineStyle: { width: 2, type: 'dashed' } },
    ],
  }, true);
  const gap = (p50, p95) => (p50 === null ? 'no year to 2050' : `${p50} (median), ${p95 ?? 'after 2050'} (1 run in 20)`);
  $('ol-summary').textContent = `First year demand exceeds supply: ${gap(o.first_gap_p50, o.first_gap_p95)}. First year the partners' supply falls short of their demand: ${gap(o.first_secure_gap_p50, o.first_secure_gap_p95)}.`;
  const extra = new Map(o.sources.map((s) => [s.id, s]));
  $('ol-source').textContent = sourcesLine(o.sources.map((s) => s.id), extra);
}

// --- Projects

let projects = [];
async function renderProjects() {
  showError('pj-error', null);
  try {
    projects = await api('/v1/projects');
  } catch (e) {
    showError('pj-error', e);
    return;
  }
  const byCountry = new Map();
  for (const p of projects) {
    if (!byCountry.has(p.country)) byCountry.set(p.country, []);
    byCountry.get(p.country).push(p);
  }
  const points = [...byCountry.entries()].filter(([iso3]) => ref.centroids.get(iso3)).map(([iso3, ps]) => ({
    name: countryName(iso3), value: [...ref.centroids.get(iso3), ps.length], projects: ps,
  }));
  chart('pj-map').setOption({
    title: baseTitle(`Projects of the registry (${projects.length}) by host country`, 'marker size: number of projects; point at a marker for the list'),
    tooltip: { trigger: 'item', formatter: (p) => `${esc(p.name)}<br>` + p.data.projects.map((x) => `${esc(x.name)} (${esc(label(x.mineral))}, ${esc(x.stage)})`).join('<br>') },
    geo: { map: 'world', nameProperty: 'iso3', roam: true, top: 60, bottom: 10, itemStyle: { areaColor: '#f1f1f1', borderColor: '#bbb' }, emphasis: { disabled: true } },
    series: [{ type: 'scatter', coordinateSystem: 'geo', data: points, symbolSize: (v) => 8 + 4 * Math.sqrt(v[2]), itemStyle: { color: '#1f5fa8', opacity: 0.8 } }],
  }, true);
  fillTable('pj-table', [
    { head: 'Project', cell: (p) => ({ text: p.name, title: `Source: ${p.source}` }) },
    { head: 'Mineral', cell: (p) => label(p.mineral) },
    { head: 'Stage', cell: (p) => p.stage },
    { head: 'Country', cell: (p) => countryName(p.country) },
    { head: 'Capacity (t a year)', num: true, cell: (p) => ({ text: num(p.capacity_t), title: p.capacity_basis }) },
    { head: 'Investment (million USD)', num: true, cell: (p) => num(p.capex_musd) },
    { head: 'Development', cell: (p) => label(p.development_stage) },
    { head: 'First output', cell: (p) => p.first_output || 'not known' },
    { head: '', cell: (p) => ({ html: `<button type="button" data-evaluate="${esc(p.id)}">Evaluate</button>` }) },
  ], projects);
}

async function evaluateProject(id) {
  const box = $('pj-eval');
  box.hidden = false;
  box.innerHTML = `<p class="muted">Evaluating ${esc(id)} against the risk register…</p>`;
  try {
    const e = await api(`/v1/projects/${encodeURIComponent(id)}/evaluate`, { method: 'POST' });
    const s = e.partner_shortfall || {};
    const cc = e.concentration || {};
    box.innerHTML = `<h3>${esc(e.name)}: what it would change</h3>
      <table class="data" id="pj-eval-table"><tbody>
      <tr><td>Added supply</td><td class="num">${num(e.added_supply?.tonnes_per_year)} ${esc(e.unit)} a year</td></tr>
      <tr><td title="Expected partner shortfall over the register's simulated years">Partners' expected shortfall, before → after</td><td class="num">${num(s.expected_before_t, 1)} → ${num(s.expected_after_t, 1)} ${esc(e.unit)} (${pctPoints(s.expected_before_pct)} → ${pctPoints(s.expected_after_pct)} of their demand)</td></tr>
      <tr><td title="Average over the worst 5% of simulated years">Bad-year shortfall (CVaR95), before → after</td><td class="num">${num(s.cvar95_before_t, 1)} → ${num(s.cvar95_after_t, 1)} ${esc(e.unit)}</td></tr>
      <tr><td>Largest ${esc(cc.stage || '')} supplier's share, before → after</td><td class="num">${esc(countryName(cc.top_before))} ${pct(cc.top_share_before)} → ${esc(countryName(cc.top_after))} ${pct(cc.top_share_after)}</td></tr>
      <tr><td>Public money</td><td class="num">${e.public_musd === null ? esc(e.public_basis) : num(e.public_musd, 1) + ' million USD'}</td></tr>
      <tr><td>ESG screen</td><td class="num" title="${esc(e.esg_basis)}">${num(e.esg_score, 2)}</td></tr>
      </tbody></table>
      <p class="source">${num(e.runs)} simulated years, seed ${e.seed}, partners ${esc(e.partners.join(', '))}, as of ${esc(e.as_of)}. Method ${esc(e.method_info.id)} v${esc(e.method_info.version)}.</p>`;
  } catch (err) {
    box.innerHTML = `<div class="error">${esc(err.message)}</div>`;
  }
}

// --- Portfolio

let pfTimer = null;
let pfSeq = 0;
function portfolioBody() {
  return { budget_us: Number($('pf-us').value), budget_jp: Number($('pf-jp').value) };
}
function schedulePortfolio() {
  $('pf-us-out').textContent = num(Number($('pf-us').value));
  $('pf-jp-out').textContent = num(Number($('pf-jp').value));
  $('pf-status').textContent = 'Re-optimising…';
  clearTimeout(pfTimer);
  pfTimer = setTimeout(renderPortfolio, 350);
}
async function renderPortfolio() {
  const body = portfolioBody();
  const seq = ++pfSeq;
  showError('pf-error', null);
  let p;
  try {
    p = await api('/v1/portfolio', { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  } catch (e) {
    if (seq === pfSeq) { showError('pf-error', e); $('pf-status').textContent = ''; }
    return;
  }
  if (seq !== pfSeq) return;  // a newer budget is on its way
  document.body.dataset.portfolio = JSON.stringify(body);
  $('pf-status').textContent = `Solved (${p.outcome}) for US ${num(p.budgets.us_musd)} and Japan ${num(p.budgets.japan_musd)} million USD.`;
  const o = p.objective;
  $('pf-summary').innerHTML = `<p id="pf-objective" data-before="${o.before}" data-after="${o.after_simulated}">Expected weighted shortfall of the partners: ${num(o.before, 4)} without these projects, ${num(o.after_simulated, 4)} with them (${esc(o.measure)}).</p>
    <p id="pf-totals" data-value="${esc(JSON.stringify(p.totals))}">${p.chosen.length} projects chosen of ${p.candidates} candidates: total investment ${num(p.totals.capex_musd, 1)} million USD, paid by United States public ${num(p.totals.us_public_musd, 1)}, Japan public ${num(p.totals.japan_public_musd, 1)}, private ${num(p.totals.private_musd, 1)}.</p>`;
  const names = p.chosen.map((x) => projects.find((q) => q.id === x.id)?.name || x.id);
  chart('pf-chart').setOption({
    title: baseTitle('Who pays what, per chosen project', 'million USD'),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => `${num(v, 1)} million USD` },
    legend: { bottom: 0 },
    grid: { top: 60, bottom: 40, left: 200, right: 30 },
    yAxis: { type: 'category', data: names, axisLabel: { width: 180, overflow: 'truncate' } },
    xAxis: { type: 'value', name: 'M USD' },
    series: [
      { type: 'bar', stack: 'pay', name: 'United States public', data: p.chosen.map((x) => x.us_public_musd), itemStyle: { color: '#1f5fa8' } },
      { type: 'bar', stack: 'pay', name: 'Japan public', data: p.chosen.map((x) => x.japan_public_musd), itemStyle: { color: '#c43a3a' } },
      { type: 'bar', stack: 'pay', name: 'Private', data: p.chosen.map((x) => x.private_musd), itemStyle: { color: '#8a96a6' } },
    ],
  }, true);
  fillTable('pf-table', [
    { head: 'Project', key: 'id', cell: (x) => ({ text: projects.find((q) => q.id === x.id)?.name || x.id, value: x.id }) },
    { head: 'Mineral', cell: (x) => label(x.mineral) },
    { head: 'Country', cell: (x) => countryName(x.country) },
    { head: 'Investment', num: true, cell: (x) => ({ text: num(x.capex_musd, 1), value: x.capex_musd }) },
    { head: 'US public', num: true, key: 'us_public_musd', cell: (x) => ({ text: num(x.us_public_musd, 1), value: x.us_public_musd }) },
    { head: 'Japan public', num: true, key: 'japan_public_musd', cell: (x) => ({ text: num(x.japan_public_musd, 1), value: x.japan_public_musd }) },
    { head: 'Private', num: true, key: 'private_musd', cell: (x) => ({ text: num(x.private_musd, 1), value: x.private_musd }) },
    { head: 'Closing', cell: (x) => ({ text: x.closing_date, title: x.closing_basis }) },
  ], p.chosen);
  $('pf-source').textContent = `All amounts in million USD. Method ${p.method} (${p.method_info.id} v${p.method_info.version}); ${num(p.runs)} simulated years, seed ${p.seed}; projects: ${p.provenance.project_source.description}; ${p.excluded.length} projects excluded (e.g. ${p.excluded.slice(0, 2).map((x) => `${x.id}: ${x.reason}`).join('; ')}).`;
}

// --- Dossiers

function renderDossiers() {
  $('ds-list').innerHTML = ref.dataset.minerals.map((m) => `<li><a href="/v1/reports/${encodeURIComponent(m)}" target="_blank" rel="noopener">${esc(label(m))}: dossier</a></li>`).join('');
}

// --- pages and navigation

const pages = {
  overview: { init: renderOverview },
  flows: { init: renderFlows },
  risk: { init: renderRisk },
  scenario: { init: loadPresets },
  outlook: { init: renderOutlook },
  projects: { init: renderProjects },
  portfolio: { init: async () => { if (!projects.length) await api('/v1/projects').then((p) => { projects = p; }).catch(() => {}); schedulePortfolio(); } },
  dossiers: { init: renderDossiers },
};
const shown = new Set();
let flowsFor = null;

async function show(page) {
  if (!pages[page]) page = 'overview';
  for (const b of document.querySelectorAll('nav button')) b.setAttribute('aria-selected', String(b.dataset.page === page));
  for (const name of Object.keys(pages)) $(`page-${name}`).hidden = name !== page;
  if (location.hash !== `#${page}`) history.replaceState(null, '', `#${page}`);
  const again = page === 'flows' && flowsFor !== composedScenario;
  if (!shown.has(page) || again) {
    shown.add(page);
    if (page === 'flows') flowsFor = composedScenario;
    document.body.dataset.busy = page;
    await pages[page].init();
    delete document.body.dataset.busy;
  }
  Object.values(charts).forEach((c) => c.resize());
  document.body.dataset.ready = page;
}

function wire() {
  const tabs = [...document.querySelectorAll('nav button')];
  tabs.forEach((b, i) => {
    b.addEventListener('click', () => show(b.dataset.page));
    b.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
        next.focus();
        show(next.dataset.page);
      }
    });
  });
  window.addEventListener('hashchange', () => show(location.hash.slice(1)));
  $('ov-mineral').addEventListener('change', renderOverview);
  $('ov-stage').addEventListener('change', renderOverview);
  $('fl-mineral').addEventListener('change', renderFlows);
  $('rk-mineral').addEventListener('change', renderRisk);
  $('ol-mineral').addEventListener('change', renderOutlook);
  $('sc-preset').addEventListener('change', usePreset);
  $('sb-use').addEventListener('click', () => { $('sc-text').value = JSON.stringify(builtScenario(), null, 2); });
  $('sc-run').addEventListener('click', runScenario);
  $('mc-start').addEventListener('click', startMc);
  $('mc-cancel').addEventListener('click', cancelMc);
  $('mc-mineral').addEventListener('change', renderMc);
  $('mc-consumer').addEventListener('change', renderMc);
  $('pf-us').addEventListener('input', schedulePortfolio);
  $('pf-jp').addEventListener('input', schedulePortfolio);
  $('pj-table').addEventListener('click', (e) => {
    const id = e.target?.dataset?.evaluate;
    if (id) evaluateProject(id);
  });
}

async function main() {
  wire();
  try {
    await loadReference();
  } catch (e) {
    $('dataset-line').textContent = '';
    const box = document.createElement('div');
    box.className = 'error';
    box.textContent = `The dashboard could not load its reference data: ${e.message}`;
    document.querySelector('main').prepend(box);
    return;
  }
  for (const m of ['ov-mineral', 'fl-mineral', 'rk-mineral', 'ol-mineral']) {
    if (ref.dataset.minerals.includes('cobalt')) $(m).value = 'cobalt';
  }
  if (ref.dataset.minerals.includes('rare_earths')) { $('mc-mineral').value = 'rare_earths'; $('fl-mineral').value = 'rare_earths'; }
  if (ref.dataset.minerals.includes('lithium')) $('ol-mineral').value = 'lithium';
  await show(location.hash.slice(1) || 'overview');
}

main();
