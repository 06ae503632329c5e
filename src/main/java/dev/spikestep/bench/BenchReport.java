package dev.spikestep.bench;

import dev.spikestep.SpikestepException;
import dev.spikestep.io.ResultsWriter;
import dev.spikestep.net.PhaseTimes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code spikestep bench} prints and writes: a terminal table, rows appended to
 * {@code bench.csv} and {@code bench.jsonl} (one schema for both; every row carries the environment:
 * git commit, device, driver, JVM, cores, vector lanes), and, replaced on every run, charts of the
 * cost per neuron-step by integrator and of a training step by phase (XChart PNG + SVG, as the sweep
 * report draws them) with {@code summary.md} beside them. On the CPU the machine's ceilings
 * ({@link Roofline}) come first, as rows of kind {@code ceiling}, and every phase row carries its
 * work, achieved throughput and share of the ceiling that bounds it.
 */
public final class BenchReport {
    /** The columns of bench.csv, also the keys of every bench.jsonl object, in order. */
    public static final List<String> COLUMNS = List.of("kind", "backend", "model", "integrator", "substeps", "dt", "T", "batch",
            "neurons", "pass", "threads", "repeats", "median_ms", "p10_ms", "p90_ms", "min_ms", "max_ms",
            "ns_per_neuron_step", "bytes_per_call", "gb_per_s", "peak_gb_per_s", "pct_of_peak", "share_pct",
            "samples_per_s", "s_per_60k_epoch", "device", "driver", "jvm", "cores", "vector", "commit", "timestamp",
            "work_per_step", "work_unit", "achieved_per_s", "ceiling", "ceiling_per_s", "pct_of_ceiling",
            "in_cache_ns_per_neuron_step", "bound", "pct_of_floor", "alloc_bytes_per_call");

    /** Where the numbers were measured. {@code driver} is empty on the CPU. */
    public record Env(String backend, String device, String driver, String jvm, int cores, String vector, String commit,
                      String timestamp) {
        /** This JVM and machine; the device and driver come from the backend. */
        public static Env here(String backend, String device, String driver, String vector) {
            return new Env(backend, device, driver, System.getProperty("java.vm.name") + " "
                    + System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), vector,
                    dev.spikestep.BuildInfo.commit(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        }
    }

    private BenchReport() {
    }

    /** The CPU model from /proc/cpuinfo, else the architecture. */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    // ------------------------------------------------------------------ rows

    private static Map<String, Object> base(Env env, String kind, String model, String integrator, int substeps, double dt, int T,
                                            int batch, int neurons, String pass, int threads, Stats s) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (String c : COLUMNS) {
            r.put(c, null);
        }
        r.put("kind", kind);
        r.put("backend", env.backend());
        r.put("model", model);
        r.put("integrator", integrator);
        r.put("substeps", substeps);
        r.put("dt", dt);
        r.put("T", T);
        r.put("batch", batch);
        r.put("neurons", neurons);
        r.put("pass", pass);
        r.put("threads", threads);
        r.put("repeats", s.n());
        Stats ms = s.scaled(1e3);
        r.put("median_ms", ms.median());
        r.put("p10_ms", ms.p10());
        r.put("p90_ms", ms.p90());
        r.put("min_ms", ms.min());
        r.put("max_ms", ms.max());
        r.put("device", env.device());
        r.put("driver", env.driver());
        r.put("jvm", env.jvm());
        r.put("cores", env.cores());
        r.put("vector", env.vector());
        r.put("commit", env.commit());
        r.put("timestamp", env.timestamp());
        return r;
    }

    /** A fused-kernel row: ns per neuron-step, bytes per call, GB/s and (GPU) its share of the peak. */
    public static Map<String, Object> kernelRow(KernelBench.Sample k, Env env) {
        Map<String, Object> r = base(env, "kernel", k.neuron().model(), k.neuron().integrator().cliName(), k.neuron().substeps(),
                k.neuron().dt(),
                k.T(), k.batch(), k.neurons(), k.pass().label(), k.threads(), k.seconds());
        r.put("ns_per_neuron_step", k.nsPerNeuronStep());
        r.put("bytes_per_call", k.bytesPerCall());
        r.put("gb_per_s", k.gbPerSecond());
        r.put("peak_gb_per_s", finiteOrNull(k.peakBytesPerSecond() / 1e9));
        r.put("pct_of_peak", finiteOrNull(100 * k.fractionOfPeak()));
        r.put("in_cache_ns_per_neuron_step", finiteOrNull(k.inCacheNsPerNeuronStep()));
        r.put("bound", k.bound().isEmpty() ? null : k.bound());
        r.put("pct_of_floor", finiteOrNull(100 * k.fractionOfFloor()));
        r.put("alloc_bytes_per_call", finiteOrNull(k.allocBytesPerCall()));
        return r;
    }

