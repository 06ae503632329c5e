package dev.spikestep.rstdp;

import dev.spikestep.BadValueException;
import java.util.Locale;

/** How the R-STDP update turns a batch's output spike counts into a reward (SPEC section 6). */
public enum Reward {
    /**
     * {@code winner = argmax(o_count)} (first index on ties), {@code r = +1} if it is the label
     * else {@code -1}; row {@code c} of dW is the mean of {@code r * pre} over the samples won by c.
     */
    PM1,
    /** {@code dW = mean_b (onehot(label) - softmax(o_count)) outer pre}. */
    ONEHOT;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Reward parse(String s) {
        for (Reward r : values()) {
            if (r.cliName().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new BadValueException("reward", "'" + s + "': unknown reward; expected pm1 or onehot");
    }
}
