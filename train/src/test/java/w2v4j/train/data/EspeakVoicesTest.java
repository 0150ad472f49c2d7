package w2v4j.train.data;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing espeak-ng's voice listings, drawing voices, and the progress line (no espeak-ng needed). */
class EspeakVoicesTest {

    @Test
    void parsesTheVoiceListingsOfEspeakNg() {
        String accents = """
                Pty Language       Age/Gender VoiceName          File                 Other Languages
                 2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)
                 3  en-uk           --/M      english-mb-en1     mb/mb-en1            (en-gb 3)(en 2)
                 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)
                 5  en-us           --/F      us-mbrola-1        mb/mb-us1            (en 8)
                 5  en-us-nyc       --/M      English_(America,_New_York_City) gmw/en-US-nyc
                """;
        assertEquals(List.of("en-us", "en-gb", "en-us-nyc"), EspeakVoices.installedAccents(accents));
        String variants = """
                Pty Language       Age/Gender VoiceName          File                 Other Languages
                 5  variant         --/M      Mr_Serious         !v/Mr serious
                 5  variant         --/M      klatt              !v/klatt
                 5  variant         70/M      male1              !v/m1
                 5  variant         --/M      UniversalRobot     !v/UniRobot
                """;
        assertEquals(List.of("m1", "klatt"), EspeakVoices.installedVariants(variants));
    }

    @Test
    void voicesCoverEveryAccentAndVariantWithinTheRanges() {
        List<EspeakVoices.Voice> voices = EspeakVoices.voices(List.of("en-us", "en-gb"), List.of("m1", "f2", "klatt"), new Random(1));
        assertEquals(6, voices.size());
        assertEquals(6, voices.stream().map(EspeakVoices.Voice::id).distinct().count());
        assertEquals("en-us+m1", voices.getFirst().id());
        Random rng = new Random(2);
        for (EspeakVoices.Voice v : voices) {
            assertTrue(v.rate() >= EspeakVoices.MIN_RATE && v.rate() <= EspeakVoices.MAX_RATE);
            for (int i = 0; i < 50; i++) {
                assertTrue(Math.abs(v.utteranceRate(rng) - v.rate()) <= EspeakVoices.RATE_JITTER);
                int pitch = v.utterancePitch(rng);
                assertTrue(pitch >= 0 && pitch <= 99 && Math.abs(pitch - v.pitch()) <= EspeakVoices.PITCH_JITTER);
            }
        }
    }

    @Test
    void progressPrintsPlainLinesWhenNotOnATerminal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress("synth", "utt", 2, new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        p.step(1800);
        p.step(1800);
        p.finish();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.matches("synth 2/2 utt, 1\\.00 h, \\S+ utt/s, took \\d+s\n"), out);
        assertEquals("1m20s", Progress.duration(80));
        assertEquals("1h02m", Progress.duration(3720));
    }
}
