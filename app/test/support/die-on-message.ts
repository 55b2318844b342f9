// Preloaded into a test's server process (`node --import`): on a message from the test (IPC), the process ends
// the way the message says, from outside the service's code, like a bug or a library would.
process.on('message', (how) => {
  process.channel?.unref(); // the IPC channel must not keep the process alive on its own
  if (how === 'throw') {
    setImmediate(() => {
      throw new Error('test: an uncaught exception');
    });
  } else if (how === 'exit') {
    process.exit(3);
  }
});
process.channel?.unref();
