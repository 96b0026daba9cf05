/**
 * A partition is a model built for one experiment, or once for the project (experiment
 * null). Everything keyed by partition — stored fingerprints, the planner's view of them,
 * failed ancestors while applying — uses these two types, so no key is a joined string
 * that someone has to split again.
 */

export interface PartitionKey {
  readonly model: string;
  /** null: a project-level model (view or table), built once */
  readonly experimentId: string | null;
}

/** What readers of a partition map need (the planner takes one of these). */
export interface ReadonlyPartitionMap<V> extends Iterable<[PartitionKey, V]> {
  readonly size: number;
  get(key: PartitionKey): V | undefined;
  has(key: PartitionKey): boolean;
}

/** Values by partition, held as model → experiment → value. Iterates model by model, each in insertion order. */
export class PartitionMap<V> implements ReadonlyPartitionMap<V> {
  readonly #byModel = new Map<string, Map<string | null, V>>();

  constructor(entries: Iterable<readonly [PartitionKey, V]> = []) {
    for (const [key, value] of entries) this.set(key, value);
  }

  get size(): number {
    let n = 0;
    for (const m of this.#byModel.values()) n += m.size;
    return n;
  }

  get(key: PartitionKey): V | undefined {
    return this.#byModel.get(key.model)?.get(key.experimentId);
  }

  has(key: PartitionKey): boolean {
    return this.#byModel.get(key.model)?.has(key.experimentId) ?? false;
  }

  /** Stores under the key's model and experiment only (a PlanStep is a fine key). */
  set(key: PartitionKey, value: V): this {
    let m = this.#byModel.get(key.model);
    if (!m) this.#byModel.set(key.model, (m = new Map()));
    m.set(key.experimentId, value);
    return this;
  }

  /** The model's partitions: experiment id (null: project-level) → value. */
  ofModel(model: string): ReadonlyMap<string | null, V> {
    return this.#byModel.get(model) ?? new Map();
  }

  *[Symbol.iterator](): IterableIterator<[PartitionKey, V]> {
    for (const [model, m] of this.#byModel) {
      for (const [experimentId, value] of m) yield [{ model, experimentId }, value];
    }
  }
}
