package w2v4j.train.run;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import w2v4j.core.W2vException;
import w2v4j.core.io.Json;
import w2v4j.kernels.Backend;
import w2v4j.kernels.TransferStats;
import w2v4j.model.Param;
import w2v4j.train.data.AudioDataset;
import w2v4j.train.data.BatchSampler;
import w2v4j.train.data.DataLoader;
import w2v4j.train.data.Seeds;
import w2v4j.train.optim.Adam;
import w2v4j.train.optim.GradClip;
import w2v4j.train.optim.Grads;
import w2v4j.train.optim.LrSchedule;

/**
 * The training loop, fairseq-style, for any {@link TrainingTask}. Each update:
 * <ol>
 *   <li>{@code beginUpdate(u)}, zero the gradients;</li>
 *   <li>{@code update_freq} micro-batches of {@code trainStep}, micro-batch k with the generator
 *       {@code Seeds.rng(seed, TRAIN_STEP, u, k)} (u = updates done before this one);</li>
 *   <li>a non-finite summed loss, or a non-finite gradient after scaling by 1/Σ sample_size, skips the update: the line
 *       {@code {"update": u+1, "skipped": "non-finite loss"|"non-finite grad", ...}} goes to metrics.jsonl, no step is
 *       taken and the update is not counted (the data moves on); too many in a row stop training;</li>
 *   <li>clip to {@code clip_norm}, Adam step at {@code schedule.lr(u)}, {@code parametersChanged()}.</li>
 * </ol>
 * Every {@code log_interval} updates one line goes to metrics.jsonl: {@code update, epoch, loss, <task values>, lr,
 * grad_norm, sample_size, utterances, samples_per_s, ups, wall_s} (the task values per the {@link StepMetrics}
 * rule; grad_norm the interval's mean pre-clip norm; sample_size and utterances per update; samples_per_s audio
 * samples per second), plus a line marked {@code "partial": true} when training stops inside an interval. Every
 * {@code validate_interval} updates a pass over the validation set logs
 * {@code {"update", "split": "valid", "epoch", "loss", <values>, "valid_s"}} and may replace checkpoint_best. Every
 * {@code save_interval} updates and at the end, checkpoint_last is replaced atomically; a checkpoint is never written
 * with non-finite parameters (that is an error instead).
 *
 * <p>Resume: when RUN has checkpoint_last, the trainer restores the parameters (from its model.safetensors, by name),
 * the Adam state, the update count, the data position, the best metric and the open log interval, truncates
 * metrics.jsonl to the checkpoint's update, and continues: N updates, a stop, then M more give bit for bit the same
 * parameters and metrics (timing fields aside: {@link #TIMING_KEYS}) as N+M in one go. The caller writes config.json
 * ({@link RunDir#writeConfig}) before {@link #run}.
 */
public final class Trainer {
    /** Fields of metrics lines that measure time, the only ones that differ between identical runs. */
    public static final Set<String> TIMING_KEYS = Set.of("wall_s", "samples_per_s", "ups", "valid_s");
    /** Non-finite updates in a row after which training stops: the model has diverged, not hit one bad batch. */
    static final int MAX_CONSECUTIVE_SKIPS = 20;

    private final TrainingTask task;
    private final TrainConfig cfg;
    private final RunDir run;
    private final AudioDataset train;
    private final AudioDataset valid;
    private final Progress progress;

    private Backend be;
    /** Host/device copies of the last update on a device backend (null otherwise). */
    private TransferStats lastUpdateTransfers;
    private List<Param> params;
    private Adam adam;
    private LrSchedule schedule;
    private BatchSampler trainBatches;
    private BatchSampler validBatches;
    private long update;
    private DataLoader.Position position = DataLoader.Position.START;
    private double best = Double.NaN;
    private double wallBefore;
    private long sessionStart;
    private long skippedUpdates;
    private Map<String, Object> restoredSchedule;
    private Meter interval = new Meter();
    /** Rates are measured over what this session did since the last log line (a restored interval may be older). */
    private long intervalStart;
    private long rateSamples;
    private long rateUpdates;

