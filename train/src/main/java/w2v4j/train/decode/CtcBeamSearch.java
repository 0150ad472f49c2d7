package w2v4j.train.decode;

import w2v4j.train.lm.ArpaModel;
import w2v4j.train.lm.LongIntMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lexicon-free CTC prefix beam search over characters with a word n-gram LM, the decoding of the wav2vec 2.0 paper
 * (§4.4; flashlight's decoder with KenLM, fairseq defaults: beam 50, beam threshold 50, LM weight 2, word score −1).
 *
 * <p>A hypothesis is a label prefix with two log-probabilities, of the paths that end in blank and of those that end
 * in its last symbol (standard CTC prefix search: a repeated symbol only extends a prefix across a blank). Its score
 * is {@code acoustic + lmWeight·ln P_LM(words) + wordScore·words}, natural logs: a word is scored when it is completed
 * — at the delimiter {@code |} and at the end of the utterance, where {@code </s>} is scored too. A word the LM does
 * not know gets {@code <unk>}'s probability, or {@code unkScore} (unweighted) when that is set.
 *
 * <p>Delimiters are normalised in the prefix: a leading {@code |} and a {@code |} right after {@code |} leave the
 * prefix unchanged (their paths join it), so every prefix is a clean word sequence and "A||B" and "A|B" merge.
 * At the end a prefix ending in {@code |} merges with the same prefix without it.
 *
 * <p>A word in progress is followed through a spelling trie of the LM vocabulary; once it can no longer become an LM
 * word it is charged as unknown right away rather than at its end (the same total), so that hypotheses do not
 * escape the LM by postponing a delimiter.
 *
 * <p>Speed: prefixes live in a trie (parent pointers, (parent, symbol) → child), so extending one is O(1) with no
 * strings; the LM word of the word in progress is tracked as a node of a spelling trie of the LM vocabulary, so
 * completing a word is one lookup. Per frame only symbols within {@code symbolThreshold} nats of the frame's best
 * symbol are expanded (e^−10 ≈ 4.5e−5 of the best by default), which on peaky CTC output leaves a handful.
 *
 * <p>Immutable; {@link #decode} may run on several threads at once.
 */
public final class CtcBeamSearch {
    private static final double LN10 = Math.log(10);
    private static final double NEG_INF = Double.NEGATIVE_INFINITY;

    /**
     * @param beamSize        hypotheses kept per frame
     * @param beamThreshold   hypotheses scoring more than this below the frame's best are dropped
     * @param lmWeight        weight of the LM's natural-log probability
     * @param wordScore       added per word (negative: an insertion penalty)
     * @param unkScore        score of a word outside the LM vocabulary instead of {@code <unk>}'s; NaN for <unk>'s
     * @param symbolThreshold per frame, symbols more than this many nats below the best one are not expanded
     */
    public record Options(int beamSize, double beamThreshold, double lmWeight, double wordScore, double unkScore,
                          double symbolThreshold) {
        public Options {
            if (beamSize < 1) throw new IllegalArgumentException("beam size must be >= 1, got " + beamSize);
            if (!(beamThreshold > 0)) throw new IllegalArgumentException("beam threshold must be > 0, got " + beamThreshold);
            if (!(symbolThreshold > 0)) throw new IllegalArgumentException("symbol threshold must be > 0, got " + symbolThreshold);
            if (!Double.isFinite(lmWeight) || !Double.isFinite(wordScore)) throw new IllegalArgumentException("LM weight and word score must be finite");
        }

        /** fairseq's KenLM decoder defaults: beam 50, threshold 50, LM weight 2, word score −1, {@code <unk>} from the LM. */
        public static Options defaults() {
            return new Options(50, 50, 2, -1, Double.NaN, 10);
        }

        public Options withBeamSize(int b) {
            return new Options(b, beamThreshold, lmWeight, wordScore, unkScore, symbolThreshold);
        }

        public Options withLm(double weight, double perWord) {
            return new Options(beamSize, beamThreshold, weight, perWord, unkScore, symbolThreshold);
        }

        public Options withUnkScore(double s) {
            return new Options(beamSize, beamThreshold, lmWeight, wordScore, s, symbolThreshold);
        }

        public Options withBeamThreshold(double t) {
            return new Options(beamSize, t, lmWeight, wordScore, unkScore, symbolThreshold);
        }

        public Options withSymbolThreshold(double t) {
            return new Options(beamSize, beamThreshold, lmWeight, wordScore, unkScore, t);
        }
    }

    /**
     * A decoded transcript: words joined by single spaces. {@code score = acoustic + lm}, where {@code acoustic} is
     * the CTC log-probability of the transcript's label sequences in the beam and {@code lm} the weighted LM
     * log-probability plus the word scores.
     */
    public record Hypothesis(String text, double score, double acoustic, double lm, int words) {}

    private final String[] symbols;
    private final int blank;
    private final int delimiter;
    private final ArpaModel lm;
    private final Options options;
    private final LongIntMap spellEdges;   // (spelling node, symbol) -> spelling node; node 0 = empty word
    private final int[] spellWord;         // spelling node -> LM word id, or -1

    /**
     * @param symbols   the CTC output symbols by id (fairseq's dict: blank {@code <s>} = 0, then {@code <pad> </s>
     *                  <unk> | E T A ...}); LM words are spelled with the single-character symbols
     * @param lm        the word LM, or null to decode without one (word scores still apply)
     */
    public CtcBeamSearch(String[] symbols, int blank, int delimiter, ArpaModel lm, Options options) {
        if (blank < 0 || blank >= symbols.length || delimiter < 0 || delimiter >= symbols.length || blank == delimiter) {
            throw new IllegalArgumentException("blank " + blank + " and delimiter " + delimiter
                    + " must be distinct ids below " + symbols.length);
        }
        this.symbols = symbols.clone();
        this.blank = blank;
        this.delimiter = delimiter;
        this.lm = lm;
        this.options = options;
        Map<String, Integer> bySymbol = new HashMap<>();
        for (int i = 0; i < symbols.length; i++) {
            if (i != blank && i != delimiter) bySymbol.putIfAbsent(symbols[i], i);
        }
        LongIntMap edges = new LongIntMap(1024);
        int[] wordOf = new int[1024];
        Arrays.fill(wordOf, -1);
        int nodes = 1;
        for (int w = 0; lm != null && w < lm.vocabularySize(); w++) {
            String word = lm.word(w);
            if (w == lm.bos() || w == lm.eos() || w == lm.unk()) continue;
            int[] spelled = spell(word, bySymbol);
            if (spelled == null) continue;  // not writable with these symbols: never hypothesised
            int n = 0;
            for (int s : spelled) {
                int c = edges.get(LongIntMap.edge(n, s));
                if (c == LongIntMap.MISSING) {
                    c = nodes++;
                    edges.put(LongIntMap.edge(n, s), c);
                    if (c >= wordOf.length) {
                        int old = wordOf.length;
                        wordOf = Arrays.copyOf(wordOf, old * 2);
                        Arrays.fill(wordOf, old, wordOf.length, -1);
                    }
                }
                n = c;
            }
            wordOf[n] = w;
        }
        this.spellEdges = edges;
        this.spellWord = wordOf;
    }

    private static int[] spell(String word, Map<String, Integer> bySymbol) {
        int[] cps = word.codePoints().toArray();
        int[] out = new int[cps.length];
        for (int i = 0; i < cps.length; i++) {
            Integer s = bySymbol.get(Character.toString(cps[i]));
            if (s == null) return null;
            out[i] = s;
        }
        return cps.length == 0 ? null : out;
    }

    public Options options() {
        return options;
    }

    /** The best transcript of {@code frames × symbols} log-probabilities (log-softmaxed, row-major by frame). */
    public Hypothesis decode(float[] logProbs, int frames) {
        return decode(logProbs, frames, 1).getFirst();
    }

    /** Up to {@code n} best distinct transcripts, best first. */
    public List<Hypothesis> decode(float[] logProbs, int frames, int n) {
        int v = symbols.length;
        if (frames < 0 || (long) frames * v != logProbs.length) {
            throw new IllegalArgumentException("expected " + frames + " x " + v + " log-probabilities, got " + logProbs.length);
        }
        if (n < 1) throw new IllegalArgumentException("n must be >= 1, got " + n);
        return new Search(v).run(logProbs, frames, n);
    }

    private static double logAdd(double a, double b) {
        if (a == NEG_INF) return b;
        if (b == NEG_INF) return a;
        return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
    }

    /** The working state of one utterance. */
    private final class Search {
        final int v;
        // Prefix trie. Node 0 is the empty prefix, which behaves as if it ended in a delimiter.
        int nodes = 1;
        int[] parent = {-1}, sym = {delimiter}, spellNode = {0}, lmState = {lm == null ? 0 : lm.startState()},
                words = {0}, stamp = {-1}, slotOf = {0};
        double[] lmScore = {0}, unkCharge = {Double.NaN};
        final LongIntMap childOf = new LongIntMap(4096);
        // The beam.
        int beamLen = 1;
        int[] beamNode;
        double[] beamPb, beamPnb;
        // Candidates of the next frame; cNode −1 marks a prefix that is not a node yet.
        int cLen;
        final int[] cNode, cParent, cSym, cSpell, cState, cWords;
        final double[] cPb, cPnb, cLm, cScore;
        final int[] heap;
        final int[] kept;

        Search(int v) {
            this.v = v;
            int b = options.beamSize();
            beamNode = new int[b];
            beamPb = new double[b];
            beamPnb = new double[b];
            beamNode[0] = 0;
            beamPb[0] = 0;
            beamPnb[0] = NEG_INF;
            int cap = b * (v + 1);
            cNode = new int[cap];
            cParent = new int[cap];
            cSym = new int[cap];
            cSpell = new int[cap];
            cState = new int[cap];
            cWords = new int[cap];
            cPb = new double[cap];
            cPnb = new double[cap];
            cLm = new double[cap];
            cScore = new double[cap];
            heap = new int[b];
            kept = new int[v];
        }

        List<Hypothesis> run(float[] logProbs, int frames, int n) {
            for (int t = 0; t < frames; t++) {
                step(logProbs, t * v, t);
                select();
            }
            return finish(n);
        }

        /** Expands every beam hypothesis by the symbols worth considering at this frame. */
        void step(float[] lp, int off, int t) {
            float best = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < v; c++) best = Math.max(best, lp[off + c]);
            int nKept = 0;
            double floor = best - options.symbolThreshold();
            for (int c = 0; c < v; c++) if (lp[off + c] >= floor) kept[nKept++] = c;
            cLen = 0;
            for (int i = 0; i < beamLen; i++) {
                int node = beamNode[i];
                double pb = beamPb[i], pnb = beamPnb[i], total = logAdd(pb, pnb);
                int last = sym[node];
                for (int k = 0; k < nKept; k++) {
                    int c = kept[k];
                    double p = lp[off + c];
                    if (c == blank) {
                        int s = slotFor(node, t);
                        cPb[s] = logAdd(cPb[s], total + p);
                    } else if (c == last) {
                        // The same symbol again: without a blank between it continues this prefix; a delimiter
                        // after a delimiter (or at the start) joins the prefix whatever came between.
                        int s = slotFor(node, t);
                        cPnb[s] = logAdd(cPnb[s], (c == delimiter ? total : pnb) + p);
                        if (c != delimiter) {
                            int e = extension(node, c, t);
                            cPnb[e] = logAdd(cPnb[e], pb + p);
                        }
                    } else {
                        int e = extension(node, c, t);
                        cPnb[e] = logAdd(cPnb[e], total + p);
                    }
                }
            }
        }

        /** The candidate slot of an existing prefix node, made on first use in frame t. */
        int slotFor(int node, int t) {
            if (stamp[node] == t) return slotOf[node];
            int s = cLen++;
            stamp[node] = t;
            slotOf[node] = s;
            cNode[s] = node;
            cParent[s] = parent[node];
            cSym[s] = sym[node];
            cSpell[s] = spellNode[node];
            cState[s] = lmState[node];
            cWords[s] = words[node];
            cLm[s] = lmScore[node];
            cPb[s] = NEG_INF;
            cPnb[s] = NEG_INF;
            return s;
        }

        /** The candidate slot of prefix {@code node + c}: an existing node's, or a new one scored here. */
        int extension(int node, int c, int t) {
            int child = childOf.get(LongIntMap.edge(node, c));
            if (child != LongIntMap.MISSING) return slotFor(child, t);
            // (node, c) is unique within a frame: each node is in the beam once and each symbol expands it once.
            int s = cLen++;
            cNode[s] = -1;
            cParent[s] = node;
            cSym[s] = c;
            cPb[s] = NEG_INF;
            cPnb[s] = NEG_INF;
            if (c == delimiter) {
                int word = wordOf(node);
                cSpell[s] = 0;
                cState[s] = stateAfter(node, word);
                cLm[s] = lmScore[node] + completionScore(node);
                cWords[s] = words[node] + 1;
            } else {
                int sp = spellNode[node];
                int next = sp < 0 ? -1 : spellEdges.get(LongIntMap.edge(sp, c));
                cSpell[s] = next;
                cState[s] = lmState[node];
                // The word in progress just left the LM's vocabulary: it will be scored as unknown whatever
                // follows, so charge that now rather than at its end (same total, fairer pruning meanwhile).
                cLm[s] = lmScore[node] + (sp >= 0 && next < 0 ? unknownWordScore(node) : 0);
                cWords[s] = words[node];
            }
            return s;
        }

        /** The LM word id of the word that ends prefix {@code node}, or −1 when the LM does not know it. */
        int wordOf(int node) {
            int sp = spellNode[node];
            return sp < 0 ? -1 : spellWord[sp];
        }

        /** {@link #wordScore} of an unknown word after prefix {@code node}, cached: it depends on the node alone. */
        double unknownWordScore(int node) {
            double u = unkCharge[node];
            if (Double.isNaN(u)) unkCharge[node] = u = wordScore(node, -1);
            return u;
        }

        /** What completing the word that ends prefix {@code node} adds (nothing if charged when it left the LM). */
        double completionScore(int node) {
            return spellNode[node] < 0 ? 0 : wordScore(node, wordOf(node));
        }

        /** The weighted LM score of completing {@code word} after prefix {@code node}, plus the word score. */
        double wordScore(int node, int word) {
            if (word < 0 && !Double.isNaN(options.unkScore())) return options.wordScore() + options.unkScore();
            if (lm == null) return options.wordScore();
            return options.wordScore() + options.lmWeight() * LN10 * lm.log10Prob(lmState[node], word);
        }

        /** The LM state after {@code word} follows prefix {@code node}. */
        int stateAfter(int node, int word) {
            // An unknown word forgets the history, as KenLM's <unk> does.
            return lm == null ? lmState[node] : lm.nextState(lmState[node], word);
        }

        /** Keeps the best {@code beamSize} candidates within {@code beamThreshold} of the best; makes their nodes. */
        void select() {
            double best = NEG_INF;
            for (int s = 0; s < cLen; s++) {
                cScore[s] = logAdd(cPb[s], cPnb[s]) + cLm[s];
                best = Math.max(best, cScore[s]);
            }
            double floor = best - options.beamThreshold();
            int k = options.beamSize(), size = 0;
            for (int s = 0; s < cLen; s++) {
                if (!(cScore[s] >= floor)) continue;
                if (size < k) {
                    heap[size] = s;
                    siftUp(size++);
                } else if (worse(heap[0], s)) {
                    heap[0] = s;
                    siftDown(0, size);
                }
            }
            // Heap order → best first (heap sort in place: repeatedly move the worst to the end).
            for (int end = size - 1; end > 0; end--) {
                int top = heap[0];
                heap[0] = heap[end];
                heap[end] = top;
                siftDown(0, end);
            }
            beamLen = size;
            for (int i = 0; i < size; i++) {
                int s = heap[i];
                int node = cNode[s] >= 0 ? cNode[s] : newNode(s);
                beamNode[i] = node;
                beamPb[i] = cPb[s];
                beamPnb[i] = cPnb[s];
            }
        }

        /** Candidate a ranks below b: lower score, or equal score and later (a deterministic tie-break). */
        boolean worse(int a, int b) {
            return cScore[a] < cScore[b] || (cScore[a] == cScore[b] && a > b);
        }

        void siftUp(int i) {
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (!worse(heap[i], heap[p])) return;
                int tmp = heap[i];
                heap[i] = heap[p];
                heap[p] = tmp;
                i = p;
            }
        }

        void siftDown(int i, int size) {
            while (true) {
                int l = 2 * i + 1, r = l + 1, m = i;
                if (l < size && worse(heap[l], heap[m])) m = l;
                if (r < size && worse(heap[r], heap[m])) m = r;
                if (m == i) return;
                int tmp = heap[i];
                heap[i] = heap[m];
                heap[m] = tmp;
                i = m;
            }
        }

        int newNode(int s) {
            if (nodes == parent.length) {
                int cap = nodes * 2;
                parent = Arrays.copyOf(parent, cap);
                sym = Arrays.copyOf(sym, cap);
                spellNode = Arrays.copyOf(spellNode, cap);
                lmState = Arrays.copyOf(lmState, cap);
                words = Arrays.copyOf(words, cap);
                lmScore = Arrays.copyOf(lmScore, cap);
                unkCharge = Arrays.copyOf(unkCharge, cap);
                int old = stamp.length;
                stamp = Arrays.copyOf(stamp, cap);
                Arrays.fill(stamp, old, cap, -1);
                slotOf = Arrays.copyOf(slotOf, cap);
            }
            int node = nodes++;
            parent[node] = cParent[s];
            sym[node] = cSym[s];
            spellNode[node] = cSpell[s];
            lmState[node] = cState[s];
            words[node] = cWords[s];
            lmScore[node] = cLm[s];
            unkCharge[node] = Double.NaN;
            childOf.put(LongIntMap.edge(cParent[s], cSym[s]), node);
            return node;
        }

        /** Completes the last word, scores {@code </s>}, merges prefixes that differ by a final delimiter. */
        List<Hypothesis> finish(int n) {
            int[] canon = new int[beamLen];
            double[] acoustic = new double[beamLen];
            int m = 0;
            for (int i = 0; i < beamLen; i++) {
                int node = beamNode[i];
                if (node != 0 && sym[node] == delimiter) node = parent[node];
                double a = logAdd(beamPb[i], beamPnb[i]);
                int j = 0;
                while (j < m && canon[j] != node) j++;
                if (j == m) {
                    canon[m] = node;
                    acoustic[m++] = a;
                } else {
                    acoustic[j] = logAdd(acoustic[j], a);
                }
            }
            List<Hypothesis> out = new ArrayList<>(m);
            for (int j = 0; j < m; j++) {
                int node = canon[j];
                double lmPart = lmScore[node];
                int state = lmState[node];
                int count = words[node];
                if (sym[node] != delimiter) {
                    int word = wordOf(node);
                    lmPart += completionScore(node);
                    state = stateAfter(node, word);
                    count++;
                }
                if (lm != null) lmPart += options.lmWeight() * LN10 * lm.log10Prob(state, lm.eos());
                out.add(new Hypothesis(text(node), acoustic[j] + lmPart, acoustic[j], lmPart, count));
            }
            // Stable sort: equal scores keep beam order, so results are deterministic.
            out.sort((x, y) -> Double.compare(y.score(), x.score()));
            return List.copyOf(out.subList(0, Math.min(n, out.size())));
        }

        String text(int node) {
            int len = 0;
            for (int x = node; x != 0; x = parent[x]) len++;
            String[] parts = new String[len];
            for (int x = node, i = len - 1; x != 0; x = parent[x], i--) parts[i] = sym[x] == delimiter ? " " : symbols[sym[x]];
            return String.join("", parts);
        }
    }
}
