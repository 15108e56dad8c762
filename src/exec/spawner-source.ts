/**
 * The program of the spawner process (see `spawner.ts`), run as `node -e SPAWNER_SOURCE`: plain
 * CommonJS, so that it runs the same from the sources and from `dist/`, with nothing to load but Node's
 * own `child_process`.
 *
 * Its messages, over the IPC channel (Node's advanced serialization, so that `stdin` may be bytes):
 * - in: `{ id, file, args, cwd, env, stdin }`, one per process to start;
 * - out: `{ op: 'stdout', id, pid }` carrying the child's stdout pipe, then `{ op: 'stderr', id }` carrying
 *   its stderr pipe, then `{ op: 'exit', id, code, signal }` once it has exited and been reaped;
 * - out, instead of all three: `{ op: 'failed', id, error: { message, code, errno, syscall, path } }`
 *   when it could not start.
 *
 * It reads not one byte of the output. Node starts reading a child's pipes as soon as it makes them, and
 * a pipe sent over IPC waits for the acknowledgement of the one sent before it: whatever this process read
 * meanwhile would be lost to the receiver. So both pipes stop reading at once, the data waits in the
 * kernel's pipe buffer, and once a pipe is sent its handle here is closed (only the receiver's copy of the
 * descriptor stays open), so that its end of file reaches the receiver when the child's side closes.
 *
 * It ends when its parent does (the channel disconnects, or it gets a new parent); the processes it
 * started live in their own sessions and are the parent's to stop.
 */
export const SPAWNER_SOURCE = String.raw`'use strict';
const { spawn } = require('node:child_process');

const failed = (id, error) => {
  const { message, code, errno, syscall, path } = error ?? {};
  process.send({ op: 'failed', id, error: { message: String(message ?? error), code, errno, syscall, path } });
};

process.on('message', ({ id, file, args, cwd, env, stdin }) => {
  let child;
  try {
    child = spawn(file, args, {
      cwd,
      env,
      detached: true,
      shell: false,
      windowsHide: true,
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    failed(id, error);
    return;
  }
  if (child.pid === undefined) {
    child.once('error', (error) => failed(id, error));
    return;
  }
  child.stdout._handle.readStop();
  child.stderr._handle.readStop();
  process.send({ op: 'stdout', id, pid: child.pid }, child.stdout);
  process.send({ op: 'stderr', id }, child.stderr);
  if (child.stdin) {
    // A process that exits without reading all its input makes the write fail (EPIPE); its exit says why.
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
  }
  child.once('exit', (code, signal) => process.send({ op: 'exit', id, code, signal }));
});

// The end of the parent: its channel disconnects; and, should that be missed (it was seen to be, when the
// parent was SIGKILLed while a pipe was in flight), this process is handed to another parent.
const parent = process.ppid;
process.on('disconnect', () => process.exit(0));
setInterval(() => process.ppid !== parent && process.exit(0), 500).unref();
`;