    /** {@code valid} may be null (no validation, no checkpoint_best). */
    public Trainer(TrainingTask task, TrainConfig cfg, RunDir run, AudioDataset train, AudioDataset valid,
            Progress progress) {
        this.task = Objects.requireNonNull(task);
        this.cfg = cfg.validate();
        this.run = run;
        this.train = train;
        this.valid = valid;
        this.progress = progress;
    }

    /**
     * On a device backend, the host/device copies of the last update (from zeroing the gradients to the re-derived
     * weights: data, the task's host-side pieces, scalar checks), or null.
     */
    public TransferStats lastUpdateTransfers() {
        return lastUpdateTransfers;
    }

    /** Trains (or resumes) until max_update; returns the number of updates done. */
    public long run() {
        sessionStart = System.nanoTime();
        be = task.backend();
        params = task.parameters();
        adam = new Adam(params, cfg.adamBetas[0], cfg.adamBetas[1], cfg.adamEps, cfg.weightDecay, be);
        long done;
        try {
            done = train();
        } catch (RuntimeException | Error e) {
            try {
                releaseDevice();
            } catch (RuntimeException | Error again) {
                e.addSuppressed(again); // a broken device must not hide why training stopped
            }
            throw e;
        }
        releaseDevice();
        return done;
    }

    /**
     * For the run, the parameters' values and gradients (and Adam's moments, bound by Adam) are the backend's working
     * memory: on a device they stay there, and per update only the batch, the host-side pieces of the task and scalar
     * checks travel. Host reads sync them: checkpoints, the tasks' host code ({@link TrainingTask#backend}).
     */
    private void bindDevice() {
        DeviceResidency.bind(be, params, task.derivedArrays());
    }

    /** Brings everything back to the host and ends the bindings; the weights are then re-declared to the backend. */
    private void releaseDevice() {
        DeviceResidency.unbind(be, params, task.derivedArrays());
        adam.release();
        task.parametersChanged();
    }

    private long train() {
        schedule = cfg.schedule();
        trainBatches = BatchSampler.of(train, cfg.maxTokens, cfg.seed);
        validBatches = valid == null ? null : BatchSampler.of(valid, cfg.maxTokens, cfg.seed);
        if (run.hasCheckpoint(RunDir.LAST)) {
            restore(run.checkpoint(RunDir.LAST));
        }
        bindDevice();
        run.truncateMetrics(update);
        intervalStart = System.nanoTime();
        progress.start(update, cfg.maxUpdate);
        if (update > 0) {
            progress.message("resumed " + run.checkpoint(RunDir.LAST) + " at update " + update + ", epoch "
                    + position.epoch());
            if (!schedule.describe().equals(restoredSchedule)) {
                // Legitimate (a longer run), but it is no longer the run that was started: say so.
                progress.message("note: the lr schedule differs from the checkpoint's: was "
                        + Json.write(restoredSchedule) + ", now " + Json.write(schedule.describe()));
            }
        }
        int consecutiveSkips = 0;
        // taken on the command's thread: the shell's stop requests and its live progress line
        w2v4j.core.StopSignal stop = w2v4j.core.StopSignal.current();
        w2v4j.core.ProgressListener listener = w2v4j.core.ProgressListener.current();
        try (DataLoader loader = DataLoader.training(train, trainBatches, cfg.seed, position, cfg.numWorkers,
                cfg.prefetch)) {
            while (update < cfg.maxUpdate) {
                TransferStats before = be.transferStats();
                Meter step = new Meter();
                String skip = accumulate(loader, step);
                position = loader.position();
                if (skip != null) {
                    skippedUpdates++;
                    logSkip(skip);
                    if (++consecutiveSkips >= MAX_CONSECUTIVE_SKIPS) {
                        throw new W2vException(run.dir() + ": " + consecutiveSkips + " updates in a row skipped for"
                                + " non-finite loss or gradients at update " + (update + 1) + "; stopping (the last"
                                + " checkpoint is intact)");
                    }
                    continue;
                }
                consecutiveSkips = 0;
                GradClip.clip(params, cfg.clipNorm, step.gradNormSum, be);
                double lr = schedule.lr(update);
                adam.step(lr);
                task.parametersChanged();
                if (before != null) lastUpdateTransfers = be.transferStats().minus(before);
                update++;
                step.updates = 1;
                interval.addAll(step);
                rateSamples += step.audioSamples;
                rateUpdates++;
                boolean end = update == cfg.maxUpdate;
                boolean logPoint = update % cfg.logInterval == 0;
                double seconds = (System.nanoTime() - intervalStart) / 1e9;
                Map<String, Object> avg = interval.averages();
                double samplesPerSecond = seconds > 0 ? rateSamples / seconds : 0;
                progress.update(update, number(avg.get("loss")), number(avg.get("accuracy")), samplesPerSecond,
                        logPoint || end);
                if (logPoint || end) {
                    logTrain(lr, seconds, !logPoint);
                }
                if (valid != null && cfg.validateInterval > 0 && update % cfg.validateInterval == 0) {
                    validate();
                }
                Map<String, Double> shown = new java.util.LinkedHashMap<>();
                for (String k : new String[]{"loss", "accuracy", "wer", "code_perplexity"}) {
                    if (avg.get(k) instanceof Number n) shown.put(k, n.doubleValue());
                }
                listener.report(new w2v4j.core.ProgressListener.Update(task.getClass().getSimpleName(), update, cfg.maxUpdate,
                        "updates", shown, samplesPerSecond));
                boolean stopNow = !end && stop.stopRequested();
                if ((cfg.saveInterval > 0 && update % cfg.saveInterval == 0) || end || stopNow) {
                    save(RunDir.LAST);
                }
                if (stopNow) {
                    progress.message("stopped at update " + update + " on request; checkpoint written, run again to resume");
                    break;
                }
            }
        } finally {
            progress.finish();
        }
        if (lastUpdateTransfers != null) {
            progress.message(be.name() + " backend, host/device copies of the last update: " + lastUpdateTransfers);
        }
        return update;
    }

