package w2v4j.train.data;

import w2v4j.core.W2vException;
import w2v4j.core.audio.AudioFiles;
import w2v4j.train.data.EspeakVoices.Voice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The built-in speech corpus: fortune sentences spoken by espeak-ng voices, split as in Libri-light.
 *
 * <p>Split policy (target shares of {@code --hours}):
 * <ul>
 *   <li>{@code dev} 5% and {@code test} 5%: voices seen in training, sentences used nowhere else;</li>
 *   <li>{@code test-unseen} 5%: voices of held-out espeak-ng variants (about a tenth of them, with all
 *       their accents), so no voice of it, nor its timbre under another accent, is in training;
 *       sentences used nowhere else;</li>
 *   <li>{@code pretrain-valid} 2%: training voices, held out of pre-training for its validation;</li>
 *   <li>{@code pretrain} the remaining 83%: the unlabelled pre-training pool;</li>
 *   <li>{@code train-10m} ⊂ {@code train-1h} ⊂ {@code train-10h}: labelled fine-tuning subsets, the
 *       first utterances of {@code pretrain} up to 10 min, 1 h, 10 h; a subset exists only when
 *       {@code pretrain} holds that much. As in Libri-light (whose labelled sets come from the
 *       LibriSpeech audio wav2vec 2.0 pre-trains on), they are part of the pre-training pool.</li>
 * </ul>
 * Every utterance's sentence, voice, rate and pitch are drawn from the seed before any audio is made,
 * so the corpus is identical whatever the number of workers or their timing. Training splits reuse
 * sentences (with other voices) only when a corpus needs more than the collection holds (about 17 h).
 */
public final class SyntheticCorpus {

    public static final int SAMPLE_RATE = 16_000;
    public static final double MIN_SECONDS = 3, MAX_SECONDS = 15;

    public static final String PRETRAIN = "pretrain", PRETRAIN_VALID = "pretrain-valid",
            DEV = "dev", TEST = "test", TEST_UNSEEN = "test-unseen";
    /** A labelled fine-tuning subset of {@code pretrain} and its target size. */
    record Subset(String name, double seconds) {
    }

    /** The labelled subsets, smallest first; each holds the previous one. */
    static final List<Subset> LABELLED = List.of(new Subset("train-10m", 600), new Subset("train-1h", 3600), new Subset("train-10h", 36_000));
    /** Every split in the order the summary lists them. */
    public static final List<String> SPLITS = List.of(PRETRAIN, PRETRAIN_VALID, "train-10m", "train-1h", "train-10h", DEV, TEST, TEST_UNSEEN);

    static final double DEV_SHARE = 0.05, TEST_SHARE = 0.05, TEST_UNSEEN_SHARE = 0.05, PRETRAIN_VALID_SHARE = 0.02;
    static final double UNSEEN_VARIANT_SHARE = 0.1;
    /** Sentences are chosen for an estimated 3.5-13.5 s at a middle rate, a margin inside 3-15 s. */
    static final int PLANNING_RATE = 165;
    static final double PLAN_MIN_SECONDS = 3.5, PLAN_MAX_SECONDS = 13.5;

    /** What to make: output folder, size, seed, worker count, sentence source and espeak-ng program. */
    public record Options(Path out, double hours, long seed, int threads, Path fortunes, String espeak) {
    }

    /** One utterance as decided from the seed, before synthesis. */
    public record Planned(int index, String split, Voice voice, int rate, int pitch, String text) {
        /** Path of its audio relative to the corpus folder: a folder per voice, as LibriSpeech has per speaker. */
        public String path() {
            return "audio/" + voice.id() + "/" + String.format(Locale.ROOT, "%06d", index) + ".wav";
        }
    }

    /** The plan, and which variants were held out for {@code test-unseen}. */
    public record Plan(List<Planned> utterances, Set<String> unseenVariants) {
    }

    /** One row of the summary table. */
    public record SplitSummary(String split, int utterances, double hours, int voices) {
    }

