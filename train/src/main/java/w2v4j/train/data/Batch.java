package w2v4j.train.data;

/**
 * One micro-batch as the training task sees it: per-utterance 16 kHz waveforms, all of the same length (cropped to a
 * common length in pre-training, zero-padded in fine-tuning), the number of real samples of each ({@code lengths}; the
 * rest is padding), the manifest entry index of each (0-based, header line excluded, before any filtering: the index
 * that label files are aligned with) and the labels ({@code null} when the dataset has none).
 */
public record Batch(float[][] waves, int[] lengths, int[] ids, String[] labels) {

    public int size() {
        return waves.length;
    }

    /** Length of every row of {@link #waves}. */
    public int width() {
        return waves.length == 0 ? 0 : waves[0].length;
    }

    /** Real (unpadded) audio samples in the batch. */
    public long samples() {
        long n = 0;
        for (int l : lengths) {
            n += l;
        }
        return n;
    }
}
