// Runs the ferry CLI from the TypeScript sources (tests spawn it with `node --import tsx`).
import { main } from '../main.js';

process.exitCode = await main(process.argv);
