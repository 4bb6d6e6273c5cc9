// `npm run bench`: every benchmark, printed as markdown tables. Figures only; nothing here fails a build.
import { benchPipeline } from './pipeline.ts';

console.log(`# deploy-action benchmarks (node ${process.version}, ${new Date().toISOString()})\n`);
await benchPipeline();