    /** The micro-batches of one update; returns why it must be skipped, or null. */
    private String accumulate(DataLoader loader, Meter step) {
        task.beginUpdate(update);
        Grads.zero(params, be);
        for (int k = 0; k < cfg.updateFreq; k++) {
            DataLoader.Loaded l = loader.next();
            StepMetrics m = task.trainStep(l.batch(), update, Seeds.rng(cfg.seed, Seeds.TRAIN_STEP, update, k));
            step.addStep(m, l.batch().size(), l.batch().samples());
        }
        if (!Double.isFinite(step.loss)) {
            return "non-finite loss";
        }
        Grads.scale(params, (float) (1.0 / (step.sampleSize > 0 ? step.sampleSize : 1)), be);
        // as fairseq: a non-finite gradient norm (one reduction per tensor, where the gradients live) skips the update
        step.gradNormSum = GradClip.norm(params, be);
        return Double.isFinite(step.gradNormSum) ? null : "non-finite grad";
    }

    private static double number(Object o) {
        return o instanceof Double d ? d : Double.NaN;
    }

    private void logSkip(String why) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("update", update + 1);
        line.put("skipped", why);
        line.put("epoch", position.epoch());
        line.put("batch", position.batch());
        run.appendMetrics(line);
        progress.message("update " + (update + 1) + " skipped: " + why);
    }

    /**
     * A partial line (the session ends inside a log interval) is marked {@code "partial": true} and leaves the
     * interval open: the checkpoint carries its sums, and a resumed run drops the partial line and logs the whole
     * interval when it closes, exactly as an uninterrupted run does.
     */
    private void logTrain(double lr, double seconds, boolean partial) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("update", update);
        line.put("epoch", position.epoch());
        line.putAll(interval.averages());
        line.put("lr", lr);
        line.put("grad_norm", interval.gradNormSum / interval.updates);
        line.put("sample_size", interval.sampleSize / interval.updates);
        line.put("utterances", (double) interval.utterances / interval.updates);
        line.put("samples_per_s", seconds > 0 ? rateSamples / seconds : 0.0);
        line.put("ups", seconds > 0 ? rateUpdates / seconds : 0.0);
        line.put("wall_s", wallSeconds());
        if (partial) {
            line.put("partial", true);
        }
        run.appendMetrics(line);
        if (!partial) {
            interval = new Meter();
            intervalStart = System.nanoTime();
            rateSamples = 0;
            rateUpdates = 0;
        }
    }

    private double wallSeconds() {
        return wallBefore + (System.nanoTime() - sessionStart) / 1e9;
    }

    private void validate() {
        long t0 = System.nanoTime();
        Meter m = new Meter();
        try (DataLoader loader = DataLoader.validation(valid, validBatches, cfg.seed, cfg.numWorkers)) {
            for (DataLoader.Loaded l; (l = loader.next()) != null;) {
                StepMetrics s = task.validStep(l.batch(), Seeds.rng(cfg.seed, Seeds.VALID_STEP, l.at().batch()));
                m.addStep(s, l.batch().size(), l.batch().samples());
            }
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("update", update);
        line.put("split", "valid");
        line.put("epoch", position.epoch());
        line.putAll(m.averages());
        line.put("utterances", m.utterances);
        line.put("valid_s", (System.nanoTime() - t0) / 1e9);
        run.appendMetrics(line);
        StringBuilder msg = new StringBuilder("valid at update " + update + ": loss " + line.get("loss"));
        if (!cfg.bestMetric.isEmpty()) {
            Object v = line.get(cfg.bestMetric);
            if (!(v instanceof Double value)) {
                throw new W2vException("best_metric '" + cfg.bestMetric + "' is not among the validation values "
                        + line.keySet());
            }
            if (Double.isNaN(best) || value < best) {
                best = value;
                save(RunDir.BEST);
                msg.append(" (best ").append(cfg.bestMetric).append(", saved ").append(RunDir.BEST).append(')');
            }
        }
        progress.message(msg.toString());
    }

    private Map<String, Object> dataSignature() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("seed", cfg.seed);
        d.put("max_tokens", cfg.maxTokens);
        d.put("max_sample_size", (long) cfg.maxSampleSize);
        d.put("min_sample_size", (long) cfg.minSampleSize);
        d.put("update_freq", (long) cfg.updateFreq);
        d.put("train_items", (long) train.size());
        d.put("batches_per_epoch", (long) trainBatches.numBatches());
        return d;
    }

    private void save(String name) {
        Param bad = Grads.firstNonFiniteValue(params, be);
        for (Param p : params) be.syncToHost(p.value); // the model and Adam's state are written from the host
        if (bad != null) {
            throw new W2vException(run.checkpoint(name) + ": refusing to save at update " + update + ": parameter "
                    + bad.name + " has non-finite values");
        }
        Checkpoint.State state = new Checkpoint.State(update, position.epoch(), position.batch(), adam.steps(),
                cfg.seed, cfg.bestMetric, best, wallSeconds(), skippedUpdates, schedule.describe(), dataSignature(),
                interval.toJson());
        run.writeCheckpoint(name, dir -> Checkpoint.write(dir, task, adam, state));
    }

    private void restore(Path ck) {
        Checkpoint.State s = Checkpoint.readState(ck);
        Map<String, Object> now = dataSignature();
        for (Map.Entry<String, Object> e : now.entrySet()) {
            Object was = s.data().get(e.getKey());
            if (!Objects.equals(was, e.getValue())) {
                throw W2vException.file(ck.resolve(Checkpoint.STATE_JSON), "cannot resume exactly: " + e.getKey()
                        + " was " + was + ", now " + e.getValue());
            }
        }
        Checkpoint.restoreParams(ck, params);
        Checkpoint.restoreOptimizer(ck, adam, s.optimizerSteps());
        task.parametersChanged();
        update = s.update();
        position = new DataLoader.Position(s.epoch(), s.batch());
        best = s.best();
        wallBefore = s.wallSeconds();
        skippedUpdates = s.skippedUpdates();
        restoredSchedule = s.schedule();
        interval = Meter.fromJson(new Json.Obj(s.meter(), ck.resolve(Checkpoint.STATE_JSON)));
    }
}
