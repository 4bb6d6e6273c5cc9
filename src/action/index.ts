import * as z from 'zod';
import { run } from './run.ts';

// A run parses each schema a few times at most: zod's JIT (it compiles a parser per object schema on the
// first parse) costs more than it saves here, about a tenth of a dry run's start.
z.config({ jitless: true });
await run();
