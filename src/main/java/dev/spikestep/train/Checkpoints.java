package dev.spikestep.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spikestep.SpikestepException;
import dev.spikestep.io.Json;
import dev.spikestep.io.Safetensors;
import dev.spikestep.io.Safetensors.Tensor;
import dev.spikestep.net.AdamState;
import dev.spikestep.net.NetShape;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A surrogate-gradient run's checkpoints (SPEC section 10) in {@code OUT/checkpoints/<run-id>/}:
 * after every epoch {@code epoch-NNN.safetensors} (the weights in the notebook's {@code state_dict}
 * names and layout, the run's configuration in {@code __metadata__}) and, written just before it,
 * {@code epoch-NNN.state.safetensors} (Adam's moments and step, and the epochs so far). A
 * checkpoint is complete when both files exist; both are written atomically. The last {@code keep}
 * epochs and the best (highest test accuracy, first on ties) are kept; the optimizer state only
 * of the last, which is all a resume needs: the shuffle and the encoder are counter-based (SPEC 1),
 * functions of (seed, epoch, position), so the next epoch starts exactly where an uninterrupted run
 * would. An R-STDP run's checkpoints ({@link #saveWeights}) are the weights alone, the epochs so
 * far in their metadata. {@link #FINISHED} marks a run that has ended.
 */
public final class Checkpoints {
    public static final String FORMAT = "spikestep-1";
    public static final String W1 = "fc1.weight";
    public static final String W_OUT = "fc_out.weight";
    /** Written when a run has ended: the results.csv row it stands for. */
    public static final String FINISHED = "finished.csv";
    private static final ObjectMapper JSON = dev.spikestep.io.Json.MAPPER;
    private static final Pattern EPOCH_FILE = Pattern.compile("epoch-(\\d{3,})\\.safetensors");

    private final Path dir;
    private final int keep;

    /** @param keep how many of the latest epochs to keep besides the best; 0 keeps every epoch */
    public Checkpoints(Path dir, int keep) {
        if (keep < 0) {
            throw new SpikestepException("--keep-checkpoints must be >= 0 (0 = keep all), got " + keep);
        }
        this.dir = dir;
        this.keep = keep;
    }

    public Path dir() {
        return dir;
    }

    /** A complete checkpoint read back: what a resume continues from. */
    public record Saved(int epoch, Path file, float[] w1, float[] wOut, AdamState adam, List<EpochResult> history,
                        Map<String, String> metadata) {
    }

    /**
     * The options that decide what a run computes, as {@code __metadata__} strings in a fixed order.
     * Two runs with equal identities give the same weights epoch by epoch; {@code epochs} is not part
     * of it (a run may be continued for more epochs), nor are the backend and thread count.
     */
    public static Map<String, String> identity(TrainConfig cfg) {
        Map<String, String> m = new LinkedHashMap<>();
        NeuronSpec n = cfg.neuron();
        m.put("model", n.model());
        m.put("integrator", n.integrator().cliName());
        m.put("substeps", Integer.toString(n.substeps()));
        m.put("dt", num(n.dt()));
        if (n instanceof LifSpec l) {
            m.put("tau", num(l.tau()));
            m.put("v_th", num(l.vTh()));
            m.put("v_reset", num(l.vReset()));
            m.put("soft_reset", Boolean.toString(l.softReset()));
            m.put("decay_input", Boolean.toString(l.decayInput()));
        } else if (n instanceof IzhSpec z) {
            m.put("tau", num(z.tau()));
            m.put("v_th", num(z.vTh()));
            m.put("v_reset", num(z.vReset()));
            m.put("soft_reset", Boolean.toString(z.softReset()));
        }
        m.put("neuron", n.params());
        m.put("T", Integer.toString(cfg.T()));
        m.put("readout", cfg.readout().cliName());
        m.put("encoder", cfg.encoder().cliName());
        m.put("hidden", Integer.toString(cfg.hidden()));
        m.put("seed", Long.toString(cfg.seed()));
        m.put("batch", Integer.toString(cfg.batch()));
        m.put("lr", num(cfg.lr()));
        m.put("dataset", cfg.dataset());
        m.put("train_samples", Integer.toString(cfg.trainLimit()));
        m.put("eval_batches", Integer.toString(cfg.evalBatches()));
        return m;
    }

    /** {@code train}'s run id: readable (model, integrator, dt, T, readout, seed) and a hash of the whole identity. */
    public static String runId(TrainConfig cfg) {
        Map<String, String> id = identity(cfg);
        return String.format(Locale.ROOT, "%s-%s-dt%s-T%d-%s-seed%d-%s", id.get("model"), id.get("integrator"),
                id.get("dt"), cfg.T(), id.get("readout"), cfg.seed(), hash(id));
    }

    /** The first 8 hex digits of the SHA-256 of {@code key=value;} pairs: the tail of a run id. */
    public static String hash(Map<String, String> identity) {
        StringBuilder sb = new StringBuilder();
        identity.forEach((k, v) -> sb.append(k).append('=').append(v).append(';'));
        return dev.spikestep.io.Hashes.sha256Hex(sb.toString(), 8);
    }

    /** The options of {@code a} and {@code b} (identities or checkpoint metadata) that differ, as "--name a vs b". */
    public static List<String> differences(Map<String, String> want, Map<String, String> have) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : want.entrySet()) {
            if (e.getKey().equals("neuron")) {
                continue; // a summary of the keys compared one by one
            }
            String h = have.get(e.getKey());
            if (!e.getValue().equals(h)) {
                out.add(dev.spikestep.BadValueException.option(e.getKey()) + " " + e.getValue() + " (the checkpoint has " + (h == null ? "none" : h) + ")");
            }
        }
        return out;
    }


    private static String num(double d) {
        return Json.exact(d);
    }

    /** The mark of a run that has ended: the results.csv row it wrote. */
    public Path finishedFile() {
        return dir.resolve(FINISHED);
    }

    /** The finished mark's row, "" when the run has not ended. */
    public String finishedRow() {
        Path f = finishedFile();
        try {
            return Files.exists(f) ? Files.readString(f).trim() : "";
        } catch (IOException e) {
            throw new SpikestepException("cannot read " + f + ": " + SpikestepException.reason(e), e);
        }
    }

    /**
     * Ends the run: the finished mark first, holding the row, then the row appended to
     * {@code resultsFile}, so that a kill in between leaves a mark whose row {@link #restoreFinishedRow}
     * writes on the next start, never a row without its mark (which would be written twice).
     */
    public void finish(Path resultsFile, List<String> header, List<?> values) {
        dev.spikestep.io.ResultsWriter.replace(finishedFile(), dev.spikestep.io.ResultsWriter.csv(values) + "\n");
        dev.spikestep.io.ResultsWriter.appendCsvRow(resultsFile, header, values);
    }

    /** Appends the finished mark's row to {@code resultsFile} unless it is there already (a kill after the mark). */
    public void restoreFinishedRow(Path resultsFile, List<String> header) {
        String row = finishedRow();
        if (row.isEmpty()) {
            return;
        }
        try {
            String have = Files.exists(resultsFile) ? Files.readString(resultsFile) : "";
            if (!have.lines().anyMatch(row::equals)) {
                dev.spikestep.io.ResultsWriter.dropTornTail(resultsFile);
                boolean fresh = Files.exists(resultsFile) ? Files.readString(resultsFile).isEmpty() : true;
                dev.spikestep.io.ResultsWriter.appendText(resultsFile,
                        (fresh ? String.join(",", header) + "\n" : "") + row + "\n");
            }
        } catch (IOException e) {
            throw new SpikestepException("cannot read " + resultsFile + ": " + SpikestepException.reason(e), e);
        }
    }

    /** Removes the finished mark (a run continued for more epochs). */
    public void unfinish() {
        try {
            Files.deleteIfExists(finishedFile());
        } catch (IOException ex) {
            throw new SpikestepException("cannot update " + finishedFile() + ": " + ex.getMessage(), ex);
        }
    }

    /** Removes every checkpoint of the run (a run that must start over). */
    public void clear() {
        for (int e : epochs()) {
            try {
                Files.deleteIfExists(weightsFile(e));
                Files.deleteIfExists(stateFile(e));
            } catch (IOException ex) {
                throw new SpikestepException("cannot remove " + weightsFile(e) + ": " + ex.getMessage(), ex);
            }
        }
        unfinish();
    }

    /** The file of epoch {@code epoch}'s weights. */
    public Path weightsFile(int epoch) {
        return dir.resolve(String.format(Locale.ROOT, "epoch-%03d.safetensors", epoch));
    }

    Path stateFile(int epoch) {
        return dir.resolve(String.format(Locale.ROOT, "epoch-%03d.state.safetensors", epoch));
    }

    /** Epochs with a weights file, in order. */
    public List<Integer> epochs() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Set<Integer> out = new TreeSet<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(f -> {
                Matcher m = EPOCH_FILE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    out.add(Integer.parseInt(m.group(1)));
                }
            });
        } catch (IOException e) {
            throw new SpikestepException("cannot list " + dir + ": " + SpikestepException.reason(e), e);
        }
        return new ArrayList<>(out);
    }

    /**
     * Saves epoch {@code epoch}: the optimizer state first, then the weights (whose presence marks the
     * checkpoint complete), then prunes. {@code history} holds every epoch so far, this one last.
     */
    public Path save(TrainConfig cfg, NetShape shape, float[] w1, float[] wOut, AdamState adam,
                     List<EpochResult> history, double secondsSoFar) {
        int epoch = history.get(history.size() - 1).epoch();
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch " + epoch);
        }
        int nIn = shape.nIn();
        int nH = shape.nHidden();
        int nOut = shape.nOut();
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put(W1 + ".exp_avg", new Tensor(new int[] {nH, nIn}, adam.m1()));
        state.put(W1 + ".exp_avg_sq", new Tensor(new int[] {nH, nIn}, adam.v1()));
        state.put(W_OUT + ".exp_avg", new Tensor(new int[] {nOut, nH}, adam.mOut()));
        state.put(W_OUT + ".exp_avg_sq", new Tensor(new int[] {nOut, nH}, adam.vOut()));
        Map<String, String> stateMeta = new LinkedHashMap<>();
        stateMeta.put("format", FORMAT);
        stateMeta.put("kind", "adam-state");
        stateMeta.put("epoch", Integer.toString(epoch));
        stateMeta.put("adam_step", Integer.toString(adam.step()));
        // Where the next epoch starts: its shuffle and encoder streams are keyed by these alone.
        stateMeta.put("next_epoch", Integer.toString(epoch + 1));
        stateMeta.put("next_train_encoder_seed", Long.toString(cfg.trainEncoderSeed(epoch + 1)));
        stateMeta.put("next_batch", "0");
        stateMeta.put("seconds", Double.toString(secondsSoFar));
        stateMeta.put("history", json(history));
        Safetensors.write(stateFile(epoch), state, stateMeta);

        Map<String, Tensor> weights = new LinkedHashMap<>();
        weights.put(W1, new Tensor(new int[] {nH, nIn}, w1));
        weights.put(W_OUT, new Tensor(new int[] {nOut, nH}, wOut));
        EpochResult r = history.get(history.size() - 1);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("kind", "surrogate");
        meta.putAll(identity(cfg));
        meta.put("epochs", Integer.toString(cfg.epochs()));
        meta.put("test_acc", Double.toString(r.testAcc()));
        meta.put("loss", Double.toString(r.loss()));
        meta.put("mean_spike_rate", Double.toString(r.spikeRate()));
        return saveWeights(epoch, weights, meta, best(history).epoch());
    }

    /**
     * Writes epoch {@code epoch}'s weights with {@code meta} (plus {@code format}, {@code epoch} and
     * {@code commit}), then prunes the epochs that are neither among the last {@code keep} nor
     * {@code bestEpoch}, and every optimizer state but this epoch's. Any network's checkpoints
     * (the R-STDP one's too) are written here.
     */
    public Path saveWeights(int epoch, Map<String, Tensor> weights, Map<String, String> meta, int bestEpoch) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.putAll(meta);
        m.put("epoch", Integer.toString(epoch));
        m.put("commit", dev.spikestep.BuildInfo.commit());
        Path file = weightsFile(epoch);
        Safetensors.write(file, weights, m);
        prune(epoch, bestEpoch);
        return file;
    }

    /** Deletes what is not kept: weights outside the last {@code keep} and the best; every state but the last. */
    private void prune(int last, int best) {
        for (int e : epochs()) {
            boolean kept = keep == 0 || e > last - keep || e == best;
            try {
                if (!kept) {
                    Files.deleteIfExists(weightsFile(e));
                }
                if (e != last) {
                    Files.deleteIfExists(stateFile(e));
                }
            } catch (IOException ex) {
                throw new SpikestepException("cannot remove an old checkpoint in " + dir + ": " + ex.getMessage(), ex);
            }
        }
    }

    /** The epoch of highest test accuracy, the first on ties. */
    public static EpochResult best(List<EpochResult> history) {
        EpochResult best = history.get(0);
        for (EpochResult r : history) {
            if (r.testAcc() > best.testAcc()) {
                best = r;
            }
        }
        return best;
    }

    /** The last complete checkpoint (weights and optimizer state both readable), if any. */
    public Optional<Saved> lastComplete(NetShape shape) {
        List<Integer> es = epochs();
        for (int i = es.size() - 1; i >= 0; i--) {
            int e = es.get(i);
            if (!Files.exists(stateFile(e))) {
                continue; // an older epoch kept as the best: no optimizer state to continue from
            }
            Path wf = weightsFile(e);
            Safetensors.Contents w = Safetensors.read(wf);
            Safetensors.Contents s = Safetensors.read(stateFile(e));
            int nIn = shape.nIn();
            int nH = shape.nHidden();
            int nOut = shape.nOut();
            int adamStep;
            try {
                adamStep = Meta.integer(s.metadata(), "adam_step", null);
            } catch (SpikestepException ex) {
                throw new SpikestepException(stateFile(e) + ": " + ex.getMessage() + " (not a state file of train?)", ex);
            }
            AdamState adam = new AdamState(adamStep,
                    s.require(stateFile(e), W1 + ".exp_avg", nH, nIn), s.require(stateFile(e), W1 + ".exp_avg_sq", nH, nIn),
                    s.require(stateFile(e), W_OUT + ".exp_avg", nOut, nH),
                    s.require(stateFile(e), W_OUT + ".exp_avg_sq", nOut, nH));
            List<EpochResult> history;
            try {
                history = JSON.readValue(s.metadata().get("history"), new TypeReference<List<EpochResult>>() { });
            } catch (JsonProcessingException | IllegalArgumentException ex) {
                throw new SpikestepException(stateFile(e) + ": unreadable epoch history (" + ex.getMessage() + ")");
            }
            // Epochs 0..e, one each, in order: anything else would resume with a wrong record of the run.
            boolean ordered = history != null && history.size() == e + 1;
            for (int k = 0; ordered && k <= e; k++) {
                ordered = history.get(k) != null && history.get(k).epoch() == k;
            }
            if (!ordered) {
                throw new SpikestepException(stateFile(e) + ": its epoch history does not hold epochs 0.." + e
                        + " (it has " + (history == null ? 0 : history.size()) + " entries): the file is damaged; "
                        + "train the run again into another --out");
            }
            Map<String, String> meta = new LinkedHashMap<>(w.metadata());
            meta.put("seconds", s.metadata().getOrDefault("seconds", "0"));
            return Optional.of(new Saved(e, wf, w.require(wf, W1, nH, nIn), w.require(wf, W_OUT, nOut, nH), adam,
                    history, meta));
        }
        return Optional.empty();
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The neuron a checkpoint's metadata describes (its model's defaults where a key is absent). */
    public static NeuronSpec neuron(Map<String, String> meta) {
        String model = meta.getOrDefault("model", "lif");
        String integ = meta.get("integrator");
        return NeuronSpec.of(model, integ == null ? null : Integrator.parse("integrator", integ, List.of(model)),
                Meta.number(meta, "dt", "1"), Meta.number(meta, "tau", "2"),
                Meta.single(meta, "v_th", "1"), Meta.single(meta, "v_reset", "0"),
                Meta.bool(meta, "soft_reset", "false"),
                Meta.bool(meta, "decay_input", "true"),
                Meta.integer(meta, "substeps", "1"));
    }
}
