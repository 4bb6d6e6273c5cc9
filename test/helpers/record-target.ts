// A stand-in infrastructure for pipeline tests: every call appends {action, args} to a JSON-lines log.
// FAIL_ON="health:green,deploy" makes matching calls exit 1 ("action" or "action:first-arg").
// SLEEP_ON="set_weight:25=5000" sleeps that many ms on a match (to cancel mid-step).
import { appendFileSync } from 'node:fs';

const [log, action, ...args] = process.argv.slice(2);
if (!log || !action) {
  console.error('usage: record-target.ts <log> <action> [args...]');
  process.exit(2);
}
appendFileSync(log, `${JSON.stringify({ action, args })}\n`);
const matches = (spec: string) => spec === action || spec === `${action}:${args[0]}`;
for (const rule of (process.env.SLEEP_ON ?? '').split(',').filter(Boolean)) {
  const [spec, ms] = rule.split('=');
  if (matches(spec!)) await new Promise((r) => setTimeout(r, Number(ms)));
}
if ((process.env.FAIL_ON ?? '').split(',').some(matches)) {
  console.error(`${action} ${args.join(' ')}: failing as asked`);
  process.exit(1);
}
if (action === 'current') console.log(process.env.CURRENT ?? '');
else console.log(`${action} ${args.join(' ')}: ok`);
