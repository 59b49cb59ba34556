// A small typed event emitter that runs everywhere (no Node `events`), so that pure code can expose
// events and tests can count listeners to catch leaks (STYLE habit 6).

export type EventMap = Record<string, unknown[]>;
export type Listener<A extends unknown[]> = (...args: A) => void;
type Stored = (...args: unknown[]) => void;

export class Emitter<M extends EventMap> {
  readonly #listeners = new Map<keyof M, Set<Stored>>();

  /** Subscribes a listener; the returned function unsubscribes it. */
  on<K extends keyof M>(name: K, listener: Listener<M[K]>): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener as unknown as Stored);
    return () => this.off(name, listener);
  }

  /** Subscribes a listener that is removed after its first call. */
  once<K extends keyof M>(name: K, listener: Listener<M[K]>): () => void {
    const off = this.on(name, ((...args: M[K]) => {
      off();
      listener(...args);
    }) as Listener<M[K]>);
    return off;
  }

  off<K extends keyof M>(name: K, listener: Listener<M[K]>): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    set.delete(listener as unknown as Stored);
    if (set.size === 0) this.#listeners.delete(name);
  }

  emit<K extends keyof M>(name: K, ...args: M[K]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    // Copying first lets a listener unsubscribe itself (or others) while we iterate.
    for (const listener of [...set]) listener(...args);
  }

  /** Number of listeners for one event, or for all events when no name is given. */
  listenerCount(name?: keyof M): number {
    if (name !== undefined) return this.#listeners.get(name)?.size ?? 0;
    let total = 0;
    for (const set of this.#listeners.values()) total += set.size;
    return total;
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }

  /**
   * Resolves with the arguments of the next matching event: tests and CLIs wait on events, not sleeps.
   * The listener is removed once it matched.
   */
  next<K extends keyof M>(name: K, predicate: (...args: M[K]) => boolean = () => true): Promise<M[K]> {
    return new Promise((resolve) => {
      const off = this.on(name, ((...args: M[K]) => {
        if (!predicate(...args)) return;
        off();
        resolve(args);
      }) as Listener<M[K]>);
    });
  }
}
