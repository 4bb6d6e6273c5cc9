// A stand-in infrastructure for pipeline tests: every call appends {action, args} to a JSON-lines log.
// Plain JavaScript, not TypeScript: a canary spawns it some twenty times, and Node starts a .mjs file in
// about half the CPU time of a .ts file (no type stripping to load).
// Environment knobs (specs are "action", "action:first-arg" or the whole call "action arg arg"):
//   FAIL_ON="health:green,deploy"          matching calls exit 1
//   FAIL_AFTER="set_weight green 25"       with FAIL_LATER="health:green": those calls fail once that call
//                                          has been logged (a canary that degrades at 25 %)
//   SLEEP_ON="set_weight:green=5000"       sleep that many ms on a match (to cancel mid-step); with
//                                          "set_weight green 0=3000" only traffic going back is slow
//   CURRENT='{"slot":"blue"}'              what the `current` action prints
//   LOG_END=1                              also log {action: "end", args: [action, ...args]} as the call
//                                          ends (after its sleep): whether it ran to its end, and when;
//                                          stopped by SIGTERM, it logs "end <call> terminated" 300 ms later
//                                          (a command that takes a moment to stop) and exits 143
import { appendFileSync, readFileSync } from 'node:fs';

const [log, action, ...args] = process.argv.slice(2);
if (!log || !action) {
  console.error('usage: record-target.mjs <log> <action> [args...]');
  process.exit(2);
}
const previous = (() => {
  try {
    return readFileSync(log, 'utf8');
  } catch {
    return '';
  }
})();
appendFileSync(log, `${JSON.stringify({ action, args })}\n`);
/** @param {string} spec */
const matches = (spec) =>
  spec === action || spec === `${action}:${args[0]}` || spec === [action, ...args].join(' ');
/** @param {string} name */
const specs = (name) => (process.env[name] ?? '').split(',').filter(Boolean);

if (process.env.LOG_END)
  process.on('SIGTERM', () =>
    setTimeout(() => {
      appendFileSync(log, `${JSON.stringify({ action: 'end', args: [action, ...args, 'terminated'] })}\n`);
      process.exit(143);
    }, 300),
  );
for (const rule of specs('SLEEP_ON')) {
  const [spec, ms] = rule.split('=');
  if (matches(spec ?? '')) await new Promise((r) => setTimeout(r, Number(ms)));
}
const degraded =
  !!process.env.FAIL_AFTER &&
  previous
    .split('\n')
    .filter(Boolean)
    .some((line) => {
      /** @type {{ action: string, args: string[] }} */
      const call = JSON.parse(line);
      return [call.action, ...call.args].join(' ') === process.env.FAIL_AFTER;
    });
if (specs('FAIL_ON').some(matches) || (degraded && specs('FAIL_LATER').some(matches))) {
  console.error(`${action} ${args.join(' ')}: failing as asked`);
  process.exit(1);
}
if (process.env.LOG_END)
  appendFileSync(log, `${JSON.stringify({ action: 'end', args: [action, ...args] })}\n`);
if (action === 'current') console.log(process.env.CURRENT ?? '');
else console.log(`${action} ${args.join(' ')}: ok`);
