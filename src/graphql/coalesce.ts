/**
 * Request coalescing: identical queries in flight at the same moment share one execution. A
 * query's answer depends only on its document, operation name and variables (for callers without
 * an Authorization header, the only ones whose answers are shared: sharesAnswers), so a second client asking the same thing
 * while the first is being answered waits for that answer instead of running the SQL again. It
 * works with the response cache off as well; with it on, a stampede on a key not cached yet runs
 * once, and the answer is cached for the next ones. Mutations and subscriptions are never shared.
 */
import { type ExecutionResult, getOperationAST } from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import { requestKey, sharesAnswers } from './response-cache.js';

/**
 * Put it before the response cache in the plugin list, so it shares the executions the cache
 * misses. `generation`: the response cache's, so that a request arriving after a data change
 * never joins an execution that began before it.
 */
export function coalescePlugin(generation: () => number): Plugin {
  const inFlight = new Map<string, Promise<ExecutionResult>>();
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== 'query') return;
      const { params, request } = args.contextValue as Partial<YogaInitialContext>;
      if (!params?.query || !sharesAnswers(request)) return;
      const key = requestKey(generation(), {
        documentString: params.query,
        operationName: params.operationName,
        variableValues: params.variables,
      });
      setExecuteFn(async (executeArgs) => {
        let execution = inFlight.get(key);
        if (!execution) {
          execution = Promise.resolve(executeFn(executeArgs) as ExecutionResult | Promise<ExecutionResult>);
          inFlight.set(key, execution);
          // Kept until the end of this turn of the event loop, so that the requests reaching
          // execution while the first one's answer is being cached share it too.
          const forget = () => setImmediate(() => inFlight.delete(key));
          execution.then(forget, forget);
        }
        // Each request gets its own result object: later plugins set fields on it.
        return { ...(await execution) };
      });
    },
  };
}