    /** A training-step row followed by one row per phase (pass = the phase's label), without a roofline. */
    public static List<Map<String, Object>> stepRows(TrainBench.Result res, Env env) {
        return stepRows(res, env, null);
    }

    /**
     * A training-step row followed by one row per phase; with {@code ceilings} (and the result's
     * counts) each phase row also has its work per step, achieved throughput and % of its ceiling.
     */
    public static List<Map<String, Object>> stepRows(TrainBench.Result res, Env env, Roofline.Ceilings ceilings) {
        List<Map<String, Object>> rows = new ArrayList<>();
        String model = res.neuron().model();
        String integ = res.neuron().integrator().cliName();
        long neuronSteps = (long) res.T() * res.batch() * res.hidden();
        Map<String, Object> step = base(env, "step", model, integ, res.neuron().substeps(), res.neuron().dt(), res.T(), res.batch(), res.hidden(),
                "step", res.threads(), res.step());
        step.put("ns_per_neuron_step", res.step().median() * 1e9 / neuronSteps);
        step.put("share_pct", 100.0);
        step.put("samples_per_s", res.samplesPerSecond());
        step.put("s_per_60k_epoch", res.secondsPer60kEpoch());
        step.put("alloc_bytes_per_call", finiteOrNull(res.allocBytesPerStep()));
        rows.add(step);
        for (String phase : res.phaseSeconds().keySet()) {
            Map<String, Object> p = base(env, "phase", model, integ, res.neuron().substeps(), res.neuron().dt(), res.T(), res.batch(),
                    res.hidden(), phase, res.threads(), res.phase(phase));
            p.put("share_pct", 100 * res.share(phase));
            if (ceilings != null && res.counts() != null) {
                Roofline.Work w = Roofline.work(phaseOf(phase), res.counts());
                double achieved = w.amount() / res.phase(phase).median();
                p.put("work_per_step", w.amount());
                p.put("work_unit", w.ceiling().unit());
                p.put("achieved_per_s", finiteOrNull(achieved));
                p.put("ceiling", w.ceiling().label());
                p.put("ceiling_per_s", ceilings.of(w.ceiling()));
                p.put("pct_of_ceiling", finiteOrNull(100 * achieved / ceilings.of(w.ceiling())));
            }
            rows.add(p);
        }
        return rows;
    }

