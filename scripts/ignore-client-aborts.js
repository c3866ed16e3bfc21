// Preloaded into kinesalite by the benchmark scripts (node --require). kinesalite rethrows the error
// a request emits when its client goes away in the middle of it ("aborted", ECONNRESET), and that
// ends the whole server. A benchmark client that drops its connections at the end of a run (the SDK
// closing its pool, the KPL daemon exiting) must not take the emulator down for the runs after it.
// Any other uncaught error still ends the process.
'use strict';
process.on('uncaughtException', (error) => {
  if (error && (error.message === 'aborted' || error.code === 'ECONNRESET' || error.code === 'ECONNABORTED')) {
    console.error(`[kinesalite] a client aborted its request (${error.message}); kept serving`);
    return;
  }
  console.error(error);
  process.exit(1);
});
