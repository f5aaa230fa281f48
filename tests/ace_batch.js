// Runs DAISY Ace (@daisy/ace-core 1.4.6, as ace-cli does) on many EPUBs with ONE headless Chromium, so the
// tests pay its start-up once per batch instead of once per book (about 3 s each here).
//
//   node ace_batch.js ACE_DIR JOBS.json
//
// ACE_DIR holds node_modules/@daisy/ace-cli; JOBS.json is [{"epub": PATH, "outdir": PATH}, ...]. Each outdir
// gets Ace's report.json, whose assertions also hold the axe rules Ace turns off for EPUBs (region,
// page-has-heading-one, bypass): a publisher's auditor may run them, so do we. (Ace's axe also reduces
// landmark-one-main to "no second main"; the tests check for the one main themselves.)
// PUPPETEER_EXECUTABLE_PATH must name a Chromium. Exit 0 when every book was checked, 1 otherwise.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const [aceDir, jobsFile] = process.argv.slice(2);
const modules = path.join(aceDir, 'node_modules');
const need = (name) => require(require.resolve(name, { paths: [modules] }));
const ace = need('@daisy/ace-core');
const runner = need('@daisy/ace-axe-runner-puppeteer');

// The rules Ace disables, switched back on in a copy of its page script.
const RULES_OFF = ['bypass', 'region', 'page-has-heading-one'];
const original = require.resolve('@daisy/ace-core/lib/scripts/ace-axe.js', { paths: [modules] });
let script = fs.readFileSync(original, 'utf8');
for (const rule of RULES_OFF) {
  const off = `"${rule}": { enabled: false },`;
  if (!script.includes(off)) {
    console.error(`ace_batch: ${original} no longer disables ${rule} as expected; update tests/ace_batch.js`);
    process.exit(1);
  }
  script = script.replace(off, `"${rule}": { enabled: true },`);
}
const patched = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ace-batch-')), 'ace-axe.js');
fs.writeFileSync(patched, script);

// One browser for the whole batch: Ace launches and closes per book, here only the first launch is real.
let launched = false;
const shared = Object.create(runner);
shared.launch = async () => { if (!launched) { await runner.launch(); launched = true; } };
shared.close = async () => {};
shared.run = (url, scripts, contents, basedir) =>
  runner.run(url, scripts.map((s) => (s === original ? patched : s)), contents, basedir);

(async () => {
  const jobs = JSON.parse(fs.readFileSync(jobsFile, 'utf8'));
  let failed = 0;
  for (const job of jobs) {
    try {
      await ace(job.epub, { cwd: process.cwd(), outdir: job.outdir, silent: true, initLogger: true, jobId: '' },
        shared);
    } catch (err) {
      failed += 1;
      console.error(`ace_batch: ${job.epub}: ${err && err.message ? err.message : err}`);
    }
  }
  if (launched) await runner.close();
  process.exit(failed ? 1 : 0);
})();