    /** One row per measured ceiling (kind {@code ceiling}, pass = its name). */
    public static List<Map<String, Object>> ceilingRows(Roofline.Ceilings c, Env env) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Roofline.Ceiling k : Roofline.Ceiling.values()) {
            Map<String, Object> r = base(env, "ceiling", null, null, 0, Double.NaN, 0, 0, 0, k.label(), c.threads(),
                    c.seconds().get(k));
            r.put("substeps", null);
            r.put("dt", null);
            r.put("T", null);
            r.put("batch", null);
            r.put("neurons", null);
            r.put("work_unit", k.unit());
            r.put("achieved_per_s", c.of(k));
            r.put("ceiling", k.label());
            r.put("ceiling_per_s", c.of(k));
            r.put("pct_of_ceiling", 100.0);
            rows.add(r);
        }
        return rows;
    }

    static PhaseTimes.Phase phaseOf(String label) {
        for (PhaseTimes.Phase p : PhaseTimes.Phase.values()) {
            if (p.label().equals(label)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no phase " + label);
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** A value as bench.csv writes it: empty for null and non-finite numbers. */
    static Object csvCell(Object v) {
        if (v == null || (v instanceof Double d && !Double.isFinite(d))) {
            return "";
        }
        return v;
    }

    public static String csvHeader() {
        return String.join(",", COLUMNS);
    }

    /** A row's bench.csv cells, in COLUMNS' order. */
    static List<Object> csvCells(Map<String, Object> row) {
        return COLUMNS.stream().map(c -> csvCell(row.get(c))).toList();
    }

    /**
     * Checks {@code --out} before any measurement (a bench takes minutes): a directory that can be
     * created, whose bench.csv has these columns and whose bench.jsonl is not in the way, so that
     * neither a bad directory nor half of the rows is found out at the end.
     */
    public static void checkOut(Path outDir) {
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new SpikestepException("--out " + outDir + " is a file, not a directory");
        }
        mkdirs(outDir);
        if (!Files.isWritable(outDir)) {
            throw new SpikestepException("cannot write to " + outDir + ": permission denied");
        }
        ResultsWriter.requireHeader(outDir.resolve("bench.csv"), COLUMNS);
        dev.spikestep.io.AtomicFiles.removeOrphans(outDir); // the temporary charts of a bench killed while drawing
        for (String name : List.of("bench.jsonl", "summary.md", "kernels.png", "kernels.svg", "step-phases.png",
                "step-phases.svg")) {
            if (Files.isDirectory(outDir.resolve(name))) {
                throw new SpikestepException(outDir.resolve(name) + " is a directory, not a file; choose another "
                        + "--out directory or move it away");
            }
        }
    }

    /** Appends the rows to OUT/bench.csv and OUT/bench.jsonl (fsync'd, the CSV header checked). */
    public static void append(Path outDir, List<Map<String, Object>> rows) {
        mkdirs(outDir);
        for (Map<String, Object> row : rows) {
            ResultsWriter.appendCsvRow(outDir.resolve("bench.csv"), COLUMNS, csvCells(row));
            ResultsWriter.appendJsonLine(outDir.resolve("bench.jsonl"), row);
        }
    }

    // ------------------------------------------------------------------ terminal and Markdown

    /**
     * The kernel table: one line per neuron x integrator x pass; on the CPU with the in-cache time
     * per neuron-step, what bounds the pass (memory or compute) and the share of that floor.
     */
    public static String kernelTable(List<KernelBench.Sample> ks) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-16s %-8s %10s %19s %14s %9s %7s %9s %-7s %7s %10s%n", "model/integrator",
                "pass", "median ms", "p10-p90 ms", "ns/neuron-step", "GB/s", "% peak", "in-cache", "bound", "% floor",
                "alloc/call"));
        for (KernelBench.Sample k : ks) {
            Stats ms = k.seconds().scaled(1e3);
            sb.append(String.format(Locale.ROOT, "%-16s %-8s %10.4f %9.4f-%-9.4f %14.4f %9.2f %7s %9s %-7s %7s %10s%n",
                    name(k.neuron()), k.pass().label(), ms.median(), ms.p10(), ms.p90(), k.nsPerNeuronStep(),
                    k.gbPerSecond(), orDash("%.1f", 100 * k.fractionOfPeak()), orDash("%.4f", k.inCacheNsPerNeuronStep()),
                    k.bound().isEmpty() ? "-" : k.bound(), orDash("%.1f", 100 * k.fractionOfFloor()),
                    heapBytes(k.allocBytesPerCall())));
        }
        return sb.toString();
    }

    /** Heap bytes for the tables: B, KB, MB (powers of 1000), "-" where not counted. */
    static String heapBytes(double b) {
        if (!Double.isFinite(b)) {
            return "-";
        }
        return b < 1e3 ? String.format(Locale.ROOT, "%.0f B", b)
                : b < 1e6 ? String.format(Locale.ROOT, "%.1f KB", b / 1e3) : String.format(Locale.ROOT, "%.1f MB", b / 1e6);
    }

    private static String orDash(String format, double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "-";
    }

    /** The step table: one line per model/integrator, then its phases with their share. */
    public static String stepTable(List<TrainBench.Result> rs) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-16s %13s %19s %10s %12s %10s%n", "model/integrator", "median ms/step",
                "p10-p90 ms", "samples/s", "s/60k epoch", "heap/step"));
        for (TrainBench.Result r : rs) {
            Stats ms = r.step().scaled(1e3);
            sb.append(String.format(Locale.ROOT, "%-16s %13.2f %9.2f-%-9.2f %10.0f %12.1f %10s%n", name(r.neuron()), ms.median(),
                    ms.p10(), ms.p90(), r.samplesPerSecond(), r.secondsPer60kEpoch(), heapBytes(r.allocBytesPerStep())));
            for (String phase : r.phaseSeconds().keySet()) {
                Stats p = r.phase(phase).scaled(1e3);
                sb.append(String.format(Locale.ROOT, "    %-18s %9.3f ms  (p10-p90 %.3f-%.3f)  %5.1f%%%n", phase, p.median(),
                        p.p10(), p.p90(), 100 * r.share(phase)));
            }
        }
        return sb.toString();
    }

    /** The ceilings, one per line, with how each was measured. */
    public static String ceilingTable(Roofline.Ceilings c) {
        StringBuilder sb = new StringBuilder();
        for (Roofline.Ceiling k : Roofline.Ceiling.values()) {
            sb.append(String.format(Locale.ROOT, "%-10s %15s   %s%n", k.label(), Roofline.rate(c.of(k), k.unit()), k.how()));
        }
        return sb.toString();
    }

    /** One line of the roofline: a phase of one result against its ceiling. */
    record RoofLine(String name, String phase, double ms, Roofline.Work work, double achievedPerSecond, double pct) {
    }

    /** The roofline lines of every result that has counts, phases in execution order. */
    static List<RoofLine> roofLines(List<TrainBench.Result> rs, Roofline.Ceilings c) {
        List<RoofLine> lines = new ArrayList<>();
        for (TrainBench.Result r : rs) {
            if (r.counts() == null) {
                continue;
            }
            for (String phase : r.phaseSeconds().keySet()) {
                Roofline.Work w = Roofline.work(phaseOf(phase), r.counts());
                double sec = r.phase(phase).median();
                double achieved = w.amount() / sec;
                lines.add(new RoofLine(name(r.neuron()), phase, sec * 1e3, w, achieved, 100 * achieved / c.of(w.ceiling())));
            }
        }
        return lines;
    }

    /** Per result and phase: the work of a step, the achieved throughput and the % of its ceiling. */
    public static String rooflineTable(List<TrainBench.Result> rs, Roofline.Ceilings c) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-16s %-18s %10s %14s %15s %-10s %7s%n", "model/integrator", "phase",
                "median ms", "work/step", "achieved", "ceiling", "% ceil"));
        for (RoofLine l : roofLines(rs, c)) {
            sb.append(String.format(Locale.ROOT, "%-16s %-18s %10.3f %14s %15s %-10s %6.1f%%%n", l.name(), l.phase(), l.ms(),
                    Roofline.amount(l.work().amount(), l.work().ceiling().unit()),
                    Roofline.rate(l.achievedPerSecond(), l.work().ceiling().unit()), l.work().ceiling().label(), l.pct()));
        }
        return sb.toString();
    }

    static String name(dev.spikestep.neuron.NeuronSpec n) {
        return n.model() + "/" + n.integrator().cliName() + (n.substeps() > 1 ? " x" + n.substeps() : "");
    }

    /** What a run on the emulated CUDA driver says in the terminal and in summary.md. */
    public static final String EMULATED_NOTE = "EMULATED: the device is Spikestep's emulated CUDA driver on the CPU; "
            + "CUDA events are timed by the host clock, so these timings say nothing about a GPU";

    /** Whether the timings come from the emulated CUDA driver (its device name says so). */
    public static boolean emulated(Env env) {
        return env.device().contains("emulated");
    }

    /** summary.md without ceilings (the CUDA bench). */
    public static String markdown(Env env, int T, int batch, int neurons, List<KernelBench.Sample> ks,
                                  List<TrainBench.Result> rs) {
        return markdown(env, T, batch, neurons, ks, rs, null);
    }

    /** summary.md: the environment, the ceilings and the tables in Markdown (spikingjelly's benchmark output). */
    public static String markdown(Env env, int T, int batch, int neurons, List<KernelBench.Sample> ks,
                                  List<TrainBench.Result> rs, Roofline.Ceilings ceilings) {
        StringBuilder sb = new StringBuilder("# spikestep bench\n\n");
        sb.append("- backend: ").append(env.backend()).append("\n- device: ").append(env.device());
        if (!env.driver().isEmpty()) {
            sb.append("\n- driver: ").append(env.driver());
        }
        sb.append("\n- jvm: ").append(env.jvm()).append(", ").append(env.cores()).append(" cores, ").append(env.vector())
                .append("\n- commit: ").append(env.commit()).append("\n- date: ").append(env.timestamp()).append("\n\n");
        if (emulated(env)) {
            sb.append("**").append(EMULATED_NOTE).append(".**\n\n");
        }
        if (ceilings != null) {
            sb.append(String.format(Locale.ROOT, "## Ceilings of this machine, %d threads%n%n", ceilings.threads()));
            sb.append("| ceiling | measured | how |\n|---|---|---|\n");
            for (Roofline.Ceiling k : Roofline.Ceiling.values()) {
                sb.append("| ").append(k.label()).append(" | ").append(Roofline.rate(ceilings.of(k), k.unit())).append(" | ")
                        .append(k.how()).append(" |\n");
            }
            sb.append("\nKernel rows: % of peak is of dram-rw; in-cache is the kernel's ns per neuron-step with its data in L2 "
                    + "(all threads, each on its own " + KernelBench.IN_CACHE_NEURONS + " neurons); the floor is the longer of "
                    + "the bytes at dram-rw and that arithmetic, and bound says which; heap per call is what the timed calls "
                    + "allocated, all threads: the kernels' scratch rows, a few floats per neuron; many times that is vectors "
                    + "boxed, a call C2 left out of a vector loop.\n\n");
        }
        if (!ks.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "## Fused neuron kernels, T x B x N = %d x %d x %d%n%n", T, batch, neurons));
            sb.append("| model/integrator | pass | median ms | p10-p90 ms | ns/neuron-step | GB/s | % of peak | in-cache ns "
                    + "| bound | % of floor | heap per call |\n");
            sb.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (KernelBench.Sample k : ks) {
                Stats ms = k.seconds().scaled(1e3);
                sb.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %.4f-%.4f | %.4f | %.2f | %s | %s | %s | %s | %s |%n",
                        name(k.neuron()), k.pass().label(), ms.median(), ms.p10(), ms.p90(), k.nsPerNeuronStep(),
                        k.gbPerSecond(), orDash("%.1f", 100 * k.fractionOfPeak()), orDash("%.4f", k.inCacheNsPerNeuronStep()),
                        k.bound().isEmpty() ? "-" : k.bound(), orDash("%.1f", 100 * k.fractionOfFloor()),
                        heapBytes(k.allocBytesPerCall())));
            }
            sb.append("\n![ns per neuron-step](kernels.png)\n\n");
        }
        if (!rs.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "## Training step, T %d, batch %d, %d hidden neurons%n%n", T, batch,
                    rs.get(0).hidden()));
            sb.append("| model/integrator | median ms/step | p10-p90 ms | samples/s | s per 60k epoch | heap per step |");
            for (PhaseTimes.Phase p : PhaseTimes.Phase.values()) {
                sb.append(' ').append(p.label()).append(" |");
            }
            sb.append("\n|---|---|---|---|---|---|").append("---|".repeat(PhaseTimes.Phase.values().length)).append('\n');
            for (TrainBench.Result r : rs) {
                Stats ms = r.step().scaled(1e3);
                sb.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f-%.2f | %.0f | %.1f | %s |", name(r.neuron()), ms.median(),
                        ms.p10(), ms.p90(), r.samplesPerSecond(), r.secondsPer60kEpoch(), heapBytes(r.allocBytesPerStep())));
                for (String phase : r.phaseSeconds().keySet()) {
                    sb.append(String.format(Locale.ROOT, " %.1f%% |", 100 * r.share(phase)));
                }
                sb.append('\n');
            }
            sb.append("\nPhase columns: mean share of a step.\n\n![training step by phase](step-phases.png)\n");
            if (ceilings != null && rs.stream().anyMatch(r -> r.counts() != null)) {
                sb.append("\n## Roofline of the step\n\n");
                sb.append("Each phase's unavoidable work per step (bytes it must move, or float adds it must do, ")
                        .append("counted from the step's data), its median time, and the throughput that makes, against ")
                        .append("the ceiling that bounds it.\n\n");
                sb.append("| model/integrator | phase | median ms | work per step | achieved | ceiling | % of ceiling | work |\n");
                sb.append("|---|---|---|---|---|---|---|---|\n");
                for (RoofLine l : roofLines(rs, ceilings)) {
                    sb.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %s | %s | %s | %.1f%% | %s |%n", l.name(),
                            l.phase(), l.ms(), Roofline.amount(l.work().amount(), l.work().ceiling().unit()),
                            Roofline.rate(l.achievedPerSecond(), l.work().ceiling().unit()), l.work().ceiling().label(),
                            l.pct(), l.work().what()));
                }
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ charts and files

    /** Appends {@code rows}, then {@link #write(Path, Env, int, int, int, List, List, List, Roofline.Ceilings)} without ceilings. */
    public static List<Path> write(Path outDir, Env env, int T, int batch, int neurons, List<KernelBench.Sample> ks,
                                   List<TrainBench.Result> rs, List<Map<String, Object>> rows) {
        append(outDir, rows);
        return write(outDir, env, T, batch, neurons, ks, rs, rows, null);
    }

    private static void mkdirs(Path outDir) {
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new SpikestepException("cannot create " + outDir + ": " + SpikestepException.reason(e), e);
        }
    }

    private static void deleteChart(Path outDir, String stem) {
        for (String ext : List.of(".png", ".svg")) {
            try {
                Files.deleteIfExists(outDir.resolve(stem + ext));
            } catch (IOException e) {
                throw new SpikestepException("cannot replace " + outDir.resolve(stem + ext) + ": " + SpikestepException.reason(e), e);
            }
        }
    }

    /**
     * Writes the charts and summary.md (replaced); the rows were appended as they were measured
     * ({@link #append}). Returns the files written.
     */
    public static List<Path> write(Path outDir, Env env, int T, int batch, int neurons, List<KernelBench.Sample> ks,
                                   List<TrainBench.Result> rs, List<Map<String, Object>> rows, Roofline.Ceilings ceilings) {
        System.setProperty("java.awt.headless", "true");
        mkdirs(outDir);
        List<Path> files = rows.isEmpty() ? new ArrayList<>()
                : new ArrayList<>(List.of(outDir.resolve("bench.csv"), outDir.resolve("bench.jsonl")));
        boolean canDraw = ModuleLayer.boot().findModule("java.desktop").isPresent();
        if (!canDraw) {
            // A trimmed runtime (jlink without java.desktop, e.g. carried to a GPU machine) cannot draw.
            System.err.println("bench: charts skipped: this Java runtime has no java.desktop module "
                    + "(the rows and summary.md are written)");
        }
        // The charts and summary.md are one set: all drawn first (the slow part), then put in place
        // one right after another, so a kill while drawing leaves the last run's set as it was.
        List<dev.spikestep.io.ChartFiles.Drawn> drawn = new ArrayList<>();
        try {
            if (canDraw && !ks.isEmpty()) {
                drawn.add(BenchCharts.draw(BenchCharts.kernelChart(ks, env, T, batch, neurons), outDir.resolve("kernels")));
            }
            if (canDraw && !rs.isEmpty()) {
                drawn.add(BenchCharts.draw(BenchCharts.stepChart(rs, env, T, batch), outDir.resolve("step-phases")));
            }
        } catch (RuntimeException e) {
            drawn.forEach(dev.spikestep.io.ChartFiles.Drawn::discard);
            throw e;
        }
        String summary = markdown(env, T, batch, neurons, ks, rs, ceilings);
        // a chart this run did not draw (a part it did not measure) would sit beside its summary as if it were its
        if (!canDraw || ks.isEmpty()) {
            deleteChart(outDir, "kernels");
        }
        if (!canDraw || rs.isEmpty()) {
            deleteChart(outDir, "step-phases");
        }
        for (dev.spikestep.io.ChartFiles.Drawn d : drawn) {
            d.place();
            files.addAll(d.files());
        }
        Path md = outDir.resolve("summary.md");
        ResultsWriter.replace(md, summary);
        files.add(md);
        return files;
    }
}
