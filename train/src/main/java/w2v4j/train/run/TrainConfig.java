package w2v4j.train.run;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

import w2v4j.core.W2vException;
import w2v4j.core.io.Json;
import w2v4j.train.optim.LrSchedule;
import w2v4j.train.optim.PolynomialDecay;
import w2v4j.train.optim.TriStage;

/**
 * The training hyper-parameters: the generic keys as fields (defaults: fairseq's wav2vec 2.0 BASE pre-training on one
 * GPU), plus a {@code task} section of keys that the training task declares with {@link #define} and reads with the
 * typed getters (e.g. mask_prob, num_negatives, latent_temp), so a task adds keys without changing this class.
 *
 * <p>Every key, generic or task, can be set from text with {@link #set} (the CLI's {@code --set key=value}; lists are
 * comma-separated: {@code adam_betas=0.9,0.98}); an unknown key is an error listing the closest known ones.
 * {@link #toJson}/{@link #fromJson} give the {@code "train"} section of a run's config.json.
 */
public final class TrainConfig {
    // optimisation
    public double lr = 5e-4;
    /** "polynomial" (pre-training) or "tri_stage" (fine-tuning). */
    public String lrScheduler = "polynomial";
    public long warmupUpdates = 32_000;
    public long maxUpdate = 400_000;
    /** Length of the polynomial schedule; 0 means max_update. */
    public long totalNumUpdate = 0;
    public double endLr = 0;
    public double power = 1;
    /** tri_stage phases as fractions of max_update; empty: use warmup_updates, hold_updates, decay_updates. */
    public double[] phaseRatio = {0.1, 0.4, 0.5};
    public long holdUpdates = 0;
    public long decayUpdates = 0;
    public double initLrScale = 0.01;
    public double finalLrScale = 0.05;
    public double[] adamBetas = {0.9, 0.98};
    public double adamEps = 1e-6;
    public double weightDecay = 0.01;
    /** Global gradient-norm clip; 0 turns clipping off. */
    public double clipNorm = 0;
    public int updateFreq = 1;
    // data
    public long maxTokens = 1_400_000;
    public int maxSampleSize = 250_000;
    public int minSampleSize = 32_000;
    public String trainSubset = "train";
    public String validSubset = "valid";
    public int numWorkers = 2;
    /** Batches read ahead of training. */
    public int prefetch = 4;
    public long seed = 1;
    // bookkeeping
    public long logInterval = 200;
    /** Validate every N updates; 0: never. */
    public long validateInterval = 10_000;
    /** Save checkpoint_last every N updates (and at the end); 0: only at the end. */
    public long saveInterval = 10_000;
    /** The valid metric that picks checkpoint_best, lower is better; "" turns checkpoint_best off. */
    public String bestMetric = "loss";

    private final Map<String, Object> task = new LinkedHashMap<>();

    // ---- the key table: one line per key, shared by set, toJson and fromJson ----------------------------------------

    private record Key(String name, Function<TrainConfig, Object> get, BiConsumer<TrainConfig, String> set) {}

