// Shared set-up of the browser tests: the server the ctest fixture started (server.sh), headless
// Debian chromium driven by playwright-core, console errors collected, screenshots in the build dir.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const SKIP = 77;  // ctest SKIP_RETURN_CODE

export function skip(why) {
  console.log(`SKIP: ${why}`);
  process.exit(SKIP);
}

// Arguments: FIXTURE_DIR SOURCE_DIR SCREENSHOT_DIR
export async function open(name) {
  const [fixture, root, shots] = process.argv.slice(2);
  if (!existsSync('/usr/bin/chromium')) skip('/usr/bin/chromium is not installed (scripts/install-deps.sh installs it)');
  if (!existsSync(path.join(root, 'web/dist/index.html'))) skip('web/dist is not built (scripts/build-web.sh)');
  let chromium;
  try {
    chromium = createRequire(path.join(root, 'web/package.json'))('playwright-core').chromium;
  } catch (e) {
    skip(`playwright-core is not installed in web/node_modules (scripts/build-web.sh): ${e.message}`);
  }
  const portFile = path.join(fixture, 'port');
  if (!existsSync(portFile)) throw new Error(`no server: ${portFile} is missing (the browser_server fixture failed)`);
  const base = `http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
  mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.setDefaultTimeout(120000);  // generous: the machine may be busy with builds
  const errors = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location().url || '';
    errors.push(`console error: ${m.text()} (${url})`);
  });
  const api = async (p, options) => {
    const r = await fetch(base + p, options);
    if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  // Charts animate for about a second after they are drawn: the picture waits for the end.
  const shot = async (file) => {
    await page.waitForTimeout(1500);
    return page.screenshot({ path: path.join(shots, `${name}-${file}.png`), fullPage: false });
  };
  const done = async () => {
    await browser.close();
    if (errors.length) throw new Error(errors.join('\n'));
  };
  return { page, base, api, shot, done, errors, root };
}

// Goes to a page of the dashboard and waits until it has drawn.
export async function goto(t, page) {
  await t.page.goto('about:blank');  // a full load each time, not a move within the page
  await t.page.goto(`${t.base}/#${page}`);
  await t.page.waitForFunction((p) => document.body.dataset.ready === p, page, { timeout: 120000 });
}

export function check(cond, message) {
  if (!cond) throw new Error(message);
}

export function run(fn) {
  fn().then(
    () => process.exit(0),
    (e) => {
      console.error(e.stack || String(e));
      process.exit(1);
    },
  );
}
