package w2v4j.train.data;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import w2v4j.core.W2vException;

/**
 * Reads and collates batches on a background thread, a few batches ahead of training (a bounded queue), with
 * {@code workers} threads decoding the files of a batch in parallel.
 *
 * <p>A training loader runs over epochs forever, starting at a {@link Position}; within an epoch it visits the batches
 * in {@link BatchSampler#epochOrder}. A validation loader makes one pass over the batches in size order. A batch's crop
 * offsets are drawn from {@code Seeds.rng(seed, CROP, epoch, batch index)} (validation: {@code (seed, VALID, batch
 * index)}), so the batches that follow a position are always the same. A batch whose files are all unreadable is
 * skipped; an epoch with nothing readable at all is an error (rather than an endless loop).
 */
public final class DataLoader implements AutoCloseable {

    /** Where a training loader stands: the epoch (1-based, like fairseq) and the index within it of the next batch. */
    public record Position(long epoch, int batch) {
        public static final Position START = new Position(1, 0);
    }

    /** A batch and where it came from. */
    public record Loaded(Position at, Batch batch) {}

    private static final Object END = new Object();

    private final AudioDataset dataset;
    private final BatchSampler sampler;
    private final long seed;
    private final boolean training;
    private final BlockingQueue<Object> queue;
    private final ExecutorService readers;
    private final Thread producer;
    private Position next;
    private boolean finished;

    private DataLoader(AudioDataset dataset, BatchSampler sampler, long seed, Position start, boolean training,
            int workers, int prefetch) {
        if (sampler.numBatches() == 0) {
            throw W2vException.file(dataset.manifest().file(), "no audio to load (" + dataset.skippedShort()
                    + " entries shorter than min_sample_size)");
        }
        this.dataset = dataset;
        this.sampler = sampler;
        this.seed = seed;
        this.training = training;
        this.next = start;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, prefetch));
        this.readers = workers > 1 ? Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "w2v-audio-reader");
            t.setDaemon(true);
            return t;
        }) : null;
        this.producer = new Thread(this::produce, training ? "w2v-train-loader" : "w2v-valid-loader");
        producer.setDaemon(true);
        producer.start();
    }

    /** An endless loader over epochs, beginning at {@code start}. */
    public static DataLoader training(AudioDataset dataset, BatchSampler sampler, long seed, Position start,
            int workers, int prefetch) {
        if (start.epoch() < 1 || start.batch() < 0 || start.batch() > sampler.numBatches()) {
            throw new W2vException("data position " + start + " is outside " + sampler.numBatches()
                    + " batches per epoch (was the manifest or max_tokens changed?)");
        }
        return new DataLoader(dataset, sampler, seed, start, true, workers, prefetch);
    }

    /** One pass over all batches in size order. */
    public static DataLoader validation(AudioDataset dataset, BatchSampler sampler, long seed, int workers) {
        return new DataLoader(dataset, sampler, seed, new Position(1, 0), false, workers, 2);
    }

    /**
     * The next batch; null after the last one of a validation pass. Errors on the loader thread (other than unreadable
     * files, which are skipped) are rethrown here.
     */
    public Loaded next() {
        if (finished) {
            return null;
        }
        Object o;
        try {
            o = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for data", e);
        }
        if (o == END) {
            finished = true;
            return null;
        }
        if (o instanceof RuntimeException e) {
            finished = true;
            throw e;
        }
        if (o instanceof Error e) {
            finished = true;
            throw e;
        }
        Loaded l = (Loaded) o;
        next = l.at().batch() + 1 >= sampler.numBatches() && training
                ? new Position(l.at().epoch() + 1, 0)
                : new Position(l.at().epoch(), l.at().batch() + 1);
        return l;
    }

    /** The position of the batch after the last one {@link #next} returned (where a resumed run continues). */
    public Position position() {
        return next;
    }

    private void produce() {
        try {
            long epoch = next.epoch();
            int b = next.batch();
            while (true) {
                if (b >= sampler.numBatches()) {
                    if (!training) {
                        break;
                    }
                    epoch++;
                    b = 0;
                }
                int[] order = training ? sampler.epochOrder(epoch) : BatchSampler.identity(sampler.numBatches());
                int produced = 0;
                for (; b < order.length; b++) {
                    Batch batch = load(sampler.batch(order[b]), epoch, b);
                    if (batch != null) {
                        queue.put(new Loaded(new Position(epoch, b), batch));
                        produced++;
                    }
                }
                if (produced == 0 && dataset.unreadableCount() >= dataset.size()) {
                    throw W2vException.file(dataset.manifest().file(), "none of the " + dataset.size()
                            + " audio files could be read");
                }
            }
            queue.put(END);
        } catch (InterruptedException e) {
            // close() asked us to stop.
        } catch (RuntimeException | Error e) {
            try {
                queue.put(e);
            } catch (InterruptedException ignored) {
                // closed while reporting: nobody is listening any more
            }
        }
    }

    private Batch load(int[] idx, long epoch, int b) throws InterruptedException {
        float[][] audio = new float[idx.length][];
        if (readers == null) {
            for (int k = 0; k < idx.length; k++) {
                audio[k] = dataset.read(idx[k]);
            }
        } else {
            List<Future<float[]>> parts = new ArrayList<>(idx.length);
            for (int i : idx) {
                parts.add(readers.submit(() -> dataset.read(i)));
            }
            for (int k = 0; k < idx.length; k++) {
                try {
                    audio[k] = parts.get(k).get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
            }
        }
        var rng = training ? Seeds.rng(seed, Seeds.CROP, epoch, b) : Seeds.rng(seed, Seeds.VALID, b);
        return dataset.collate(idx, audio, rng);
    }

    @Override
    public void close() {
        producer.interrupt();
        if (readers != null) {
            readers.shutdownNow();
        }
        try {
            producer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
