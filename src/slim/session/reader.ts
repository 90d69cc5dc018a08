// Iterating a session's messages (or an app's incoming sessions) with `for await`: loops may come
// one after another, and leaving a loop early (break) leaves the queue intact for the next one.
// One reader at a time.
import type { AsyncQueue } from '../../util/async-queue.js';

export function reader<T>(queue: AsyncQueue<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => queue.next(),
      return: () => Promise.resolve({ value: undefined, done: true }),
    }),
  };
}
