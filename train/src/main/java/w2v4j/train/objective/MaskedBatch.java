package w2v4j.train.objective;

/**
 * Which time steps of a {@code [batch, frames]} batch are masked, in the two layouts the objective
 * needs: a dense boolean mask (to replace inputs by {@code mask_emb}) and the list of masked rows.
 *
 * <p>{@code maskedRows[i]} is the flattened row {@code b * frames + t} of the i-th masked step; the
 * list runs utterance by utterance and, inside one utterance, in time order. This is the order of
 * fairseq's {@code unmasked_features[mask_indices]}, so "masked step i" means the same thing here, in
 * the negative sampler and in the loss. {@code utteranceOfRow[i]} is the b of {@code maskedRows[i]}.
 */
public record MaskedBatch(int batch, int frames, boolean[] mask, int[] maskedRows, int[] utteranceOfRow) {

    public MaskedBatch {
        if (mask.length != batch * frames) throw new IllegalArgumentException("mask length " + mask.length + " != " + batch + "*" + frames);
        if (maskedRows.length != utteranceOfRow.length) throw new IllegalArgumentException("maskedRows and utteranceOfRow differ in length");
    }

    /** Builds the row lists from a dense {@code [batch*frames]} mask. */
    public static MaskedBatch fromMask(int batch, int frames, boolean[] mask) {
        int n = 0;
        for (boolean m : mask) if (m) n++;
        int[] rows = new int[n];
        int[] utt = new int[n];
        int i = 0;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < frames; t++) {
                if (mask[b * frames + t]) {
                    rows[i] = b * frames + t;
                    utt[i] = b;
                    i++;
                }
            }
        }
        return new MaskedBatch(batch, frames, mask.clone(), rows, utt);
    }

    /** N, the number of masked steps in the batch (fairseq's {@code sample_size}). */
    public int numMasked() {
        return maskedRows.length;
    }

    /** {@code offsets[b]..offsets[b+1]} are the masked steps of utterance b; length batch+1. */
    public int[] offsets() {
        int[] off = new int[batch + 1];
        for (int u : utteranceOfRow) off[u + 1]++;
        for (int b = 0; b < batch; b++) off[b + 1] += off[b];
        return off;
    }

    /** Number of masked steps of utterance b. */
    public int countOf(int b) {
        int c = 0;
        for (int u : utteranceOfRow) if (u == b) c++;
        return c;
    }
}
