package w2v4j.train.data;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Turns free text into the label alphabet of the letter CTC vocabulary: upper-case A-Z, the
 * apostrophe and single spaces between words (the LibriSpeech transcript convention).
 *
 * <ul>
 *   <li>Accented letters lose their marks (é → E, via Unicode NFD); a few letters that NFD does
 *       not decompose are spelled out (ß → SS, Æ → AE, Œ → OE, Ø → O, Ł → L, Đ → D, Þ → TH).
 *       Any other letter outside A-Z (Greek, Cyrillic, CJK...) is dropped.</li>
 *   <li>Punctuation, dashes and symbols become word breaks, so "well-known" is two words.</li>
 *   <li>An apostrophe is kept only between two letters (DON'T, O'CLOCK); quote marks around
 *       words are not speech.</li>
 *   <li>Digits are <em>not</em> handled here: whether "1984" is read "nineteen eighty four" or
 *       "one thousand..." depends on the speaker, so callers check {@link #containsDigit} and
 *       either drop the sentence (synthesis) or reject the transcript (labels).</li>
 * </ul>
 */
public final class TextNormalizer {

    private TextNormalizer() {
    }

    /** The normalised text: words of A-Z and inner apostrophes, separated by single spaces. */
    public static String normalize(String text) {
        String decomposed = Normalizer.normalize(text, Normalizer.Form.NFD);
        StringBuilder letters = new StringBuilder(decomposed.length());
        for (int i = 0; i < decomposed.length(); i++) {
            char c = decomposed.charAt(i);
            if (Character.getType(c) == Character.NON_SPACING_MARK) continue; // accents after NFD
            letters.append(mapChar(c));
        }
        return joinWords(letters);
    }

    /** True if the text has any decimal digit (including non-ASCII ones). */
    public static boolean containsDigit(String text) {
        return text.chars().anyMatch(Character::isDigit);
    }

    /** What one character becomes before word joining: letters, an apostrophe, or a space. */
    private static String mapChar(char c) {
        if (c >= 'a' && c <= 'z') return String.valueOf((char) (c - 'a' + 'A'));
        if (c >= 'A' && c <= 'Z') return String.valueOf(c);
        if (c == '\'' || c == '\u2019' || c == '\u2018' || c == '`') return "'";
        switch (c) {
            case 'ß': return "SS";
            case 'æ': case 'Æ': return "AE";
            case 'œ': case 'Œ': return "OE";
            case 'ø': case 'Ø': return "O";
            case 'ł': case 'Ł': return "L";
            case 'đ': case 'Đ': return "D";
            case 'þ': case 'Þ': return "TH";
            default: break;
        }
        if (Character.isLetter(c)) return ""; // a letter we cannot spell: dropped inside its word
        return " ";                            // punctuation, dashes, symbols, whitespace: a break
    }

    /** Keeps apostrophes only between letters and collapses runs of spaces. */
    private static String joinWords(CharSequence s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'') {
                boolean inner = i > 0 && isUpper(s.charAt(i - 1)) && i + 1 < s.length() && isUpper(s.charAt(i + 1));
                if (!inner) c = ' ';
            }
            if (c == ' ' && (out.isEmpty() || out.charAt(out.length() - 1) == ' ')) continue;
            out.append(c);
        }
        if (!out.isEmpty() && out.charAt(out.length() - 1) == ' ') out.setLength(out.length() - 1);
        return out.toString();
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    /** Lower-case form handed to the synthesiser: all-capital words would be spelled out as acronyms. */
    static String forSpeech(String normalized) {
        return normalized.toLowerCase(Locale.ROOT);
    }
}
