package w2v4j.train.lm;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A word n-gram language model in back-off form, as an ARPA file stores it: for every listed n-gram a log10
 * probability, and for every n-gram below the top order a log10 back-off weight. Unlisted n-grams back off:
 * {@code log10 P(w | h) = bo(h) + log10 P(w | h minus its first word)}, with {@code bo(h) = 0} when h is not listed.
 *
 * <p>Words are ints: the index of the word in the 1-gram section ({@link #wordId}). N-grams are the nodes of a trie
 * (node 0 is the empty context, node {@code 1 + w} the unigram w), and a decoder's LM state is a node id: the
 * longest suffix of the history that is still informative, as KenLM keeps it — histories that end in the same state
 * score every continuation identically, so hypotheses can carry a plain int.
 *
 * <p>Immutable, so one model serves decoders on any number of threads.
 */
public final class ArpaModel {
    public static final String BOS = "<s>";
    public static final String EOS = "</s>";
    public static final String UNK = "<unk>";
    /** The state of an empty history (no {@code <s>}): node 0. */
    public static final int NULL_STATE = 0;
    /** log10 probability of a word outside the vocabulary when the model has no {@code <unk>} (KenLM's value). */
    public static final float MISSING_UNK_LOG10 = -100f;

    private final int order;
    private final String[] words;
    private final Map<String, Integer> wordIds;
    private final int bos, eos, unk;            // -1 where the model lacks them
    private final int[] orderStart;             // node ids of k-grams: [orderStart[k], orderStart[k + 1])
    private final int[] parent;                 // the n-gram without its last word (0 for unigrams, -1 for the root)
    private final int[] lastWord;
    private final int[] suffix;                 // the longest listed n-gram that is a proper suffix (0 = empty)
    private final float[] prob;
    private final float[] backoff;
    private final boolean[] isContext;          // some listed n-gram extends it to the right
    private final LongIntMap children;          // (node, word) -> node, for nodes of order >= 1

    /**
     * Takes ownership of the arrays. Node 0 is the root; nodes of order k follow in a block, unigram {@code w} is
     * node {@code 1 + w}, and the parent of every node of order k ≥ 2 is a node of order k − 1.
     *
     * @param children the edges (parent, word) → node for parents of order ≥ 1, or null to build them here
     */
    ArpaModel(int order, String[] words, int[] orderStart, int[] parent, int[] lastWord, float[] prob, float[] backoff,
              LongIntMap children) {
        this.order = order;
        this.words = words;
        this.orderStart = orderStart;
        this.parent = parent;
        this.lastWord = lastWord;
        this.prob = prob;
        this.backoff = backoff;
        int nodes = orderStart[order + 1];
        if (children == null) {
            children = new LongIntMap(nodes);
            for (int n = orderStart[2]; n < nodes; n++) children.put(LongIntMap.edge(parent[n], lastWord[n]), n);
        }
        this.children = children;
        this.wordIds = new HashMap<>(words.length * 2);
        for (int i = 0; i < words.length; i++) wordIds.put(words[i], i);
        this.bos = wordIds.getOrDefault(BOS, -1);
        this.eos = wordIds.getOrDefault(EOS, -1);
        this.unk = wordIds.getOrDefault(UNK, -1);
        this.isContext = new boolean[nodes];
        for (int n = orderStart[2]; n < nodes; n++) isContext[parent[n]] = true;
        this.suffix = new int[nodes];
        suffix[0] = -1;
        // Nodes are in order of increasing n-gram order, so a parent's suffix is known before its children's.
        for (int n = orderStart[2]; n < nodes; n++) {
            int w = lastWord[n];
            int s = suffix[parent[n]];
            int found;
            while ((found = child(s, w)) == LongIntMap.MISSING) s = suffix[s];
            suffix[n] = found;
        }
    }

    /** Reads an ARPA file; errors name the file and line. */
    public static ArpaModel read(Path file) {
        return ArpaReader.read(file);
    }

    /** Writes this model as an ARPA file, atomically. */
    public void write(Path file) {
        ArpaWriter.write(this, file);
    }

    /** The ARPA text of this model. */
    public String toArpaString() {
        return ArpaWriter.toText(this);
    }

    public int order() {
        return order;
    }

    /** Number of words (the 1-gram count), special tokens included. */
    public int vocabularySize() {
        return words.length;
    }

    public String word(int id) {
        return words[id];
    }

    /** The id of {@code word}, or {@link #unk()} (possibly −1) for a word outside the vocabulary. */
    public int wordId(String word) {
        Integer id = wordIds.get(word);
        return id != null ? id : unk;
    }

    /** True when the word is listed among the 1-grams. */
    public boolean contains(String word) {
        return wordIds.containsKey(word);
    }

    public int bos() {
        return bos;
    }

    public int eos() {
        return eos;
    }

    public int unk() {
        return unk;
    }

    /** Number of listed n-grams of order k (1-based). */
    public int count(int k) {
        return orderStart[k + 1] - orderStart[k];
    }

    // ---- decoding API: states are node ids --------------------------------------------------------------------

    /** The state after {@code <s>}: the start of a sentence (the null state if the model has no {@code <s>}). */
    public int startState() {
        return bos < 0 ? NULL_STATE : minimize(1 + bos);
    }

    /**
     * Scores {@code word} after the history summarised by {@code state}: the log10 probability and the next state,
     * packed into one long ({@link #scoreLog10}, {@link #scoreState}) so a decoder's inner loop allocates nothing.
     * A word id outside {@code [0, vocabularySize)} is an unknown word: {@code <unk>}'s probability if the model
     * lists {@code <unk>}, else {@link #MISSING_UNK_LOG10}; either way the history is forgotten (as in KenLM).
     */
    public long score(int state, int word) {
        float p = (float) log10Prob(state, word);
        int found = find(state, word);
        int next = found < 0 ? NULL_STATE : minimize(found);
        return ((long) Float.floatToRawIntBits(p) << 32) | (next & 0xffffffffL);
    }

    public static float scoreLog10(long packed) {
        return Float.intBitsToFloat((int) (packed >>> 32));
    }

    public static int scoreState(long packed) {
        return (int) packed;
    }

    /** log10 P(word | state), with standard back-off. */
    public double log10Prob(int state, int word) {
        int found = find(state, word);
        int stop = found < 0 ? -1 : parent[found];
        double acc = 0;
        for (int n = state; n != stop && n >= 0; n = suffix[n]) acc += backoff[n];
        return acc + (found < 0 ? MISSING_UNK_LOG10 : prob[found]);
    }

    /** log10 P(word | context), the context oldest word first (it may start with {@code <s>}). */
    public double log10Prob(int[] context, int word) {
        return log10Prob(state(context), word);
    }

    /** The state of a history, oldest word first; unknown words (ids outside the vocabulary) cut the history. */
    public int state(int[] context) {
        for (int start = Math.max(0, context.length - (order - 1)); start < context.length; start++) {
            int n = NULL_STATE;
            for (int i = start; i < context.length && n != LongIntMap.MISSING; i++) n = child(n, context[i]);
            if (n != LongIntMap.MISSING) return minimize(n);
        }
        return NULL_STATE;
    }

    /** The state after scoring {@code word} from {@code state}. */
    public int nextState(int state, int word) {
        int found = find(state, word);
        return found < 0 ? NULL_STATE : minimize(found);
    }

    // ---- listed n-grams ------------------------------------------------------------------------------------------

    /** The entry (node) of a listed n-gram, or −1. */
    public int entry(String... ngram) {
        int n = NULL_STATE;
        for (String w : ngram) {
            Integer id = wordIds.get(w);
            if (id == null) return -1;
            n = child(n, id);
            if (n == LongIntMap.MISSING) return -1;
        }
        return ngram.length == 0 ? -1 : n;
    }

    public float entryLog10Prob(int entry) {
        return prob[entry];
    }

    /** The entry's log10 back-off weight (0 when the file lists none). */
    public float entryLog10Backoff(int entry) {
        return backoff[entry];
    }

    /** The words of an entry, oldest first. */
    public int[] entryWords(int entry) {
        int k = entryOrder(entry);
        int[] out = new int[k];
        for (int n = entry, i = k - 1; i >= 0; n = parent[n], i--) out[i] = lastWord[n];
        return out;
    }

    public int entryOrder(int entry) {
        for (int k = 1; k <= order; k++) {
            if (entry >= orderStart[k] && entry < orderStart[k + 1]) return k;
        }
        throw new IllegalArgumentException("no entry " + entry);
    }

    /** The first entry of order k; entries of order k are {@code firstEntry(k) .. firstEntry(k) + count(k) - 1}. */
    public int firstEntry(int k) {
        return orderStart[k];
    }

    // ---- internals -------------------------------------------------------------------------------------------------

    private int child(int node, int word) {
        if (word < 0 || word >= words.length) return LongIntMap.MISSING;
        return node == NULL_STATE ? 1 + word : children.get(LongIntMap.edge(node, word));
    }

    /** The n-gram that supplies P(word | state) by back-off, or −1 for an unknown word without {@code <unk>}. */
    private int find(int state, int word) {
        if (word < 0 || word >= words.length) word = unk;
        if (word < 0) return -1;
        for (int n = state; ; n = suffix[n]) {
            int c = child(n, word);
            if (c != LongIntMap.MISSING) return c;
        }
    }

    /**
     * Drops leading words that cannot matter: an n-gram that extends no listed n-gram and has no back-off weight
     * scores every next word exactly as its suffix does. The top order never extends, so it always shortens.
     */
    private int minimize(int node) {
        while (node != NULL_STATE && !isContext[node] && backoff[node] == 0f) node = suffix[node];
        return node;
    }

    // Package access for the writer.
    int lastWordOf(int node) {
        return lastWord[node];
    }

    int parentOf(int node) {
        return parent[node];
    }
}
