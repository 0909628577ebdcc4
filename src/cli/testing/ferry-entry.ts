// Runs the ferry CLI from the TypeScript sources (tests spawn it with `node --import tsx`), from the
// same front as bin/ferry.js: --help and inspect without commander, the rest through it.
import { main } from '../front.js';

process.exitCode = await main(process.argv);