    /** What {@link #generate} made; {@code discarded} counts utterances outside 3-15 s even after a retry. */
    public record Summary(List<SplitSummary> splits, int discarded, int sentencesAvailable) {
        /** The table printed by the CLI and written to README.txt. */
        public String table() {
            StringBuilder t = new StringBuilder(String.format(Locale.ROOT, "%-16s %10s %8s %7s%n", "split", "utterances", "hours", "voices"));
            for (SplitSummary s : splits) {
                t.append(String.format(Locale.ROOT, "%-16s %10d %8.3f %7d%n", s.split(), s.utterances(), s.hours(), s.voices()));
            }
            return t.toString();
        }
    }

    /** A synthesised utterance: its plan and its length at 16 kHz (0 when discarded). */
    record Spoken(Planned plan, long samples) {
        double seconds() {
            return samples / (double) SAMPLE_RATE;
        }
    }

    private SyntheticCorpus() {
    }

    /**
     * Decides every utterance of a corpus of about {@code hours} from {@code seed}: which sentence, which
     * voice, which rate and pitch, and which split, using estimated durations.
     */
    public static Plan plan(List<String> sentences, List<String> accents, List<String> variants, double hours, long seed) {
        if (variants.size() < 2) throw new W2vException("need at least 2 espeak-ng voice variants (one is held out for test-unseen)");
        if (accents.isEmpty()) throw new W2vException("espeak-ng lists none of the English accents " + EspeakVoices.ACCENTS);
        Random rng = new Random(seed);

        // Held-out voices first, so adding sentences never changes which voices are unseen.
        List<String> shuffledVariants = shuffled(variants, rng);
        int unseenCount = Math.max(1, (int) Math.round(variants.size() * UNSEEN_VARIANT_SHARE));
        Set<String> unseenVariants = new HashSet<>(shuffledVariants.subList(0, unseenCount));
        List<Voice> seen = new ArrayList<>(), unseen = new ArrayList<>();
        for (Voice v : EspeakVoices.voices(accents, variants, rng)) (unseenVariants.contains(v.variant()) ? unseen : seen).add(v);
        Collections.shuffle(seen, rng);
        Collections.shuffle(unseen, rng);

        List<String> pool = shuffled(sentences, rng);
        SentenceCursor cursor = new SentenceCursor(pool);
        VoiceCursor seenVoices = new VoiceCursor(seen), unseenVoices = new VoiceCursor(unseen);
        double total = hours * 3600;
        List<Planned> out = new ArrayList<>();
        fill(out, DEV, DEV_SHARE * total, seenVoices, cursor::nextExclusive, rng);
        fill(out, TEST, TEST_SHARE * total, seenVoices, cursor::nextExclusive, rng);
        fill(out, TEST_UNSEEN, TEST_UNSEEN_SHARE * total, unseenVoices, cursor::nextExclusive, rng);
        cursor.startTraining();
        fill(out, PRETRAIN_VALID, PRETRAIN_VALID_SHARE * total, seenVoices, cursor::nextTraining, rng);
        double rest = (1 - DEV_SHARE - TEST_SHARE - TEST_UNSEEN_SHARE - PRETRAIN_VALID_SHARE) * total;
        fill(out, PRETRAIN, rest, seenVoices, cursor::nextTraining, rng);
        return new Plan(out, unseenVariants);
    }

    /** Adds utterances to {@code split} until their estimated duration reaches {@code seconds} (at least one). */
    private static void fill(List<Planned> out, String split, double seconds, VoiceCursor voices,
                             Supplier<String> sentences, Random rng) {
        double planned = 0;
        do {
            String text = sentences.get();
            Voice voice = voices.next();
            int rate = voice.utteranceRate(rng);
            int pitch = voice.utterancePitch(rng);
            out.add(new Planned(out.size(), split, voice, rate, pitch, text));
            planned += FortuneSentences.estimatedSeconds(text, rate);
        } while (planned < seconds);
    }

