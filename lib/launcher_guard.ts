// Preloaded (node -r) into every Node rank torch-node-run starts: the rank
// asks the kernel to SIGKILL it when the launcher dies (native die_with_parent:
// PR_SET_PDEATHSIG, then a getppid() check for a launcher that died first).
// A kernel signal rather than a pipe/heartbeat watched by the event loop,
// because a rank is often blocked on the JS thread (a collective waiting for a
// peer) exactly when its launcher is killed, and nothing on the loop would run.

const launcher = Number(process.env.TORCH_NODE_RUN_PID);
// The rank's own children (a fork inherits -r and the environment) are not the launcher's: their parent is this rank.
delete process.env.TORCH_NODE_RUN_PID;
if (Number.isInteger(launcher) && launcher > 0) {
  try {
    // Loaded here, not imported, so that an addon that fails to load is reported, not fatal.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    (require('./native').native as { die_with_parent(pid: number): boolean }).die_with_parent(launcher);
  } catch (e) {
    // The addon did not load: the script cannot use torch either, but it may still run; say what is lost.
    process.stderr.write(`torch-node-run: this rank will not die with its launcher: ${(e as Error).message}\n`);
  }
}
