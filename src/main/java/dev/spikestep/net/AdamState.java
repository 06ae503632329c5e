package dev.spikestep.net;

/**
 * What Adam needs to continue exactly where it stopped: its step count and both moments of both
 * layers, in PyTorch's layout (torch.optim.Adam's {@code exp_avg} / {@code exp_avg_sq} of
 * {@code fc1.weight} [nH, nIn] and {@code fc_out.weight} [nOut, nH]).
 */
public record AdamState(int step, float[] m1, float[] v1, float[] mOut, float[] vOut) {
    public AdamState {
        if (step < 0) {
            throw new IllegalArgumentException("Adam step must be >= 0, got " + step);
        }
        if (m1.length != v1.length || mOut.length != vOut.length) {
            throw new IllegalArgumentException("Adam moments of one layer differ in length: " + m1.length + "/"
                    + v1.length + ", " + mOut.length + "/" + vOut.length);
        }
    }

    /** Checks that the moments fit {@code shape}'s layers. */
    public void check(NetShape shape) {
        if (m1.length != shape.nHidden() * shape.nIn() || mOut.length != shape.nOut() * shape.nHidden()) {
            throw new IllegalArgumentException("Adam moments of " + m1.length + " + " + mOut.length
                    + " values do not fit a " + shape.nIn() + " -> " + shape.nHidden() + " -> " + shape.nOut() + " network");
        }
    }
}
