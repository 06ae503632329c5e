package dev.spikestep.train;

import dev.spikestep.SpikestepException;
import dev.spikestep.data.Dataset;
import dev.spikestep.io.Safetensors;
import dev.spikestep.net.Adam;
import dev.spikestep.net.Backends;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Network;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.rng.PoissonEncoder;
import java.nio.file.Path;
import java.util.Map;

/**
 * A trained network run with other dynamics (the transfer study): the weights of a checkpoint, or
 * of a notebook {@code state_dict} saved as safetensors, evaluated on a test set under any neuron,
 * dt, T, readout and encoder, with the same test pass as training's ({@link Trainer#evaluate}).
 */
public final class Evaluator {
    private Evaluator() {
    }

    /** The trained weights in PyTorch's layout and the file's metadata (empty for a plain state_dict). */
    public record Weights(Path file, int nIn, int nHidden, int nOut, float[] w1, float[] wOut, Map<String, String> metadata) {
        /** Weights that are NaN or infinite: a training that diverged writes them, and no dynamics can then classify. */
        public long nonFinite() {
            return nonFinite(w1, wOut);
        }

        /** As {@link #nonFinite()} for weights still in training (train's note after the last epoch). */
        public static long nonFinite(float[]... weights) {
            long n = 0;
            for (float[] a : weights) {
                for (float x : a) {
                    if (!Float.isFinite(x)) {
                        n++;
                    }
                }
            }
            return n;
        }
    }

    /** What the evaluation settings are: every field resolved (from options, else the checkpoint). */
    public record Settings(NeuronSpec neuron, int T, Readout readout, PoissonEncoder.Method encoder, long encoderSeed,
                           int batch, int evalBatches, String backend, int threads) {
        public Settings {
            dev.spikestep.net.NetShape.checkT("T", T);
            if (batch < 1 || batch > 65_536) {
                throw new SpikestepException("--batch must be within [1, 65536], got " + batch);
            }
            if (evalBatches < 0) {
                throw new SpikestepException("--eval-batches must be >= 0 (0 = all), got " + evalBatches);
            }
            dev.spikestep.net.Parallel.requireThreads(threads);
            backend = Backends.check(backend);
        }
    }

    /**
     * Reads {@code fc1.weight} [hidden, nIn] and {@code fc_out.weight} [nOut, hidden]; a file with other tensors
     * is refused, as the notebook's strict {@code load_state_dict} refuses it (an {@code fc1.bias} ignored would
     * evaluate another network than the one that was trained).
     */
    public static Weights read(Path file) {
        Safetensors.Contents c = Safetensors.read(file);
        Safetensors.Tensor w1 = c.tensors().get(Checkpoints.W1);
        Safetensors.Tensor wOut = c.tensors().get(Checkpoints.W_OUT);
        String kind = c.metadata().getOrDefault("kind", "");
        if (kind.equals("adam-state")) {
            throw new SpikestepException(file + " is the optimizer state that train saves beside a checkpoint; give the "
                    + "checkpoint itself (epoch-NNN.safetensors, without .state)");
        }
        if (kind.equals("rstdp")) {
            throw new SpikestepException(file + " is an R-STDP checkpoint (fc_in.weight); eval evaluates the "
                    + "surrogate-gradient network of train (fc1.weight), and rstdp's own test pass reports R-STDP accuracy");
        }
        if (w1 == null || wOut == null) {
            throw new SpikestepException(file + ": no tensor '" + (w1 == null ? Checkpoints.W1 : Checkpoints.W_OUT)
                    + "' (it has " + String.join(", ", c.tensors().keySet()) + "); expected the notebook's state_dict "
                    + "with fc1.weight [hidden, 784] and fc_out.weight [10, hidden]");
        }
        java.util.List<String> extra = c.tensors().keySet().stream()
                .filter(k -> !k.equals(Checkpoints.W1) && !k.equals(Checkpoints.W_OUT)).sorted().toList();
        if (!extra.isEmpty()) {
            throw new SpikestepException(file + ": tensors the notebook's network does not have: " + String.join(", ", extra)
                    + " (it is fc1.weight and fc_out.weight, without biases); a state_dict of another model?");
        }
        if (w1.shape().length != 2 || wOut.shape().length != 2 || wOut.shape()[1] != w1.shape()[0]) {
            throw new SpikestepException(file + ": fc1.weight " + java.util.Arrays.toString(w1.shape()) + " and fc_out.weight "
                    + java.util.Arrays.toString(wOut.shape()) + " do not make a network (expected [hidden, in] and [out, hidden])");
        }
        String hidden = c.metadata().get("hidden");
        if (hidden != null && String.valueOf(c.metadata().get("format")).startsWith("spikestep-")
                && !hidden.equals(Integer.toString(w1.shape()[0]))) {
            throw new SpikestepException(file + ": its metadata says hidden " + hidden + " but fc1.weight is "
                    + java.util.Arrays.toString(w1.shape()) + " (a damaged or hand-edited checkpoint)");
        }
        return new Weights(file, w1.shape()[1], w1.shape()[0], wOut.shape()[0], w1.data(), wOut.data(), c.metadata());
    }

    /** Evaluates {@code w} under {@code s} on {@code test}. */
    public static Trainer.Evaluation evaluate(Weights w, Settings s, Dataset test) {
        if (test.pixels() != w.nIn() || test.numClasses() != w.nOut()) {
            throw new SpikestepException(w.file() + " is a " + w.nIn() + " -> " + w.nHidden() + " -> " + w.nOut()
                    + " network; dataset " + test.name() + " has " + test.pixels() + " pixels and " + test.numClasses()
                    + " classes");
        }
        NetShape shape = new NetShape(w.nIn(), w.nHidden(), w.nOut(), s.T(), s.batch());
        try (Network net = Backends.create(s.backend(), shape, s.neuron(), s.readout(), Adam.notebook(), s.threads())) {
            net.setWeightsTorchLayout(w.w1(), w.wOut());
            PoissonEncoder encoder = new PoissonEncoder(s.encoder(), s.neuron().dt());
            return Trainer.evaluate(net, encoder, test, s.encoderSeed(), s.evalBatches());
        }
    }
}
