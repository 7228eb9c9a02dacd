// The scenario composer runs China's October 2025 controls and shows the API's shortfall
// figures; a small Monte Carlo job runs to the end with its progress and draws its distribution.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { check, goto, open, run } from './lib.mjs';

run(async () => {
  const t = await open('scenario');
  const { page } = t;
  await goto(t, 'scenario');
  check((await page.locator('#sc-preset').inputValue()) === 'cn-2025-10-ree-controls.json', 'the October 2025 preset is not offered first');
  await page.click('#sc-run');
  await page.waitForSelector('#sc-table td[data-key="shortfall_t"]', { timeout: 60000 });
  const file = readFileSync(path.join(t.root, 'scenarios/cn-2025-10-ree-controls.json'), 'utf8');
  const want = await t.api('/v1/simulate', { method: 'POST', body: file, headers: { 'Content-Type': 'application/json' } });
  const shown = await page.locator('#sc-table td[data-key="shortfall_t"]').evaluateAll((tds) => tds.map((td) => JSON.parse(td.dataset.value)));
  check(shown.length === want.rows.length, `${shown.length} rows shown, the API has ${want.rows.length}`);
  check(JSON.stringify(shown) === JSON.stringify(want.rows.map((r) => r.shortfall_t)), 'the shortfalls shown are not the API\'s');
  const pcts = await page.locator('#sc-table td[data-key="shortfall_pct"]').allInnerTexts();
  const expect = want.rows.map((r) => (r.shortfall_pct === null ? 'not available' : `${r.shortfall_pct.toFixed(1)}%`));
  check(JSON.stringify(pcts) === JSON.stringify(expect), `shortfall % shown ${pcts} differ from the API's ${expect}`);
  check(want.rows.some((r) => r.shortfall_t > 0), 'the October 2025 controls should leave someone short');
  await t.shot('october-2025');
  // A Monte Carlo job of 2000 runs.
  await page.fill('#mc-runs', '2000');
  await page.fill('#mc-seed', '7');
  await page.click('#mc-start');
  await page.waitForSelector('#mc-result:not([hidden])', { timeout: 120000 });
  check((await page.locator('#mc-progress').evaluate((p) => p.value)) === 1, 'the progress bar did not reach the end');
  const jobs = (await t.api('/v1/jobs')).jobs.filter((j) => j.runs === 2000 && j.state === 'done');
  check(jobs.length > 0, 'no finished 2000-run job on the server');
  const result = await t.api(jobs[jobs.length - 1].result_url);
  check(result.seed === 7, `the job ran with seed ${result.seed}, not the 7 entered`);
  const mineral = await page.locator('#mc-mineral').inputValue();
  const rows = result.rows.filter((r) => r.mineral === mineral && r.sector === 'total');
  const p95 = await page.locator('#mc-table td[data-key="p95_t"]').evaluateAll((tds) => tds.map((td) => JSON.parse(td.dataset.value)));
  check(JSON.stringify(p95) === JSON.stringify(rows.map((r) => r.shortfall_t.p95)), 'the P95 shown is not the API\'s');
  const marks = await page.evaluate(() => window.lodestoneCharts['mc-chart'].getOption().series.map((s) => s.name));
  check(JSON.stringify(marks) === JSON.stringify(['mean', 'P50', 'P95', 'CVaR95']), `the distribution chart marks ${marks}`);
  // The distribution of one consumer: the bars are the API's histogram, in % of years.
  const consumer = await page.locator('#mc-consumer').inputValue();
  const hrow = rows.find((r) => r.consumer === consumer);
  check(hrow && hrow.histogram, `no histogram in the API's row for ${consumer}`);
  const bars = await page.evaluate(() => window.lodestoneCharts['mc-hist'].getOption().series[0].data);
  const wantBars = [hrow.histogram.none, ...hrow.histogram.bands, hrow.histogram.above_100].map((v) => 100 * v);
  check(JSON.stringify(bars) === JSON.stringify(wantBars), `the histogram shown ${bars} is not the API's ${wantBars}`);
  await page.locator('#mc-hist').scrollIntoViewIfNeeded();
  await t.shot('monte-carlo-histogram');
  await page.locator('#mc-chart').scrollIntoViewIfNeeded();
  await t.shot('monte-carlo');
  await t.done();
});