    private static final List<Key> KEYS = List.of(
            new Key("lr", c -> c.lr, (c, v) -> c.lr = dbl("lr", v)),
            new Key("lr_scheduler", c -> c.lrScheduler, (c, v) -> c.lrScheduler = scheduler(v)),
            new Key("warmup_updates", c -> c.warmupUpdates, (c, v) -> c.warmupUpdates = lng("warmup_updates", v)),
            new Key("max_update", c -> c.maxUpdate, (c, v) -> c.maxUpdate = lng("max_update", v)),
            new Key("total_num_update", c -> c.totalNumUpdate,
                    (c, v) -> c.totalNumUpdate = lng("total_num_update", v)),
            new Key("end_lr", c -> c.endLr, (c, v) -> c.endLr = dbl("end_lr", v)),
            new Key("power", c -> c.power, (c, v) -> c.power = dbl("power", v)),
            new Key("phase_ratio", c -> list(c.phaseRatio), (c, v) -> c.phaseRatio = doubles("phase_ratio", v)),
            new Key("hold_updates", c -> c.holdUpdates, (c, v) -> c.holdUpdates = lng("hold_updates", v)),
            new Key("decay_updates", c -> c.decayUpdates, (c, v) -> c.decayUpdates = lng("decay_updates", v)),
            new Key("init_lr_scale", c -> c.initLrScale, (c, v) -> c.initLrScale = dbl("init_lr_scale", v)),
            new Key("final_lr_scale", c -> c.finalLrScale, (c, v) -> c.finalLrScale = dbl("final_lr_scale", v)),
            new Key("adam_betas", c -> list(c.adamBetas), (c, v) -> c.adamBetas = doubles("adam_betas", v)),
            new Key("adam_eps", c -> c.adamEps, (c, v) -> c.adamEps = dbl("adam_eps", v)),
            new Key("weight_decay", c -> c.weightDecay, (c, v) -> c.weightDecay = dbl("weight_decay", v)),
            new Key("clip_norm", c -> c.clipNorm, (c, v) -> c.clipNorm = dbl("clip_norm", v)),
            new Key("update_freq", c -> c.updateFreq, (c, v) -> c.updateFreq = integer("update_freq", v)),
            new Key("max_tokens", c -> c.maxTokens, (c, v) -> c.maxTokens = lng("max_tokens", v)),
            new Key("max_sample_size", c -> c.maxSampleSize,
                    (c, v) -> c.maxSampleSize = integer("max_sample_size", v)),
            new Key("min_sample_size", c -> c.minSampleSize,
                    (c, v) -> c.minSampleSize = integer("min_sample_size", v)),
            new Key("train_subset", c -> c.trainSubset, (c, v) -> c.trainSubset = v),
            new Key("valid_subset", c -> c.validSubset, (c, v) -> c.validSubset = v),
            new Key("num_workers", c -> c.numWorkers, (c, v) -> c.numWorkers = integer("num_workers", v)),
            new Key("prefetch", c -> c.prefetch, (c, v) -> c.prefetch = integer("prefetch", v)),
            new Key("seed", c -> c.seed, (c, v) -> c.seed = lng("seed", v)),
            new Key("log_interval", c -> c.logInterval, (c, v) -> c.logInterval = lng("log_interval", v)),
            new Key("validate_interval", c -> c.validateInterval,
                    (c, v) -> c.validateInterval = lng("validate_interval", v)),
            new Key("save_interval", c -> c.saveInterval, (c, v) -> c.saveInterval = lng("save_interval", v)),
            new Key("best_metric", c -> c.bestMetric, (c, v) -> c.bestMetric = v));

    private static Key key(String name) {
        for (Key k : KEYS) {
            if (k.name.equals(name)) {
                return k;
            }
        }
        return null;
    }

    /** The names of the generic keys, in table order. */
    public static List<String> genericKeys() {
        return KEYS.stream().map(Key::name).toList();
    }

    // ---- setting from text --------------------------------------------------------------------------------------

    /** Sets a generic or declared task key from its text form; returns this. */
    public TrainConfig set(String name, String value) {
        Key k = key(name);
        if (k != null) {
            k.set.accept(this, value.strip());
            return this;
        }
        if (task.containsKey(name)) {
            task.put(name, parseLike(name, task.get(name), value.strip()));
            return this;
        }
        throw new W2vException("unknown training key '" + name + "'" + suggestions(name));
    }

