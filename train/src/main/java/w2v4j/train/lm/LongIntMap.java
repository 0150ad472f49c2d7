package w2v4j.train.lm;

import java.util.Arrays;

/**
 * A hash map from long keys to non-negative int values with open addressing (linear probing), so that tries
 * keyed by (parent node, word) need no boxed keys. Insert-only: tries never delete edges.
 */
public final class LongIntMap {
    /** The value {@link #get} returns for an absent key. */
    public static final int MISSING = -1;

    private long[] keys;
    private int[] values;   // MISSING marks an empty slot
    private int size;
    private int mask;

    public LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new int[cap];
        Arrays.fill(values, MISSING);
        mask = cap - 1;
    }

    /** The key of a trie edge: the parent node in the high half, the label in the low half. */
    public static long edge(int parent, int label) {
        return ((long) parent << 32) | (label & 0xffffffffL);
    }

    public int size() {
        return size;
    }

    public int get(long key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            int v = values[i];
            if (v == MISSING) return MISSING;
            if (keys[i] == key) return v;
        }
    }

    /** Stores {@code value} (≥ 0) under {@code key}, replacing any earlier value. */
    public void put(long key, int value) {
        if (value < 0) throw new IllegalArgumentException("values must be >= 0, got " + value);
        if ((size + 1) * 2 > keys.length) grow();
        for (int i = slot(key); ; i = (i + 1) & mask) {
            if (values[i] == MISSING) {
                keys[i] = key;
                values[i] = value;
                size++;
                return;
            }
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
        }
    }

    private int slot(long key) {
        // A 64-bit mix (the finaliser of MurmurHash3) so that consecutive node ids spread over the table.
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) h & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        Arrays.fill(values, MISSING);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != MISSING) put(oldKeys[i], oldValues[i]);
        }
    }
}
