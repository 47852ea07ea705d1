/**
 * A Map that holds at most `capacity` entries: setting a key makes it the newest, and when a
 * new key would go over the capacity the oldest entry is forgotten. `recent` reads a key and
 * makes it the newest, for caches that keep what is used (least recently used goes first).
 * The caches of the server (tokens, versions, plans, statements, documents, runs) are these.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly capacity: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.delete(key);
    if (this.size >= this.capacity) super.delete(this.keys().next().value!);
    return super.set(key, value);
  }

  recent(key: K): V | undefined {
    const value = super.get(key);
    if (value !== undefined) this.set(key, value);
    return value;
  }
}
