package dev.spikestep;

/**
 * A value outside what it may be, named by its configuration key ({@code train_samples}). The
 * message names the command-line option ({@code --train-samples ...}); a sweep names the key and
 * where its config file sets it ({@code base.train_samples ...}) from {@link #key} and
 * {@link #problem}, so that one check serves both.
 */
public final class BadValueException extends SpikestepException {
    private final String key;
    private final String problem;

    /** {@code problem} follows the name: "must be within [1, 100000], got 200000". */
    public BadValueException(String key, String problem) {
        super(option(key) + " " + problem);
        this.key = key;
        this.problem = problem;
    }

    /** The option of a key: {@code train_samples} is {@code --train-samples}. */
    public static String option(String key) {
        return "--" + key.replace('_', '-');
    }

    /**
     * {@code value} must be finite and {@code > 0} ({@code >= 0} when {@code zeroAllowed}) as the float32
     * the kernels compute with: 1e39 passes as a double and is infinite there, turning every weight or
     * state into NaN. {@code note} ends the message ("" or " (0 = none)").
     */
    public static void requireFloat32(String key, double value, boolean zeroAllowed, String note) {
        if (!(zeroAllowed ? value >= 0 : value > 0) || !Float.isFinite((float) value)) {
            throw new BadValueException(key, "must be a finite float32 " + (zeroAllowed ? ">= 0" : "> 0") + note + ", got "
                    + value);
        }
    }

    public String key() {
        return key;
    }

    public String problem() {
        return problem;
    }
}
