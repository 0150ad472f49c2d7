package w2v4j.train.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import w2v4j.core.W2vException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FortuneSentencesTest {

    @TempDir
    Path tmp;

    @Test
    void parsesEntriesSplitsSentencesAndDropsAttributions() throws IOException {
        Files.writeString(tmp.resolve("wisdom"), """
                A dream will always triumph over reality,
                once it is given the chance.  Or so they say!
                \t\t-- Stanislaw Lem
                %
                In 1984 nothing happened.  The UNIX way is best.  Use a_b + c.
                %
                A dream will always triumph over reality, once it is given the chance.
                %
                _\bu_\bn_\bd_\be_\br_\bl_\bi_\bn_\be_\bd words are plain words.
                """);
        Files.writeString(tmp.resolve("wisdom.dat"), "binary index, skipped");

        assertEquals(List.of("A DREAM WILL ALWAYS TRIUMPH OVER REALITY ONCE IT IS GIVEN THE CHANCE", "OR SO THEY SAY",
                "UNDERLINED WORDS ARE PLAIN WORDS"), FortuneSentences.load(tmp));
    }

    @Test
    void rejectsTextWhoseSpokenFormIsAmbiguous() {
        assertNull(FortuneSentences.speakable("It was 1984."));
        assertNull(FortuneSentences.speakable("The IBM machine."));
        assertNull(FortuneSentences.speakable("Send mail to root@localhost now."));
        assertNull(FortuneSentences.speakable("Ask Mr Smith."));
        assertNull(FortuneSentences.speakable("Caf\u00e9 society."));
        assertEquals("I DON'T KNOW", FortuneSentences.speakable("I don't know!"));
    }

    @Test
    void durationEstimateGrowsWithTextAndShrinksWithRate() {
        String s = "A".repeat(100);
        assertTrue(FortuneSentences.estimatedSeconds(s, 150) > FortuneSentences.estimatedSeconds(s, 200));
        double sixSeconds = FortuneSentences.estimatedSeconds("X".repeat(100), 175);
        assertTrue(sixSeconds > 4.5 && sixSeconds < 7.5, "about 17 letters a second at espeak-ng's default rate: " + sixSeconds);
        assertEquals(List.of("B".repeat(100)), FortuneSentences.withDuration(List.of("A".repeat(10), "B".repeat(100), "C".repeat(400)), 165, 3, 15));
    }

    @Test
    void missingCollectionNamesTheInstallCommand() {
        W2vException e = assertThrows(W2vException.class, () -> FortuneSentences.load(tmp.resolve("none")));
        assertTrue(e.getMessage().contains("apt-get install fortunes"), e.getMessage());
    }
}
