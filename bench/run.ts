// `npm run bench`: every benchmark, printed as markdown tables. Figures only; nothing here fails a build.
import { benchGates } from './gates.ts';
import { benchGitHub } from './github.ts';
import { benchMetrics } from './metrics.ts';
import { benchPipeline } from './pipeline.ts';
import { benchStartup } from './startup.ts';

console.log(`# deploy-action benchmarks (node ${process.version}, ${new Date().toISOString()})\n`);
await benchPipeline();
console.log('');
await benchStartup();
console.log('');
await benchGates();
console.log('');
await benchGitHub();
console.log('');
await benchMetrics();
console.log('\nThe rollback judge against Flagger- and Kayenta-style baselines: npm run bench:judge');
