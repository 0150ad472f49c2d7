package w2v4j.train.data;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import w2v4j.core.W2vException;
import w2v4j.core.audio.AudioFiles;
import w2v4j.train.data.SyntheticCorpus.Planned;
import w2v4j.train.data.SyntheticCorpus.Spoken;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticCorpusTest {

    private static final Set<String> TRAINING = Set.of("pretrain", "pretrain-valid", "train-10m", "train-1h", "train-10h");

    @TempDir
    Path tmp;

    /** Distinct made-up sentences of about 6 s, enough for a plan of a few hours. */
    private static List<String> sentences(int n) {
        List<String> s = new ArrayList<>();
        for (int i = 0; i < n; i++) s.add("SENTENCE NUMBER " + letters(i) + " SAYS NOTHING AT ALL OF ANY INTEREST TO ANYONE");
        return s;
    }

    /** A distinct letter name for every number: 0 → A, 25 → Z, 26 → AB... */
    private static String letters(int i) {
        StringBuilder b = new StringBuilder();
        do {
            b.append((char) ('A' + i % 26));
            i /= 26;
        } while (i > 0);
        return b.toString();
    }

    private static SyntheticCorpus.Plan plan(double hours, long seed) {
        return SyntheticCorpus.plan(sentences(3000), EspeakVoices.ACCENTS, EspeakVoices.VARIANTS, hours, seed);
    }

    @Test
    void evaluationSentencesAndUnseenVoicesNeverReachTraining() {
        SyntheticCorpus.Plan plan = plan(2, 1);
        Set<String> trainingText = new HashSet<>(), trainingVoices = new HashSet<>();
        for (Planned p : plan.utterances()) {
            if (TRAINING.contains(p.split())) {
                trainingText.add(p.text());
                trainingVoices.add(p.voice().id());
                assertFalse(plan.unseenVariants().contains(p.voice().variant()), "held-out variant in training: " + p);
            }
        }
        Map<String, Integer> perSplit = new HashMap<>();
        for (Planned p : plan.utterances()) {
            perSplit.merge(p.split(), 1, Integer::sum);
            if (p.split().equals("dev") || p.split().equals("test") || p.split().equals("test-unseen")) {
                assertFalse(trainingText.contains(p.text()), "evaluation sentence in training: " + p);
            }
            if (p.split().equals("test-unseen")) assertFalse(trainingVoices.contains(p.voice().id()), "unseen voice in training: " + p);
        }
        assertEquals(Set.of("pretrain", "pretrain-valid", "dev", "test", "test-unseen"), perSplit.keySet());
        long distinctEval = plan.utterances().stream().filter(p -> !TRAINING.contains(p.split())).map(Planned::text).distinct().count();
        assertEquals(perSplit.get("dev") + perSplit.get("test") + perSplit.get("test-unseen"), distinctEval, "each evaluation sentence spoken once");
    }

    @Test
    void planIsDeterministicForASeed() {
        assertEquals(plan(0.5, 42), plan(0.5, 42));
        assertNotEquals(plan(0.5, 42).utterances(), plan(0.5, 43).utterances());
    }

    @Test
    void planSharesFollowTheTargets() {
        SyntheticCorpus.Plan plan = plan(2, 3);
        Map<String, Double> seconds = new HashMap<>();
        for (Planned p : plan.utterances()) seconds.merge(p.split(), FortuneSentences.estimatedSeconds(p.text(), p.rate()), Double::sum);
        double total = seconds.values().stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(7200, total, 60);
        assertEquals(0.05, seconds.get("dev") / total, 0.01);
        assertEquals(0.05, seconds.get("test-unseen") / total, 0.01);
        assertEquals(0.02, seconds.get("pretrain-valid") / total, 0.01);
        assertEquals(0.83, seconds.get("pretrain") / total, 0.02);
    }

    @Test
    void labelledSubsetsAreNestedPrefixesOfPretrainAndOnlyWhenItHoldsThem() {
        List<Spoken> kept = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            Planned p = new Planned(i, "pretrain", new EspeakVoices.Voice("en-us", "m1", 170, 50), 170, 50, "X");
            kept.add(new Spoken(p, 5 * 16_000)); // 800 × 5 s = 1.11 h
        }
        Map<String, List<Spoken>> splits = SyntheticCorpus.assignSplits(kept);
        assertEquals(120, splits.get("train-10m").size());
        assertEquals(720, splits.get("train-1h").size());
        assertFalse(splits.containsKey("train-10h"), "1.1 h of pretrain cannot hold 10 h");
        assertEquals(splits.get("train-10m"), splits.get("train-1h").subList(0, 120));
        assertEquals(kept.subList(0, 720), splits.get("train-1h"));
    }

    @Test
    void missingEspeakGivesTheInstallHint() {
        W2vException e = assertThrows(W2vException.class, () -> new SpeechSynth(tmp.resolve("no-such-espeak-ng").toString()).installedAccents());
        assertEquals("espeak-ng not found: install it with 'apt-get install espeak-ng'", e.getMessage());
        SyntheticCorpus.Options o = new SyntheticCorpus.Options(tmp.resolve("out"), 0.01, 1, 1, tmp, "no-such-espeak-ng-on-path");
        assertEquals(SpeechSynth.NOT_FOUND, assertThrows(W2vException.class, () -> SyntheticCorpus.generate(o, Progress::silent)).getMessage());
    }

    // ---- end to end with espeak-ng: a corpus of about ten utterances, made twice ----

    private static final String FORTUNES = """
            A lifetime is not nearly long enough to figure out what it is all about.
            %
            A dream will always triumph over reality, once it is given the chance.
            %
            Keep the juices flowing by jangling around gently as you move along the road.
            %
            A clash of doctrine is not a disaster, it is an opportunity for everyone.
            %
            Never look back, something might be gaining on you when you least expect it.
            %
            The quick brown fox jumps over the lazy dog and then runs into the woods.
            %
            Avoid fried meats which angry up the blood, and pacify your stomach with cool thoughts.
            %
            He looked at me as if I were a side dish he had not ordered at the restaurant.
            %
            I went into a general store and they would not sell me anything specific at all.
            %
            World conquerors sometimes become fools, but fools never become world conquerors.
            %
            Genuine happiness is when you find the keys you lost in the pocket of your old coat.
            %
            A prohibitionist is the sort of man one would not care to drink with on a cold night.
            """;

    private static boolean espeakInstalled() {
        try {
            new SpeechSynth(SpeechSynth.DEFAULT_PROGRAM).installedAccents();
            return true;
        } catch (W2vException e) {
            return false;
        }
    }

    private SyntheticCorpus.Summary generate(Path out, int threads) throws IOException {
        Path fortunes = Files.createDirectories(tmp.resolve("fortunes"));
        Files.writeString(fortunes.resolve("tiny"), FORTUNES);
        return SyntheticCorpus.generate(new SyntheticCorpus.Options(out, 0.01, 5, threads, fortunes, SpeechSynth.DEFAULT_PROGRAM), Progress::silent);
    }

    private static Map<String, byte[]> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            Map<String, byte[]> out = new HashMap<>();
            for (Path p : s.filter(Files::isRegularFile).toList()) out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            return out;
        }
    }

    @Test
    void tinyCorpusIsConsistentAndIdenticalAcrossRuns() throws IOException {
        Assumptions.assumeTrue(espeakInstalled(), "espeak-ng is not installed");
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        SyntheticCorpus.Summary summary = generate(a, 2);
        generate(b, 1);

        // Determinism: every file identical, apart from the root folder on the first line of each .tsv.
        Map<String, byte[]> fa = files(a), fb = files(b);
        assertEquals(fa.keySet(), fb.keySet());
        for (String name : fa.keySet()) {
            if (name.endsWith(".tsv") && !name.equals("utterances.tsv")) {
                assertEquals(withoutFirstLine(fa.get(name)), withoutFirstLine(fb.get(name)), name);
            } else {
                assertArrayEquals(fa.get(name), fb.get(name), name);
            }
        }

        List<String> rows = Files.readAllLines(a.resolve("utterances.tsv"));
        assertEquals("split\tpath\tvoice\ttext", rows.getFirst());
        Map<String, String[]> byPath = rows.stream().skip(1).map(r -> r.split("\t")).collect(Collectors.toMap(r -> r[1], r -> r));
        int listed = 0;
        for (SyntheticCorpus.SplitSummary s : summary.splits()) {
            List<String> tsv = Files.readAllLines(a.resolve(s.split() + ".tsv"));
            List<String> wrd = Files.readAllLines(a.resolve(s.split() + ".wrd"));
            List<String> ltr = Files.readAllLines(a.resolve(s.split() + ".ltr"));
            assertEquals(a.toRealPath().toString(), tsv.getFirst());
            assertEquals(s.utterances(), tsv.size() - 1);
            assertEquals(tsv.size() - 1, wrd.size(), "wrd aligned with tsv");
            assertEquals(tsv.size() - 1, ltr.size(), "ltr aligned with tsv");
            assertTrue(s.utterances() >= 1, s.split() + " is empty");
            for (int i = 1; i < tsv.size(); i++) {
                String[] cols = tsv.get(i).split("\t");
                Path audio = a.resolve(cols[0]);
                long frames = AudioFiles.info(audio).frames();
                assertEquals(frames, Long.parseLong(cols[1]), "sample count of " + cols[0]);
                assertEquals(16_000, AudioFiles.info(audio).sampleRate());
                assertTrue(frames >= 3 * 16_000 && frames <= 15 * 16_000, "3 to 15 s: " + cols[0]);
                assertEquals(byPath.get(cols[0])[3], wrd.get(i - 1), "wrd line " + i + " of " + s.split());
                assertEquals(LabelWriter.letters(wrd.get(i - 1)), ltr.get(i - 1));
                listed++;
            }
        }
        assertEquals(rows.size() - 1, listed, "every utterance in exactly one of the listed splits (no labelled subset at this size)");

        Set<String> dictSymbols = Files.readAllLines(a.resolve("dict.ltr.txt")).stream().map(l -> l.split(" ")[0]).collect(Collectors.toSet());
        for (String row : rows.subList(1, rows.size())) {
            for (String symbol : LabelWriter.letters(row.split("\t")[3]).split(" ")) assertTrue(dictSymbols.contains(symbol), symbol);
        }
        assertTrue(Files.readString(a.resolve("README.txt")).contains("test-unseen"));
        assertFalse(Files.exists(a.resolve(".scratch")));
    }

    private static List<String> withoutFirstLine(byte[] tsv) {
        List<String> lines = List.of(new String(tsv).split("\n"));
        return lines.subList(1, lines.size());
    }
}
