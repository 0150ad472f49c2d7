package w2v4j.train.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The synthetic speakers of the corpus. A voice is an espeak-ng English accent combined with a voice
 * variant (formants, pitch range, synthesiser), plus a fixed speaking rate and pitch around which each
 * utterance jitters a little, as one person never says two sentences at exactly the same speed.
 *
 * <p>Accents are espeak-ng's own English voices ({@code gmw/...}); the MBROLA ones need an extra
 * program and are left out. Variants are the human-sounding ones of {@code espeak-ng --voices=variant}
 * (robots, whispers and the like are left out). Only those the installed espeak-ng lists are used.
 */
public final class EspeakVoices {

    public static final List<String> ACCENTS = List.of(
            "en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-029", "en-us-nyc");

    public static final List<String> VARIANTS = List.of(
            "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5",
            "klatt", "klatt2", "klatt3", "klatt4", "Alex", "Alicia", "Andrea", "Andy", "Annie", "adam", "aunty",
            "belinda", "benjamin", "caleb", "croak", "david", "ed", "edward", "grandma", "grandpa", "iven", "john",
            "linda", "max", "michel", "norbert", "paul", "quincy", "rob", "robert", "steph", "travis", "victor", "zac");

    /** Speaking-rate centres (espeak-ng words a minute; its default is 175) and pitch centres (0-99, default 50). */
    static final int MIN_RATE = 140, MAX_RATE = 190, MIN_PITCH = 35, MAX_PITCH = 65;
    /** Per-utterance jitter around a voice's centre: ± this much. */
    static final int RATE_JITTER = 8, PITCH_JITTER = 5;

    /** One synthetic speaker: {@code accent+variant} at its own rate and pitch. */
    public record Voice(String accent, String variant, int rate, int pitch) {
        /** The espeak-ng {@code -v} argument and the speaker name in the corpus, e.g. {@code en-gb-scotland+m3}. */
        public String id() {
            return accent + "+" + variant;
        }

        /** A rate for one utterance, jittered around the voice's centre. */
        int utteranceRate(Random rng) {
            return rate + rng.nextInt(2 * RATE_JITTER + 1) - RATE_JITTER;
        }

        /** A pitch for one utterance, jittered around the voice's centre and kept in 0-99. */
        int utterancePitch(Random rng) {
            return Math.clamp(pitch + rng.nextInt(2 * PITCH_JITTER + 1) - PITCH_JITTER, 0, 99);
        }
    }

    private EspeakVoices() {
    }

    /** Every accent × variant voice, each with a rate and pitch centre drawn from {@code rng}, in a fixed order. */
    public static List<Voice> voices(List<String> accents, List<String> variants, Random rng) {
        List<Voice> voices = new ArrayList<>(accents.size() * variants.size());
        for (String accent : accents) {
            for (String variant : variants) {
                int rate = MIN_RATE + rng.nextInt(MAX_RATE - MIN_RATE + 1);
                int pitch = MIN_PITCH + rng.nextInt(MAX_PITCH - MIN_PITCH + 1);
                voices.add(new Voice(accent, variant, rate, pitch));
            }
        }
        return voices;
    }

    /** The accents of {@link #ACCENTS} that {@code espeak-ng --voices=en} lists (its "Language" column). */
    public static List<String> installedAccents(String voicesListing) {
        List<String> listed = new ArrayList<>();
        for (String line : voicesListing.split("\n")) {
            String[] cols = line.strip().split("\\s+");
            if (cols.length >= 5 && cols[4].startsWith("gmw/")) listed.add(cols[1].toLowerCase(Locale.ROOT));
        }
        return ACCENTS.stream().filter(listed::contains).toList();
    }

    /** The variants of {@link #VARIANTS} that {@code espeak-ng --voices=variant} lists (its "File" column, {@code !v/NAME}). */
    public static List<String> installedVariants(String variantsListing) {
        List<String> listed = new ArrayList<>();
        for (String line : variantsListing.split("\n")) {
            for (String col : line.strip().split("\\s+")) {
                if (col.startsWith("!v/")) listed.add(col.substring(3));
            }
        }
        return VARIANTS.stream().filter(listed::contains).toList();
    }
}
