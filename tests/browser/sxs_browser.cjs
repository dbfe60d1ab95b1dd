// Browser acceptance test of the side-by-side rating app (issue #7), in Debian's headless
// Chromium driven by playwright-core: an admin creates a study from shared prompts with two
// systems' responses (one containing <script>), a rater signs in with the token link, rates three
// items with the keyboard, reloads (progress kept), and the admin page shows the expected counts.
// Usage: node sxs_browser.cjs RGEVAL_BIN WORK_DIR SHARED_DIR. Screenshot: WORK_DIR/rater-page.png.
'use strict';
const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const [bin, work, shared] = process.argv.slice(2);
const { chromium } = require(path.join(path.resolve(work), 'node_modules', 'playwright-core'));

let passed = 0;
function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
  passed++;
  console.log('ok - ' + what);
}
const cli = (...args) => execFileSync(bin, args, { encoding: 'utf8' });

async function main() {
  const dir = fs.mkdtempSync(path.join(path.resolve(work), 'run-'));
  const db = path.join(dir, 'study.db');
  // The admin's set-up, with the CLI.
  const admin = /admin token[^:]*: ([0-9a-f]{32})/.exec(cli('sxs', 'create', '--db', db, '--name', 'Browser study', '--seed', '11'))[1];
  cli('sxs', 'import-prompts', '--db', db, '--format', 'vicuna', '--limit', '4', path.join(shared, 'data/vicuna_bench/question.jsonl'));
  const ids = fs.readFileSync(path.join(shared, 'data/vicuna_bench/question.jsonl'), 'utf8').trim().split('\n').slice(0, 4)
    .map((l) => 'vicuna/' + JSON.parse(l).question_id);
  const lines = [];
  for (const id of ids) {
    lines.push(JSON.stringify({ prompt_id: id, system: 'model-alpha', response: 'Alpha on ' + id + ' <script>window.__xss = 1</script>\n```python\nif a < b:\n    print("hi")\n```' }));
    lines.push(JSON.stringify({ prompt_id: id, system: 'model-beta', response: 'Beta answers ' + id + ' plainly.' }));
  }
  fs.writeFileSync(path.join(dir, 'responses.jsonl'), lines.join('\n') + '\n');
  cli('sxs', 'import-responses', '--db', db, path.join(dir, 'responses.jsonl'));
  const token = /\/#t=([0-9a-f]{32})/.exec(cli('sxs', 'add-rater', '--db', db, '--name', 'rita'))[1];

  const server = spawn(bin, ['sxs', 'serve', '--db', db, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let browser;
  try {
    const port = await new Promise((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (d) => {
        out += d;
        const m = /127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      server.on('exit', (c) => reject(new Error('server exited with ' + c)));
      setTimeout(() => reject(new Error('server did not start')), 20000);
    });
    const base = `http://127.0.0.1:${port}`;
    browser = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
      viewport: { width: 1200, height: 900 },
    });
    const page = browser.pages()[0] || (await browser.newPage());
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const progress = async (t) => {
      try {
        await page.locator('#progress', { hasText: t }).waitFor({ timeout: 15000 });
      } catch (e) {
        const body = await page.evaluate(() => document.body ? document.body.innerText.slice(0, 400) : '').catch(() => '?');
        throw new Error(`progress "${t}" not shown; at ${page.url()}: ${body}\n${e.message}`);
      }
    };

    // Sign-in with the token link (the fragment fills and submits the form).
    await page.goto(`${base}/#t=${token}`);
    await progress('0 / 4');
    check(new URL(page.url()).pathname === '/rate', 'the token link signs the rater in');
    const both = (await page.locator('#left').innerText()) + (await page.locator('#right').innerText());
    check(both.includes('<script>window.__xss = 1</script>'), 'a response containing <script> shows as text');
    check(await page.evaluate(() => window.__xss === undefined), 'the response script did not run');
    check((await page.locator('pre.code').count()) === 1, 'the code block is rendered as <pre>');
    check(!(await page.content()).includes('model-alpha') && !(await page.content()).includes('model-beta'), 'system names are not in the page');
    fs.mkdirSync(work, { recursive: true });
    await page.screenshot({ path: path.join(work, 'rater-page.png'), fullPage: true });
    check(fs.existsSync(path.join(work, 'rater-page.png')), 'screenshot saved');
    await page.setViewportSize({ width: 390, height: 844 });  // a phone: the responses stack
    const [bl, br] = [await page.locator('#left').boundingBox(), await page.locator('#right').boundingBox()];
    check(br.y >= bl.y + bl.height && br.width <= 390, 'on a phone the responses stack in one column');
    await page.screenshot({ path: path.join(work, 'rater-page-mobile.png'), fullPage: true });
    await page.setViewportSize({ width: 1200, height: 900 });

    // Three items with the keyboard: 1 (A much better), 3 (about the same), 5 (B much better).
    const keys = ['1', '3', '5'];
    for (let i = 0; i < keys.length; i++) {
      await page.keyboard.press(keys[i]);
      check(await page.locator(`#choice${keys[i]}`).isChecked(), `key ${keys[i]} selects choice ${keys[i]}`);
      await page.keyboard.press('n');
      await progress(`${i + 1} / 4`);
    }
    await page.reload();
    await progress('3 / 4');
    check(true, 'progress is kept across a reload');

    // The admin page: per-rater progress and the live counts.
    const ap = await browser.newPage();
    await ap.goto(`${base}/admin`);
    await ap.fill('#token', admin);
    await ap.click('button[type=submit]');
    await ap.locator('#results').waitFor({ timeout: 15000 });
    const cell = async (c) => Number(await ap.locator(`#results .pair-row .${c}`).innerText());
    const n = await cell('n'), w = await cell('wins'), t = await cell('ties'), l = await cell('losses');
    check(n === 3 && t === 1 && w + l === 2, `results page: n=${n} W/T/L ${w}/${t}/${l}`);
    check((await ap.locator('#raters').innerText()).includes('3 / 4'), 'admin sees the rater at 3 / 4');
    check((await ap.locator('#position').innerText()).includes('Left won 1 of 2'), 'position counts: left won 1 of 2');
    const json = JSON.parse(cli('sxs', 'results', '--db', db, '--json', '--bootstrap', '50'));
    const p = json.pairs[0];
    check(p.n === 3 && p.ties === 1 && p.wins === w && p.losses === l, 'the CLI results agree with the page');
    check(errors.length === 0, 'no console errors (CSP violations would show here): ' + errors.join('; '));
  } finally {
    if (browser) await browser.close();
    server.kill('SIGTERM');
  }
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`${passed} passed, 0 failed`);
}

main().catch((e) => {
  console.error('sxs_browser: ' + (e && e.stack ? e.stack : e));
  console.log(`${passed} passed, 1 failed`);
  process.exit(1);
});
