package w2v4j.repl;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import w2v4j.core.W2vException;
import w2v4j.train.data.FortuneSentences;
import w2v4j.train.data.LabelWriter;
import w2v4j.train.data.Manifest;
import w2v4j.train.data.ManifestBuilder;
import w2v4j.train.data.Progress;
import w2v4j.train.data.SpeechSynth;
import w2v4j.train.data.SyntheticCorpus;
import w2v4j.train.data.Transcripts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code w2v data ...}: manifests and labels for your own audio, and the built-in synthetic corpus. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Prepare speech data: fairseq manifests and labels, or the built-in synthetic corpus.",
        subcommands = {DataCommand.ManifestCommand.class, DataCommand.LabelsCommand.class, DataCommand.SynthCommand.class,
                DataCommand.UseCommand.class, CommandLine.HelpCommand.class})
public final class DataCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "manifest", mixinStandardHelpOptions = true,
            description = {"Write fairseq manifests (train.tsv, valid.tsv) for a folder of audio.",
                    "Reads headers only. Unreadable files are listed with the reason and left out."})
    static final class ManifestCommand implements Runnable {
        @Parameters(paramLabel = "AUDIO_DIR", description = "Folder searched recursively for audio.")
        Path audioDir;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where train.tsv and valid.tsv go.")
        Path out;

        @Option(names = "--ext", split = ",", paramLabel = "EXT", defaultValue = "flac,wav",
                description = "File extensions to include (default: ${DEFAULT-VALUE}).")
        List<String> extensions;

        @Option(names = "--valid-percent", paramLabel = "SHARE", defaultValue = "0.01",
                description = "Share of files for valid.tsv, as in fairseq: 0.01 is 1%%; 0 writes no valid.tsv (default: ${DEFAULT-VALUE}).")
        double validPercent;

        @Option(names = "--seed", defaultValue = "1", description = "Seed of the train/valid split (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--threads", paramLabel = "N", description = "Header readers (default: the number of processors).")
        int threads = Runtime.getRuntime().availableProcessors();

        @Override
        public void run() {
            Set<String> exts = new LinkedHashSet<>();
            for (String e : extensions) exts.add(e.strip().toLowerCase(Locale.ROOT).replaceFirst("^\\.", ""));
            ManifestBuilder.Result r = ManifestBuilder.build(audioDir, exts, validPercent, seed, threads, Progress::onStderr);
            for (ManifestBuilder.Skipped s : r.skipped()) System.err.println("skipped " + s.file() + ": " + s.reason());
            if (!r.skipped().isEmpty()) System.err.println(r.skipped().size() + " unreadable file(s) left out of the manifest");
            ManifestBuilder.write(r, out);
            System.out.println(describe(out.resolve("train.tsv"), r.train()));
            if (r.valid() != null) System.out.println(describe(out.resolve("valid.tsv"), r.valid()));
            if (r.notSixteenKhz() > 0) {
                System.out.println("note: " + r.notSixteenKhz() + " file(s) are not 16 kHz; their sample counts are at their own rate, and wav2vec 2.0 expects 16 kHz");
            }
        }

        private static String describe(Path tsv, Manifest m) {
            return String.format(Locale.ROOT, "wrote %s: %d files", tsv, m.entries().size());
        }
    }

    @Command(name = "labels", mixinStandardHelpOptions = true,
            description = {"Write letter labels (SPLIT.wrd, SPLIT.ltr, dict.ltr.txt) for a manifest.",
                    "The labels are aligned line by line with SPLIT.tsv. Text is normalised to A-Z, apostrophe "
                            + "and space; transcripts with digits are rejected (write numbers out as spoken). "
                            + "dict.ltr.txt counts the letters of every .ltr file in the folder."})
    static final class LabelsCommand implements Runnable {
        @Option(names = "--transcripts", required = true, paramLabel = "FILE_OR_DIR",
                description = "AUDIO_PATH<TAB>TEXT lines (a relative path is relative to the manifest root), "
                        + "or LibriSpeech *.trans.txt files (a folder searched recursively, or one file): "
                        + "lines 'ID TEXT' for the audio ID.flac beside them.")
        Path transcripts;

        @Option(names = "--manifest", required = true, paramLabel = "DIR", description = "Folder holding SPLIT.tsv; the labels are written there.")
        Path manifestDir;

        @Option(names = "--split", defaultValue = "train", paramLabel = "NAME", description = "Manifest name, SPLIT.tsv (default: ${DEFAULT-VALUE}).")
        String split;

        @Option(names = "--skip-missing", description = "Leave out audio without a transcript (rewriting SPLIT.tsv) instead of failing.")
        boolean skipMissing;

        @Override
        public void run() {
            Manifest manifest = Manifest.read(manifestDir.resolve(split + ".tsv"));
            Transcripts t = Transcripts.load(transcripts, manifest.root());
            LabelWriter.Result r = LabelWriter.labelManifest(manifestDir, split, t, skipMissing);
            for (Path p : r.leftOut()) System.err.println("no transcript, left out: " + p);
            if (!r.leftOut().isEmpty()) System.err.println(r.leftOut().size() + " file(s) without transcript left out of " + split + ".tsv");
            System.out.printf(Locale.ROOT, "wrote %s.wrd and %s.ltr (%d lines) and %s (%d symbols) in %s%n",
                    split, split, r.labelled(), LabelWriter.DICTIONARY_FILE, r.dictionary().size(), manifestDir);
        }
    }

    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = {"Make the built-in synthetic speech corpus.",
                    "Fortune sentences spoken by espeak-ng English voices at 16 kHz, split as in "
                            + "Libri-light: pretrain, pretrain-valid, train-10m/1h/10h, dev, test, test-unseen. "
                            + "Deterministic for a seed; the summary also goes to DIR/README.txt."})
    static final class SynthCommand implements Runnable {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "New or empty folder (or an earlier corpus, replaced).")
        Path out;

        @Option(names = "--hours", defaultValue = "1.0", paramLabel = "H", description = "Target amount of audio (default: ${DEFAULT-VALUE}).")
        double hours;

        @Option(names = "--seed", defaultValue = "1", description = "Seed deciding sentences, voices and splits (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--threads", paramLabel = "N", description = "Parallel espeak-ng workers (default: the number of processors).")
        int threads = Runtime.getRuntime().availableProcessors();

        @Option(names = "--fortunes", paramLabel = "DIR", description = "Folder of fortune files (default: ${DEFAULT-VALUE}).")
        Path fortunes = FortuneSentences.DEFAULT_DIR;

        @Option(names = "--espeak-ng", paramLabel = "PROGRAM", description = "The espeak-ng program (default: ${DEFAULT-VALUE}).")
        String espeak = SpeechSynth.DEFAULT_PROGRAM;

        @Override
        public void run() {
            if (!(hours > 0 && hours <= 1000)) throw new W2vException("--hours must be in (0, 1000], got " + hours);
            long start = System.nanoTime();
            SyntheticCorpus.Summary s = SyntheticCorpus.generate(
                    new SyntheticCorpus.Options(out, hours, seed, threads, fortunes, espeak), Progress::onStderr);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.print(s.table());
            if (s.discarded() > 0) System.out.println("discarded (outside 3-15 s): " + s.discarded());
            System.out.printf(Locale.ROOT, "wrote %s (see README.txt) in %.0f s%n", out, seconds);
        }
    }

    @Command(name = "use", mixinStandardHelpOptions = true,
            description = {"Make DIR the session's data set: later commands given no --data use it. Lists its splits."})
    static final class UseCommand implements Runnable {
        @Parameters(paramLabel = "DIR", description = "A folder of fairseq manifests (SPLIT.tsv).")
        Path dir;

        @Override
        public void run() {
            List<String> splits = new ArrayList<>();
            try (var files = Files.list(dir)) {
                for (Path p : files.sorted().toList()) {
                    String n = p.getFileName().toString();
                    if (!n.endsWith(".tsv") || n.equals("utterances.tsv")) continue;
                    String split = n.substring(0, n.length() - 4);
                    int utterances = w2v4j.train.data.ManifestReader.read(p).entries().size();
                    boolean labelled = Files.exists(dir.resolve(split + ".ltr"));
                    splits.add(String.format("  %-16s %6d utterances%s", split, utterances, labelled ? ", labelled" : ""));
                }
            } catch (java.io.IOException e) {
                throw W2vException.file(dir, "cannot list: " + e.getMessage());
            }
            if (splits.isEmpty()) throw W2vException.file(dir, "no manifests (SPLIT.tsv) here; make them with 'data manifest' or 'data synth'");
            Session.current().useData(dir.toAbsolutePath());
            System.out.println("data: " + dir.toAbsolutePath());
            splits.forEach(System.out::println);
        }
    }
}