    /** Applies "key=value" (the CLI's --set argument). */
    public TrainConfig set(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new W2vException("--set expects key=value, got '" + assignment + "'");
        }
        return set(assignment.substring(0, eq).strip(), assignment.substring(eq + 1));
    }

    private String suggestions(String name) {
        List<String> all = new ArrayList<>(genericKeys());
        all.addAll(task.keySet());
        String lower = name.toLowerCase(Locale.ROOT).replace('-', '_');
        List<String> close = all.stream()
                .filter(k -> k.contains(lower) || lower.contains(k) || editDistance(k, lower) <= Math.max(2,
                        lower.length() / 4))
                .sorted(Comparator.comparingInt(k -> editDistance(k, lower)))
                .limit(5)
                .toList();
        return close.isEmpty() ? "; known keys: " + String.join(", ", all) : "; did you mean " + String.join(", ",
                close) + "?";
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static double dbl(String key, String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new W2vException(key + "=" + v + ": not a number");
        }
    }

    private static long lng(String key, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new W2vException(key + "=" + v + ": not an integer");
        }
    }

    private static int integer(String key, String v) {
        long l = lng(key, v);
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw new W2vException(key + "=" + v + ": out of the int range");
        }
        return (int) l;
    }

    private static double[] doubles(String key, String v) {
        String s = v.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.isBlank()) {
            return new double[0];
        }
        String[] parts = s.split(",");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = dbl(key, parts[i].strip());
        }
        return out;
    }

    private static boolean bool(String key, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new W2vException(key + "=" + v + ": expected true or false");
        };
    }

    private static String scheduler(String v) {
        if (!v.equals("polynomial") && !v.equals("tri_stage")) {
            throw new W2vException("lr_scheduler=" + v + ": expected polynomial or tri_stage");
        }
        return v;
    }

    private static List<Double> list(double[] a) {
        List<Double> out = new ArrayList<>(a.length);
        for (double d : a) {
            out.add(d);
        }
        return out;
    }

    /** Parses {@code text} as the same kind of value as {@code like} (the key's default). */
    private static Object parseLike(String key, Object like, String text) {
        return switch (like) {
            case Double d -> dbl(key, text);
            case Long l -> lng(key, text);
            case Boolean b -> bool(key, text);
            case String s -> text;
            case List<?> l -> list(doubles(key, text));
            default -> throw new IllegalStateException("task key " + key + " has unsupported type " + like);
        };
    }

    // ---- task keys ----------------------------------------------------------------------------------------------

    /**
     * Declares a task key with its default (Double, Long, Integer, Boolean, String or a list of numbers), unless it
     * already has a value (from config.json). Integers are stored as Long, lists as List&lt;Double&gt;.
     */
    public TrainConfig define(String name, Object defaultValue) {
        if (key(name) != null) {
            throw new IllegalArgumentException("'" + name + "' is a generic training key");
        }
        Object v = switch (defaultValue) {
            case Integer i -> (long) i;
            case Float f -> (double) f;
            case double[] a -> list(a);
            case Double d -> d;
            case Long l -> l;
            case Boolean b -> b;
            case String s -> s;
            case List<?> l -> l.stream().map(x -> ((Number) x).doubleValue()).toList();
            default -> throw new IllegalArgumentException("unsupported task key type for " + name + ": "
                    + defaultValue.getClass().getSimpleName());
        };
        task.putIfAbsent(name, v);
        return this;
    }

    /** The task section (read-only view). */
    public Map<String, Object> task() {
        return java.util.Collections.unmodifiableMap(task);
    }

    public double getDouble(String name, double def) {
        Object v = task.get(name);
        if (v == null) {
            return def;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw wrongType(name, "a number", v);
    }

    public long getLong(String name, long def) {
        Object v = task.get(name);
        if (v == null) {
            return def;
        }
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Double d && d == Math.rint(d)) {
            return d.longValue();
        }
        throw wrongType(name, "an integer", v);
    }

    public int getInt(String name, int def) {
        return Math.toIntExact(getLong(name, def));
    }

    public boolean getBool(String name, boolean def) {
        Object v = task.get(name);
        if (v == null) {
            return def;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(name, "true or false", v);
    }

    public String getString(String name, String def) {
        Object v = task.get(name);
        if (v == null) {
            return def;
        }
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(name, "a string", v);
    }

    public double[] getDoubles(String name, double[] def) {
        Object v = task.get(name);
        if (v == null) {
            return def.clone();
        }
        if (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof Number)) {
            double[] out = new double[l.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = ((Number) l.get(i)).doubleValue();
            }
            return out;
        }
        throw wrongType(name, "a list of numbers", v);
    }

    private static W2vException wrongType(String name, String expected, Object v) {
        return new W2vException("training key '" + name + "' should be " + expected + ", found " + Json.write(v));
    }

    // ---- derived ------------------------------------------------------------------------------------------------

    /** Checks ranges that would otherwise fail deep inside training. */
    public TrainConfig validate() {
        require(maxUpdate > 0, "max_update must be > 0, got " + maxUpdate);
        require(updateFreq >= 1, "update_freq must be >= 1, got " + updateFreq);
        require(maxTokens > 0, "max_tokens must be > 0, got " + maxTokens);
        require(maxSampleSize > 0 && minSampleSize >= 0, "max_sample_size must be > 0 and min_sample_size >= 0");
        require(minSampleSize <= maxSampleSize, "min_sample_size (" + minSampleSize + ") exceeds max_sample_size ("
                + maxSampleSize + ")");
        require(logInterval > 0, "log_interval must be > 0, got " + logInterval);
        require(validateInterval >= 0 && saveInterval >= 0, "validate_interval and save_interval must be >= 0");
        require(numWorkers >= 1 && prefetch >= 1, "num_workers and prefetch must be >= 1");
        require(adamBetas.length == 2, "adam_betas needs two values, got " + adamBetas.length);
        require(clipNorm >= 0, "clip_norm must be >= 0, got " + clipNorm);
        schedule();
        return this;
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new W2vException(problem);
        }
    }

    public long scheduleLength() {
        return totalNumUpdate > 0 ? totalNumUpdate : maxUpdate;
    }

    public LrSchedule schedule() {
        if (lrScheduler.equals("tri_stage")) {
            return phaseRatio.length > 0
                    ? TriStage.ofRatios(lr, maxUpdate, phaseRatio, initLrScale, finalLrScale)
                    : new TriStage(lr, warmupUpdates, holdUpdates, decayUpdates, initLrScale, finalLrScale);
        }
        return new PolynomialDecay(lr, warmupUpdates, scheduleLength(), endLr, power);
    }

    // ---- JSON ---------------------------------------------------------------------------------------------------

    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Key k : KEYS) {
            out.put(k.name, k.get.apply(this));
        }
        out.put("task", new LinkedHashMap<>(task));
        return out;
    }

    /** Reads a "train" section; absent keys keep their defaults, unknown generic keys are errors naming the file. */
    public static TrainConfig fromJson(Json.Obj o) {
        TrainConfig c = new TrainConfig();
        for (Map.Entry<String, Object> e : o.map().entrySet()) {
            String name = e.getKey();
            Object v = e.getValue();
            if (name.equals("task")) {
                Json.Obj t = o.getObject("task");
                for (Map.Entry<String, Object> te : t.map().entrySet()) {
                    if (te.getValue() != null) {
                        c.task.put(te.getKey(), te.getValue() instanceof List<?> l
                                ? l.stream().map(x -> x instanceof Number n ? (Object) n.doubleValue() : x).toList()
                                : te.getValue());
                    }
                }
                continue;
            }
            Key k = key(name);
            if (k == null) {
                throw W2vException.file(o.file(), "unknown training key '" + name + "'" + c.suggestions(name));
            }
            if (v == null) {
                continue;
            }
            String text = v instanceof List<?> l
                    ? String.join(",", l.stream().map(String::valueOf).toList())
                    : String.valueOf(v);
            try {
                k.set.accept(c, text);
            } catch (W2vException ex) {
                throw W2vException.file(o.file(), ex.getMessage(), ex);
            }
        }
        return c;
    }
}
