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

    public String key() {
        return key;
    }

    public String problem() {
        return problem;
    }
}