    /**
     * Hands out sentences: evaluation splits take each once from the front; training splits then cycle
     * over the rest, so no dev/test sentence is ever spoken in training.
     */
    private static final class SentenceCursor {
        private final List<String> sentences;
        private int next, trainingStart = -1;

        SentenceCursor(List<String> sentences) {
            this.sentences = sentences;
        }

        String nextExclusive() {
            if (next >= sentences.size()) throw new W2vException("not enough distinct sentences for the evaluation splits (" + sentences.size() + " available); ask for fewer hours");
            return sentences.get(next++);
        }

        void startTraining() {
            trainingStart = next;
            if (trainingStart >= sentences.size()) throw new W2vException("no sentences left for training (" + sentences.size() + " available); ask for fewer hours");
        }

        String nextTraining() {
            if (next >= sentences.size()) next = trainingStart;
            return sentences.get(next++);
        }
    }

    /** Round-robin over a shuffled voice list, so every voice of a group speaks about equally often. */
    private static final class VoiceCursor {
        private final List<Voice> voices;
        private int next;

        VoiceCursor(List<Voice> voices) {
            this.voices = voices;
        }

        Voice next() {
            return voices.get(next++ % voices.size());
        }
    }

    /** Plans, synthesises in parallel and writes the whole corpus into {@code o.out()}. */
    public static Summary generate(Options o, Progress.Factory progress) {
        checkOutputFolder(o.out());
        SpeechSynth synth = new SpeechSynth(o.espeak());
        List<String> accents = synth.installedAccents();
        List<String> variants = synth.installedVariants();
        List<String> sentences = FortuneSentences.withDuration(FortuneSentences.load(o.fortunes()), PLANNING_RATE, PLAN_MIN_SECONDS, PLAN_MAX_SECONDS);
        if (sentences.isEmpty()) throw W2vException.file(o.fortunes(), "no usable sentences of 3 to 15 seconds in these fortune files");
        Plan plan = plan(sentences, accents, variants, o.hours(), o.seed());

        List<Spoken> spoken = synthesize(plan.utterances(), synth, o.out(), Math.max(1, o.threads()), progress.create("synth", "utt", plan.utterances().size()));
        List<Spoken> kept = spoken.stream().filter(s -> s.samples() > 0).toList();
        Map<String, List<Spoken>> splits = assignSplits(kept);
        Summary summary = summarize(splits, spoken.size() - kept.size(), sentences.size());
        writeCorpusFiles(o, splits, kept, summary);
        return summary;
    }

    /** The folder must be new, empty, or a corpus made earlier (which is then overwritten). */
    private static void checkOutputFolder(Path out) {
        if (!Files.exists(out)) return;
        if (!Files.isDirectory(out)) throw W2vException.file(out, "exists and is not a folder");
        if (Files.exists(out.resolve("utterances.tsv"))) return;
        try (Stream<Path> s = Files.list(out)) {
            if (s.findAny().isPresent()) throw W2vException.file(out, "folder is not empty and holds no corpus; choose a new folder");
        } catch (IOException e) {
            throw W2vException.file(out, "cannot list: " + e.getMessage(), e);
        }
    }

