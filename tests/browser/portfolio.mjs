// Moving a budget slider re-optimises the portfolio: the projects and the financing shown are
// POST /v1/portfolio's answer for the new budget.
import { check, goto, open, run } from './lib.mjs';

run(async () => {
  const t = await open('portfolio');
  const { page } = t;
  await goto(t, 'portfolio');
  const settled = (body) =>
    page.waitForFunction((b) => document.body.dataset.portfolio === b && document.querySelector('#pf-table tbody'), JSON.stringify(body), { timeout: 300000 });
  await settled({ budget_us: 500, budget_jp: 300 });
  const read = () =>
    page.locator('#pf-table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => Object.fromEntries([...tr.querySelectorAll('td[data-key]')].map((td) => [td.dataset.key, JSON.parse(td.dataset.value)]))));
  const before = await read();
  // The keyboard moves the US slider by four steps of 25 (to 400), then Japan's to its minimum.
  await page.focus('#pf-us');
  for (let i = 0; i < 4; ++i) await page.keyboard.press('ArrowLeft');
  await page.focus('#pf-jp');
  await page.keyboard.press('Home');
  const budget = { budget_us: 400, budget_jp: 0 };
  await settled(budget);
  const shown = await read();
  const want = await t.api('/v1/portfolio', { method: 'POST', body: JSON.stringify(budget), headers: { 'Content-Type': 'application/json' } });
  const expect = want.chosen.map((c) => ({ id: c.id, us_public_musd: c.us_public_musd, japan_public_musd: c.japan_public_musd, private_musd: c.private_musd }));
  check(JSON.stringify(shown) === JSON.stringify(expect), `shown ${JSON.stringify(shown)}\nAPI ${JSON.stringify(expect)}`);
  const totals = JSON.parse(await page.locator('#pf-totals').getAttribute('data-value'));
  check(JSON.stringify(totals) === JSON.stringify(want.totals), 'the totals shown are not the API\'s');
  check(want.totals.japan_public_musd <= 0, 'with no Japanese budget Japan pays nothing');
  check(JSON.stringify(before) !== JSON.stringify(shown), 'cutting the budgets changed nothing shown');
  await t.shot('budget-moved');
  await t.done();
});
