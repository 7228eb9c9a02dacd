// Every page of the dashboard loads with no console error; the map and the Sankey draw with data.
import { check, goto, open, run } from './lib.mjs';

run(async () => {
  const t = await open('pages');
  const { page } = t;
  const seriesData = (id, i = 0) =>
    page.evaluate(([id, i]) => {
      const c = window.lodestoneCharts[id];
      if (!c) return -1;
      const s = c.getOption().series[i];
      return (s.links || s.data || []).length;
    }, [id, i]);
  for (const name of ['overview', 'flows', 'risk', 'scenario', 'outlook', 'projects', 'portfolio', 'dossiers']) {
    await goto(t, name);
    await page.waitForTimeout(300);  // let the charts finish their animation for the screenshot
    await t.shot(name);
    check((await page.locator(`#page-${name}`).isVisible()), `page ${name} is not shown`);
  }
  // The overview map: a canvas, a share for every producer the API lists with a share.
  await goto(t, 'overview');
  check((await page.locator('#ov-map canvas').count()) > 0, 'the map has no canvas');
  const supply = await t.api('/v1/supply?mineral=cobalt');
  const mining = supply.find((s) => s.stage === 'mining');
  check((await seriesData('ov-map')) > 0, 'the map series has no data');
  const shares = await page.locator('#ov-table td[data-key="share"]').evaluateAll((tds) => tds.map((td) => JSON.parse(td.dataset.value)));
  check(JSON.stringify(shares) === JSON.stringify(mining.countries.slice(0, shares.length).map((c) => c.share)),
    `the producer shares shown ${JSON.stringify(shares)} are not the API's`);
  check((await page.locator('#ov-source').innerText()).includes('Source:'), 'the map has no source line');
  // The flows: a Sankey before and after the default scenario, and the consumers' figures of the API.
  await goto(t, 'flows');
  const mineral = await page.locator('#fl-mineral').inputValue();
  const flows = await t.api(`/v1/flows?mineral=${mineral}`);
  check((await page.locator('#fl-before canvas').count()) > 0, 'the Sankey has no canvas');
  check((await seriesData('fl-before')) === flows.before.filter((l) => l.tonnes > 0).length, 'the Sankey before does not draw every flow of the API');
  check((await seriesData('fl-after')) === flows.after.filter((l) => l.tonnes > 0).length, 'the Sankey after does not draw every flow of the API');
  const shortfalls = await page.locator('#fl-consumers td:nth-child(6)').evaluateAll((tds) => tds.map((td) => JSON.parse(td.dataset.value)));
  const want = flows.nodes.filter((n) => n.stage === 'consumer').map((n) => n.shortfall_t);
  check(JSON.stringify(shortfalls) === JSON.stringify(want), `consumer shortfalls shown ${shortfalls}, the API's ${want}`);
  // The map's trade arrows come from the same flows.
  await goto(t, 'overview');
  check((await seriesData('ov-map', 1)) > 0, 'the map has no trade arrows');
  // The risk table: every figure carries its source on hover.
  await goto(t, 'risk');
  const risk = await t.api('/v1/risk?mineral=cobalt');
  const figures = page.locator('#rk-table td[data-key="display"]');
  check((await figures.count()) === risk.rows.length, 'the risk table does not show every row of the API');
  check(((await figures.first().getAttribute('title')) || '').includes('Geological Survey'), 'a risk figure has no source tooltip');
  // The outlook chart has its band and lines.
  await goto(t, 'outlook');
  check((await seriesData('ol-chart', 2)) === 26, 'the outlook chart does not have the 26 years of the API');
  await t.done();
});