    /** Speaks every planned utterance on a fixed pool of workers; results come back in plan order. */
    private static List<Spoken> synthesize(List<Planned> plan, SpeechSynth synth, Path out, int threads, Progress progress) {
        Path scratch = out.resolve(".scratch");
        try {
            Files.createDirectories(scratch);
            for (Planned p : plan) Files.createDirectories(out.resolve(p.path()).getParent());
        } catch (IOException e) {
            throw W2vException.file(out, "cannot create folders: " + e.getMessage(), e);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Spoken>> futures = new ArrayList<>(plan.size());
            for (Planned p : plan) futures.add(pool.submit(() -> speakOne(p, synth, out, scratch, progress)));
            List<Spoken> spoken = new ArrayList<>(plan.size());
            for (Future<Spoken> f : futures) spoken.add(f.get());
            progress.finish();
            return spoken;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new W2vException("synthesis failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new W2vException("synthesis interrupted");
        } finally {
            pool.shutdownNow();
            deleteQuietly(scratch);
        }
    }

    /**
     * Speaks one utterance and writes its 16 kHz WAV. One outside 3-15 s is spoken once more at a rate
     * scaled to land inside (a deterministic function of the first result); still outside, it is discarded.
     */
    private static Spoken speakOne(Planned p, SpeechSynth synth, Path out, Path scratch, Progress progress) {
        progress.throwIfStopped();
        Path tmp = scratch.resolve(p.index() + ".wav");
        float[] audio = synth.speak(p.text(), p.voice().id(), p.rate(), p.pitch(), SAMPLE_RATE, tmp);
        double seconds = audio.length / (double) SAMPLE_RATE;
        if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
            double aim = seconds < MIN_SECONDS ? MIN_SECONDS + 1 : MAX_SECONDS - 1;
            int rate = Math.clamp(Math.round(p.rate() * seconds / aim), 80, 450);
            audio = synth.speak(p.text(), p.voice().id(), rate, p.pitch(), SAMPLE_RATE, tmp);
            seconds = audio.length / (double) SAMPLE_RATE;
            if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
                progress.step(0);
                return new Spoken(p, 0);
            }
        }
        AudioFiles.writeWav(out.resolve(p.path()), audio, SAMPLE_RATE);
        progress.step(seconds);
        return new Spoken(p, audio.length);
    }

    /** Splits by name in summary order; the labelled subsets are the first utterances of pretrain. */
    static Map<String, List<Spoken>> assignSplits(List<Spoken> kept) {
        Map<String, List<Spoken>> splits = new LinkedHashMap<>();
        for (String s : SPLITS) splits.put(s, new ArrayList<>());
        for (Spoken s : kept) splits.get(s.plan().split()).add(s);
        List<Spoken> pretrain = splits.get(PRETRAIN);
        double pretrainSeconds = pretrain.stream().mapToDouble(Spoken::seconds).sum();
        for (Subset subset : LABELLED) {
            if (pretrainSeconds < subset.seconds()) {
                splits.remove(subset.name());
                continue;
            }
            List<Spoken> chosen = splits.get(subset.name());
            double seconds = 0;
            for (Spoken s : pretrain) {
                if (seconds >= subset.seconds()) break;
                chosen.add(s);
                seconds += s.seconds();
            }
        }
        return splits;
    }

    private static Summary summarize(Map<String, List<Spoken>> splits, int discarded, int sentencesAvailable) {
        List<SplitSummary> rows = new ArrayList<>();
        for (Map.Entry<String, List<Spoken>> e : splits.entrySet()) {
            Set<String> voices = new HashSet<>();
            double seconds = 0;
            for (Spoken s : e.getValue()) {
                voices.add(s.plan().voice().id());
                seconds += s.seconds();
            }
            rows.add(new SplitSummary(e.getKey(), e.getValue().size(), seconds / 3600, voices.size()));
        }
        return new Summary(rows, discarded, sentencesAvailable);
    }

    /** Writes SPLIT.tsv/.wrd/.ltr for each split, dict.ltr.txt, utterances.tsv and README.txt. */
    private static void writeCorpusFiles(Options o, Map<String, List<Spoken>> splits, List<Spoken> kept, Summary summary) {
        Path root;
        try {
            root = o.out().toRealPath();
        } catch (IOException e) {
            throw W2vException.file(o.out(), "cannot resolve: " + e.getMessage(), e);
        }
        for (String name : SPLITS) {
            if (!splits.containsKey(name)) deleteSplitFiles(o.out(), name); // a smaller re-run leaves no stale subset
        }
        Map<String, String> smallestSplit = new LinkedHashMap<>();
        for (Map.Entry<String, List<Spoken>> e : splits.entrySet()) {
            List<Manifest.Entry> entries = new ArrayList<>();
            List<String> words = new ArrayList<>();
            for (Spoken s : e.getValue()) {
                entries.add(new Manifest.Entry(s.plan().path(), s.samples()));
                words.add(s.plan().text());
                smallestSplit.put(s.plan().path(), e.getKey()); // later (smaller, nested) subsets overwrite pretrain
            }
            new Manifest(root, entries).write(o.out().resolve(e.getKey() + ".tsv"));
            LabelWriter.writeSplit(o.out(), e.getKey(), words);
        }
        // Every utterance counted once, all splits included, so dev/test letters have a row too.
        Map<String, Long> counts = new TreeMap<>();
        List<String> rows = new ArrayList<>(List.of("split\tpath\tvoice\ttext"));
        for (Spoken s : kept) {
            LabelWriter.countSymbols(LabelWriter.letters(s.plan().text()), counts);
            rows.add(smallestSplit.get(s.plan().path()) + "\t" + s.plan().path() + "\t" + s.plan().voice().id() + "\t" + s.plan().text());
        }
        LabelWriter.writeDictionary(o.out(), counts);
        LabelWriter.writeLines(o.out().resolve("utterances.tsv"), rows);
        LabelWriter.writeLines(o.out().resolve("README.txt"), List.of(readme(o, summary).split("\n")));
    }

    private static void deleteSplitFiles(Path dir, String split) {
        for (String ext : List.of(".tsv", ".wrd", ".ltr")) {
            try {
                Files.deleteIfExists(dir.resolve(split + ext));
            } catch (IOException e) {
                throw W2vException.file(dir.resolve(split + ext), "cannot delete stale file: " + e.getMessage(), e);
            }
        }
    }

    static String readme(Options o, Summary summary) {
        return String.format(Locale.ROOT, """
                w2v4j synthetic speech corpus
                Made with: w2v data synth --hours %s --seed %d
                Sentences from Debian's fortunes (%d usable), spoken by espeak-ng English voices
                (accent+variant, each with its own rate and pitch), 16 kHz mono, %.0f to %.0f s each.

                %s
                Discarded after synthesis (outside %.0f-%.0f s even after a retry): %d

                Splits (as in Libri-light)
                  pretrain          unlabelled pre-training pool: all training audio except pretrain-valid
                  pretrain-valid    held-out validation audio for pre-training (training voices)
                  train-10m, train-1h, train-10h
                                    labelled fine-tuning subsets: the first 10 min / 1 h / 10 h of pretrain,
                                    nested (train-10m in train-1h in train-10h), part of the pre-training pool
                                    as in Libri-light; one exists only when pretrain holds that much audio
                  dev, test         training voices; sentences never used in any training split
                  test-unseen       voices of held-out espeak-ng variants (%d%% of them, all accents): no
                                    voice of it is in any training split; sentences used nowhere else

                Files
                  audio/VOICE/NNNNNN.wav   16-bit PCM WAV, one folder per voice
                  SPLIT.tsv                fairseq manifest: root folder, then relative path TAB samples
                  SPLIT.wrd                normalised words (A-Z, apostrophe, space), aligned with SPLIT.tsv
                  SPLIT.ltr                letters separated by spaces, "|" after each word, aligned likewise
                  dict.ltr.txt             fairseq letter dictionary "SYMBOL COUNT", counted over every
                                           utterance once (all splits, so every letter of dev/test has a row)
                  utterances.tsv           split, path, voice, text of every utterance; split is the smallest
                                           split holding it (a train-10m row is also in train-1h, train-10h
                                           and pretrain)
                """, formatHours(o.hours()), o.seed(), summary.sentencesAvailable(), MIN_SECONDS, MAX_SECONDS,
                summary.table(), MIN_SECONDS, MAX_SECONDS, summary.discarded(), Math.round(UNSEEN_VARIANT_SHARE * 100));
    }

    private static String formatHours(double h) {
        return h == Math.rint(h) ? Long.toString((long) h) : Double.toString(h);
    }

    private static <T> List<T> shuffled(List<T> items, Random rng) {
        List<T> copy = new ArrayList<>(items);
        Collections.shuffle(copy, rng);
        return copy;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Collections.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // only the scratch folder; a leftover does not affect the corpus
        }
    }
}
