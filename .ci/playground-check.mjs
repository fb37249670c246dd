// Headless-browser check of the GraphiQL playground.
//
// Usage: node .ci/playground-check.mjs <playground-url> <expected-text> [tab-title]
//
// Opens the playground in Debian's /usr/bin/chromium (no browser download; needs
// `npm install --prefix .ci` for playwright-core), fails if the page requests anything from
// another origin, optionally selects the tab titled [tab-title], clicks GraphiQL's execute
// button and waits until the result pane contains <expected-text>.
// Set PLAYGROUND_SCREENSHOT=<file.png> to save a screenshot of the page at the end.
// Prints `playground check: ok` and exits 0, or prints what went wrong (and what the result pane
// showed) and exits 1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const TIMEOUT_MS = 30_000;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const [url, expected, tabTitle] = process.argv.slice(2);
if (!url || !expected) {
  console.error('usage: node .ci/playground-check.mjs <playground-url> <expected-text> [tab-title]');
  process.exit(2);
}
const origin = new URL(url).origin;

/** The text of GraphiQL's result pane (the whole CodeMirror document, not just visible lines). */
function resultText() {
  const pane = document.querySelector('.graphiql-response');
  if (!pane) return null;
  const editor = pane.querySelector('.CodeMirror');
  if (editor && editor.CodeMirror) return editor.CodeMirror.getValue();
  return pane.innerText;
}

async function check(page, problems) {
  await page.goto(url, { waitUntil: 'load', timeout: TIMEOUT_MS });
  const execute = page.locator('button.graphiql-execute-button');
  await execute.waitFor({ state: 'visible', timeout: TIMEOUT_MS });

  if (tabTitle) {
    const tab = page.locator('.graphiql-tab', { hasText: tabTitle }).first();
    await tab.locator('button.graphiql-tab-button').first().click({ timeout: TIMEOUT_MS });
    await page
      .locator('.graphiql-tab-active', { hasText: tabTitle })
      .waitFor({ state: 'visible', timeout: TIMEOUT_MS });
    // GraphiQL re-reads the operation name (and variables) from the editors shortly after a
    // tab switch; executing before that sends the previous tab's operation name.
    await page.waitForTimeout(1000);
  } else {
    await page.waitForTimeout(300);
  }

  await execute.click({ timeout: TIMEOUT_MS });
  // With several operations in the document GraphiQL asks which one to run: take the first.
  const menuItem = page.locator('[role="menuitem"]').first();
  if (await menuItem.isVisible().catch(() => false)) await menuItem.click();

  try {
    await page.waitForFunction(
      (text) => {
        const pane = document.querySelector('.graphiql-response');
        if (!pane) return false;
        const editor = pane.querySelector('.CodeMirror');
        const value = editor && editor.CodeMirror ? editor.CodeMirror.getValue() : pane.innerText;
        return value.includes(text);
      },
      expected,
      { timeout: TIMEOUT_MS, polling: 250 },
    );
  } catch {
    const shown = await page.evaluate(resultText).catch((e) => `<could not read: ${e.message}>`);
    problems.push(
      `result pane did not contain ${JSON.stringify(expected)} within ${TIMEOUT_MS / 1000} s; it showed:\n${shown}`,
    );
  }
}

const userDataDir = mkdtempSync(join(tmpdir(), 'playground-check-'));
const problems = [];
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());

  // Record (and block) every request that leaves the playground's origin.
  await context.route('**/*', (route) => {
    const requested = route.request().url();
    if (requested.startsWith('data:') || requested.startsWith('blob:')) return route.continue();
    if (new URL(requested).origin !== origin) {
      problems.push(`off-origin request: ${requested}`);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`console error: ${message.text()}`);
  });

  await check(page, problems);
  if (process.env.PLAYGROUND_SCREENSHOT) {
    await page.screenshot({ path: process.env.PLAYGROUND_SCREENSHOT });
  }
} catch (error) {
  problems.push(`check failed: ${error.message}`);
} finally {
  await context?.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}

if (problems.length > 0) {
  for (const problem of problems) console.log(`playground check: ${problem}`);
  process.exit(1);
}
console.log('playground check: ok');
