package dev.spikestep.cli;

import dev.spikestep.bench.TrainBench;
import dev.spikestep.data.DatasetLocator;
import dev.spikestep.io.ResultsWriter;
import dev.spikestep.neuron.NeuronSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Measure training-step throughput and where the time of a step goes.",
        description = {"Times full training steps (encode, fc1, neuron scan, fc_out, readout and loss, BPTT, "
                + "Adam) of the SPEC section 5 network on real batches, after warm-up, one model at a time: "
                + "median seconds per step with the spread, samples per second, seconds per 60,000-sample "
                + "epoch, and the share of each phase. Results are appended to OUT/bench.jsonl.", ""})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--model", split = ",", defaultValue = "lif,izh",
            description = "Models to time, comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Mixin
    NeuronOptions neuron;

    @Option(names = "--T", defaultValue = "50", description = "Time steps (default: ${DEFAULT-VALUE}).")
    int T;

    @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--repeats", defaultValue = "20", description = "Timed steps (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--warmup", defaultValue = "5", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads, 0 = all cores (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--backend", defaultValue = "cpu", description = "Backend (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--dataset", defaultValue = "mnist-sample", description = "Dataset (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--data", defaultValue = "data", description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--out", description = "Append the results to OUT/bench.jsonl.")
    Path out;

    @Override
    public Integer call() {
        if (!backend.equals(dev.spikestep.net.Backends.CPU)) {
            throw new dev.spikestep.SpikestepException("bench --backend " + backend + " is not available in this build: "
                    + "it times the CPU backend (use --backend cpu; for the GPU see benchmarks/gpu-check.sh)");
        }
        int nThreads = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        DatasetLocator.Split split = DatasetLocator.load(data, DatasetLocator.checkName(dataset));
        System.out.printf(Locale.ROOT, "%-16s %5s %4s %5s %11s %11s %12s %14s%n", "model", "dt", "T", "batch",
                "median s", "min-max s", "samples/s", "s/60k epoch");
        for (String model : models) {
            NeuronSpec spec = neuron.build(model.trim());
            TrainBench.Result r = TrainBench.run(split.train(), spec, T, batch, nThreads, warmup, repeats, 0);
            System.out.printf(Locale.ROOT, "%-16s %5s %4d %5d %11.4f %5.3f-%5.3f %12.0f %14.1f%n",
                    spec.model() + "/" + spec.integrator().cliName(), spec.dt(), T, batch, r.medianStep(),
                    r.minStep(), r.maxStep(), r.samplesPerSecond(), r.secondsPer60kEpoch());
            double total = r.phaseSeconds().values().stream().mapToDouble(Double::doubleValue).sum();
            StringBuilder sb = new StringBuilder("    phases:");
            for (Map.Entry<String, Double> e : r.phaseSeconds().entrySet()) {
                sb.append(String.format(Locale.ROOT, " %s %.1f%%", e.getKey(), 100 * e.getValue() / total));
            }
            System.out.println(sb);
            if (out != null) {
                Map<String, Object> row = new java.util.LinkedHashMap<>(r.toMap());
                row.put("backend", backend);
                row.put("dataset", dataset);
                row.put("java", System.getProperty("java.version"));
                row.put("cores", Runtime.getRuntime().availableProcessors());
                ResultsWriter.appendJsonLine(out.resolve("bench.jsonl"), row);
            }
        }
        return 0;
    }
}
