package dev.spikestep.cli;

import dev.spikestep.SpikestepException;
import dev.spikestep.bench.BenchReport;
import dev.spikestep.bench.KernelBench;
import dev.spikestep.bench.Roofline;
import dev.spikestep.bench.Traffic;
import dev.spikestep.bench.TrainBench;
import dev.spikestep.data.Dataset;
import dev.spikestep.data.DatasetLocator;
import dev.spikestep.net.Backends;
import dev.spikestep.net.Parallel;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.simd.VectorKernels;
import dev.spikestep.simd.VectorSupport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Measure what each integrator costs per step and where the time of a training step goes.",
        description = {"kernels: the fused neuron forward and backward kernels alone, for every model x integrator, "
                + "at T x (batch * neurons): ns per neuron-step and achieved GB/s (cuda: also the share of the peak "
                + "bandwidth from the device attributes). step: full training steps of the SPEC section 5 network "
                + "on real batches, broken down by phase (encode, fc1, neuron forward, fc_out, readout/loss, neuron "
                + "backward, weight gradients, optimizer). Warm-up first, then repeats; median and p10-p90. "
                + "cpu: wall clock of whole calls; cuda: CUDA events, L2 flushed before each kernel repeat. "
                + "cpu: first the machine's own ceilings with the same threads (streaming read from DRAM and from "
                + "L2-sized buffers, DRAM read+write, vector adds on L1-resident data); kernels as %% of the DRAM "
                + "read+write ceiling, and each kernel's in-cache ns per neuron-step (all threads, each on its own "
                + "256 neurons, its data in L2: what the arithmetic costs), whether memory or that arithmetic bounds "
                + "it, and the %% of that floor it reaches; each step phase's unavoidable work (bytes or float adds counted from the step's "
                + "data) as achieved throughput and %% of the ceiling that bounds it (the roofline table). "
                + "With --out: rows appended to OUT/bench.csv and OUT/bench.jsonl (with git commit, device, driver, "
                + "JVM), charts kernels.png/.svg and step-phases.png/.svg and summary.md.", ""})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--backend", paramLabel = "cpu|cuda|auto", defaultValue = "cpu",
            description = "cpu, cuda or auto (default: ${DEFAULT-VALUE}).")
    String backend;

    @Mixin
    DeviceOption device;

    @Option(names = "--what", split = ",", defaultValue = "kernels,step",
            description = "What to time, comma-separated: kernels, step (default: ${DEFAULT-VALUE}).")
    List<String> what;

    @Option(names = {"--model", "--models"}, split = ",", defaultValue = "lif,izh",
            description = "Models, comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Mixin
    NeuronOptions.Lists neuron;

    @Option(names = "--T", paramLabel = "STEPS", defaultValue = "50", description = "Time steps (default: ${DEFAULT-VALUE}).")
    int T;

    @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--neurons", defaultValue = "256",
            description = "Neurons per sample: the kernels' N and the step's hidden layer (default: ${DEFAULT-VALUE}).")
    int neurons;

    @Option(names = "--repeats", defaultValue = "20", description = "Timed calls or steps (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--warmup", defaultValue = "20", description = "Untimed calls or steps first, at least (default: ${DEFAULT-VALUE}); on the CPU they go on until the JVM's compiler and GC threads have used under 5%% of a core for 0.25 s (15 s at most), as on 2 cores C2 went on compiling for about 33 training steps of izh rk4 (benchmarks/RESULTS.md). 0: none, cold.")
    int warmup;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads, 0 = all cores (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--ceilings", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "cpu: measure this machine's ceilings first (DRAM and L2 read, DRAM read+write, L1 adds; "
                    + "about 3 s, 256 MiB) and report every kernel and phase as a share of one "
                    + "(default: ${DEFAULT-VALUE}; --no-ceilings skips them).")
    boolean ceilingsWanted;

    @Option(names = "--profile",
            description = "cuda: make every timed region a cuProfilerStart/Stop range for nsys/ncu (see README).")
    boolean profile;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the inputs and weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dataset", paramLabel = "mnist|mnist-sample|fashion", defaultValue = "mnist-sample",
            description = "Dataset of the step (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "data", description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--out", paramLabel = "DIR", description = "Append rows to OUT/bench.csv and OUT/bench.jsonl; write charts and summary.md.")
    Path out;

    @Spec
    CommandSpec spec;

    private static final String CUDA_BENCH = "dev.spikestep.cuda.CudaBench";

    @Override
    public Integer call() {
        Set<String> parts = new LinkedHashSet<>();
        for (String w : what) {
            String t = w.trim();
            if (!t.equals("kernels") && !t.equals("step")) {
                throw new SpikestepException("unknown --what " + t + ": use kernels, step or both (kernels,step)");
            }
            parts.add(t);
        }
        if (parts.isEmpty()) {
            throw new SpikestepException("--what lists nothing: use kernels, step or both (kernels,step)");
        }
        List<NeuronSpec> specs = specs();
        KernelBench.checkShape(T, batch, neurons, warmup, repeats);
        Backends.threadCount(backend, threads); // checked before the long measurement starts
        dev.spikestep.bench.JitQuiet.maxWaitNanos();
        if (parts.contains("step")) {
            DatasetLocator.checkName(dataset);
        } else {
            Main.refuseUnused(spec, "--what step (its batches)", "--what kernels", "--dataset", "--data");
        }
        String b = Backends.check(backend);
        boolean cuda = b.equals(Backends.CUDA);
        if (profile && !cuda) {
            throw new SpikestepException("--profile marks CUDA profiler ranges for nsys/ncu: it needs --backend cuda");
        }
        return device.run(b, () -> {
            if (out == null) {
                return measure(parts, specs, b, cuda);
            }
            // One bench per --out (two would interleave their rows, and share the cores they time)
            try (dev.spikestep.io.OutLock lock = dev.spikestep.io.OutLock.acquire(out, "bench")) {
                return measure(parts, specs, b, cuda);
            }
        });
    }

    private Integer measure(Set<String> parts, List<NeuronSpec> specs, String b, boolean cuda) {
        if (out != null) {
            BenchReport.checkOut(out); // after --device's check, before anything is measured
        }
        Dataset train = parts.contains("step") ? DatasetLocator.load(data, DatasetLocator.checkName(dataset)).train() : null;
        if (train != null) {
            TrainBench.check(train, batch, neurons, warmup, repeats); // before the ceilings and kernels, not after them
        }
        int nThreads = Parallel.threadCount(threads);
        String vector = VectorSupport.ENABLED ? "Vector API " + VectorKernels.lanes() + " float lanes" + VectorSupport.caveats()
                : "scalar";
        BenchReport.Env env;
        if (cuda) {
            String[] dev = (String[]) cudaBench("environment", new Class<?>[0]);
            env = BenchReport.Env.here(b, dev[0], dev[1], vector);
        } else {
            env = BenchReport.Env.here(b, BenchReport.cpuModel() + ", " + nThreads + " threads", "", vector);
        }
        System.out.printf(Locale.ROOT, "bench: %s, %s%s; %s; commit %s%n", b, env.device(),
                env.driver().isEmpty() ? "" : ", " + env.driver(), env.jvm() + ", " + vector, env.commit());
        if (BenchReport.emulated(env)) {
            System.out.println(BenchReport.EMULATED_NOTE);
        }
        System.out.printf(Locale.ROOT, "T %d, batch %d, neurons %d, warm-up %d%s, repeats %d%s%n%n", T, batch, neurons, warmup,
                warmup > 0 && !cuda ? " (then until the JIT is quiet)" : "", repeats, profile ? ", cuProfilerStart/Stop around each timed region" : "");
        List<Map<String, Object>> rows = new ArrayList<>();
        // Rows go to bench.csv/jsonl as each part is measured, so a kill keeps what was measured.
        java.util.function.Consumer<List<Map<String, Object>>> keep = r -> {
            rows.addAll(r);
            if (out != null) {
                BenchReport.append(out, r);
            }
        };
        // The CPU's own ceilings first, with the same threads: every later number is a share of one.
        Roofline.Ceilings ceilings = null;
        if (!cuda && ceilingsWanted) {
            System.out.println("ceilings of this machine (" + env.device() + ", " + vector + ")");
            ceilings = Roofline.measure(nThreads, 7);
            System.out.println(BenchReport.ceilingTable(ceilings));
            keep.accept(BenchReport.ceilingRows(ceilings, env));
        }
        List<KernelBench.Sample> ks = new ArrayList<>();
        List<TrainBench.Result> rs = new ArrayList<>();
        if (parts.contains("kernels")) {
            ks = cuda
                    ? castSamples(cudaBench("kernels", new Class<?>[] {List.class, int.class, int.class, int.class, int.class,
                        int.class, boolean.class, long.class}, specs, T, batch, neurons, warmup, repeats, profile, seed))
                    : KernelBench.cpu(specs, T, batch, neurons, nThreads, warmup, repeats, seed, List.of(Traffic.Pass.values()),
                        ceilings == null ? Double.NaN : ceilings.of(Roofline.Ceiling.DRAM_RW), true);
            System.out.println("fused neuron kernels (" + (cuda ? "CUDA events, L2 flushed" : "wall clock per call") + ")");
            System.out.println(BenchReport.kernelTable(ks));
            keep.accept(ks.stream().map(k -> BenchReport.kernelRow(k, env)).toList());
        }
        if (parts.contains("step")) {
            System.out.println("training step by phase (" + dataset + ", " + (cuda ? "CUDA events between phases"
                    : "wall clock") + ")");
            for (NeuronSpec spec : specs) {
                TrainBench.Result r = cuda
                        ? (TrainBench.Result) cudaBench("step", new Class<?>[] {Dataset.class, NeuronSpec.class, int.class,
                            int.class, int.class, int.class, int.class, boolean.class, long.class},
                            train, spec, T, batch, neurons, warmup, repeats, profile, seed)
                        : TrainBench.run(train, spec, T, batch, neurons, nThreads, warmup, repeats, seed);
                rs.add(r);
                keep.accept(BenchReport.stepRows(r, env, ceilings));
            }
            System.out.println(BenchReport.stepTable(rs));
            if (ceilings != null) {
                System.out.println("roofline of the step (work each phase must do, per step; achieved = work / median time)");
                System.out.println(BenchReport.rooflineTable(rs, ceilings));
            }
        }
        if (out != null) {
            List<Path> files = BenchReport.write(out, env, T, batch, neurons, ks, rs, rows, ceilings);
            System.out.println("wrote " + String.join(", ", files.stream().map(Path::toString).toList()));
        }
        return 0;
    }

    /** Every model x integrator x --substeps K asked for; --integrator a,b filters, and must fit each model. */
    List<NeuronSpec> specs() {
        List<NeuronSpec> out = new ArrayList<>();
        for (NeuronSpec s : specsAtK1()) {
            for (int k : new java.util.LinkedHashSet<>(neuron.substeps)) { // each K once
                out.add(s.withSubsteps(k));
            }
        }
        return out;
    }

    private List<NeuronSpec> specsAtK1() {
        // --integrator filters the pairs of every --model; each one listed must fit at least one model.
        List<String> modelNames = models.stream().map(String::trim).filter(m -> !m.isEmpty()).distinct().toList();
        List<String> integs = new ArrayList<>();
        if (neuron.integrator != null) {
            for (String s : neuron.integrator.split(",")) {
                if (!s.isBlank()) {
                    integs.add(Integrator.parse("integrator", s.trim(), modelNames).cliName());
                }
            }
            if (integs.isEmpty()) {
                throw new SpikestepException("--integrator '" + neuron.integrator + "' lists no integrator");
            }
        }
        if (modelNames.isEmpty()) {
            throw new SpikestepException("--model lists nothing: use lif, izh or both (lif,izh)");
        }
        neuron.checkApplies(modelNames);
        List<NeuronSpec> specs = new ArrayList<>();
        java.util.Set<String> used = new java.util.HashSet<>();
        for (String model : modelNames) {
            for (Integrator i : Integrator.forModel(model)) {
                if (integs.isEmpty() || integs.contains(i.cliName())) {
                    specs.add(neuron.build(model, i.cliName(), 1)); // a bad --dt or --tau fails here, with its own message
                    used.add(i.cliName());
                }
            }
        }
        for (String i : integs) {
            if (!used.contains(i)) {
                throw new SpikestepException("--integrator " + i + " does not apply to " + String.join(" or ", modelNames)
                        + " (" + Integrator.byModel(modelNames) + ")");
            }
        }
        return specs;
    }

    @SuppressWarnings("unchecked")
    private static List<KernelBench.Sample> castSamples(Object o) {
        return (List<KernelBench.Sample>) o;
    }

    /** Calls dev.spikestep.cuda.CudaBench reflectively, so that the CPU path never loads JCuda. */
    private static Object cudaBench(String method, Class<?>[] types, Object... args) {
        return Backends.callCuda(CUDA_BENCH, method, types, args);
    }
}
