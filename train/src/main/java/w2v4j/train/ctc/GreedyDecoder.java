package w2v4j.train.ctc;

import java.util.Arrays;

/**
 * Best-path CTC decoding: the most likely symbol of each frame, consecutive repeats merged, blanks
 * dropped ("A A _ A" → "A A": a blank between two equal symbols keeps them apart). This is fairseq's
 * viterbi decoder and HF's {@code argmax} + {@code Wav2Vec2CTCTokenizer.decode}.
 *
 * <p>Each kept token carries the frame where its run starts, as flashlight's {@code get_timesteps};
 * frame i covers about i·20 ms of audio (320 samples at 16 kHz), the basis for word timestamps.
 */
public final class GreedyDecoder {

    /** The decoded rows (blanks removed, repeats merged), the first frame of each, and the words. */
    public record Hypothesis(int[] tokens, int[] frames, String text) {
    }

    private GreedyDecoder() {
    }

    /** Decodes {@code logits [frames, vocab]} starting at {@code offset} (log-probabilities work the same: argmax is unchanged). */
    public static Hypothesis decode(float[] logits, int offset, int frames, Vocabulary vocab) {
        int[] best = argmax(logits, offset, frames, vocab.size());
        int[] tokens = new int[frames], starts = new int[frames];
        int n = 0;
        for (int t = 0; t < frames; t++) {
            boolean newRun = t == 0 || best[t] != best[t - 1];
            if (newRun && best[t] != vocab.blank()) {
                tokens[n] = best[t];
                starts[n++] = t;
            }
        }
        int[] kept = Arrays.copyOf(tokens, n);
        return new Hypothesis(kept, Arrays.copyOf(starts, n), vocab.decode(kept));
    }

    /** Decodes each utterance of a padded batch {@code logits [B, tMax, V]}, using only its first {@code frames[b]} rows. */
    public static Hypothesis[] decodeBatch(float[] logits, int[] frames, int tMax, Vocabulary vocab) {
        int v = vocab.size();
        if ((long) frames.length * tMax * v != logits.length) {
            throw new IllegalArgumentException("logits hold " + logits.length + " values, expected [" + frames.length + ", " + tMax + ", " + v + "]");
        }
        Hypothesis[] out = new Hypothesis[frames.length];
        for (int b = 0; b < frames.length; b++) {
            if (frames[b] < 0 || frames[b] > tMax) throw new IllegalArgumentException("utterance " + b + ": " + frames[b] + " frames outside [0, " + tMax + "]");
            out[b] = decode(logits, b * tMax * v, frames[b], vocab);
        }
        return out;
    }

    /** Index of the largest value of each row of {@code x [frames, vocab]}; ties go to the lowest index, as torch.argmax. */
    public static int[] argmax(float[] x, int offset, int frames, int vocab) {
        int[] out = new int[frames];
        for (int t = 0; t < frames; t++) {
            int row = offset + t * vocab, best = 0;
            for (int k = 1; k < vocab; k++) if (x[row + k] > x[row + best]) best = k;
            out[t] = best;
        }
        return out;
    }
}
