/**
 * Our server with the memory probe loaded in its main thread only (a `--import` of the probe
 * would also be preloaded into the clustering worker thread, where it cannot load). src/server.ts
 * starts itself only when it is the entry script, so this entry point presents it as such.
 *
 * node --expose-gc --import tsx scripts/bench/probed-server.ts   (with an IPC channel)
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import './memory-probe.js';

const serverPath = fileURLToPath(new URL('../../src/server.ts', import.meta.url));
process.argv[1] = serverPath;
await import(pathToFileURL(serverPath).href);
