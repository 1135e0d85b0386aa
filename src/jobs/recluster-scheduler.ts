/**
 * The server's automatic clustering: it looks at the policy (recluster-policy.ts) when articles
 * arrive, once they stop arriving for a moment, and every `checkEveryMs`; when a run is due it
 * starts one through the server's runner (child process, the one-run lock). Several servers on one
 * database may all decide so: the lock lets one run and the others find it in progress.
 */
import type { ReclusterPolicy } from '../config.js';
import type { Database } from '../db/client.js';
import type { ClusteringRunner } from './cluster-runner.js';
import { evaluateReclusterPolicy, type ReclusterState } from './recluster-policy.js';
import { ClusteringRunError } from './run-lock.js';

/** After an automatic run fails, the next waits this long, doubling with each failure in a row. */
const FIRST_RETRY_MS = 30_000;
const LONGEST_RETRY_MS = 60 * 60 * 1000;
/** However steady the stream of articles, a due run waits at most this many quiet periods. */
const MAX_QUIET_PERIODS = 10;

export interface ReclusterScheduler {
  readonly policy: ReclusterPolicy;
  /** Articles arrived or a run ended: look at the policy again once things are quiet. */
  nudge(): void;
  /** A run this server started has ended. */
  runEnded(succeeded: boolean): void;
  /** The policy's verdict now, as the API shows it. */
  state(): Promise<ReclusterState>;
  stop(): void;
}

export function createReclusterScheduler(options: {
  db: Database;
  runner: ClusteringRunner;
  policy: ReclusterPolicy;
  log: (message: string) => void;
}): ReclusterScheduler {
  const { db, runner, policy, log } = options;
  let checking = false;
  let stopped = false;
  let quietTimer: NodeJS.Timeout | undefined;
  let firstNudgeAt: number | undefined;
  let failures = 0;
  let notBefore = 0;
  let lastMessage = '';
  const say = (message: string) => {
    if (message !== lastMessage) log(message);
    lastMessage = message;
  };
  /** After a failure, automatic runs wait, longer after each failure in a row. */
  const backOff = () => {
    failures++;
    notBefore = Date.now() + Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** (failures - 1));
  };

  const check = async () => {
    if (stopped || checking || runner.busy() || Date.now() < notBefore) return;
    checking = true;
    try {
      const state = await evaluateReclusterPolicy(db, policy);
      if (!state.due) return;
      const runId = await runner.start({ windowMs: policy.windowMs ?? undefined, reason: `automatic: ${state.reason}` });
      say(`automatic clustering run ${runId} started: ${state.reason}`);
    } catch (error) {
      // Another server's run holds the lock: it will cover these articles.
      if (error instanceof ClusteringRunError && error.code === 'IN_PROGRESS') return;
      backOff();
      say(`automatic clustering did not start: ${(error as Error).message}`);
    } finally {
      checking = false;
    }
  };

  const timer = policy.enabled ? setInterval(() => void check(), policy.checkEveryMs).unref() : undefined;
  if (policy.enabled) setImmediate(() => void check());

  const nudge = () => {
    if (!policy.enabled || stopped) return;
    const now = Date.now();
    firstNudgeAt ??= now;
    const delay = Math.max(0, Math.min(policy.quietMs, firstNudgeAt + MAX_QUIET_PERIODS * policy.quietMs - now));
    clearTimeout(quietTimer);
    quietTimer = setTimeout(() => {
      firstNudgeAt = undefined;
      void check();
    }, delay).unref();
  };

  return {
    policy,
    nudge,
    runEnded(succeeded) {
      if (succeeded) {
        failures = 0;
        notBefore = 0;
      } else {
        backOff();
      }
      nudge();
    },
    async state() {
      const state = await evaluateReclusterPolicy(db, policy);
      if (!policy.enabled) return { ...state, due: false, reason: `automatic runs are off (RECLUSTER=off); ${state.reason}` };
      if (state.due && Date.now() < notBefore) {
        return {
          ...state,
          due: false,
          reason: `the last automatic run failed or could not start; the next may start at ${new Date(notBefore).toISOString()}`,
        };
      }
      return state;
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(quietTimer);
    },
  };
}
