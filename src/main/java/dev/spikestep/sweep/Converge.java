package dev.spikestep.sweep;

import dev.spikestep.SpikestepException;
import dev.spikestep.bench.KernelBench;
import dev.spikestep.bench.Traffic;
import dev.spikestep.data.Dataset;
import dev.spikestep.io.ResultsWriter;
import dev.spikestep.net.WeightInit;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronKernels;
import dev.spikestep.neuron.NeuronSpec;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The integration-error study of SPEC 11: for each neuron x integrator x sub-steps x dt x input,
 * the engine's own float32 trajectory (NeuronKernels.forward, the training kernels' twin) against a
 * float64 rk4 reference at {@code min(dt)/64}, on inputs piecewise constant on the coarsest dt's grid
 * (so every run sees the same input function), over the same span of time; and the cost of each
 * integrator and K in ns per neuron-step, measured in the same run by KernelBench (the measurement
 * of {@code spikestep bench}).
 */
public final class Converge {
    /** converge.csv's columns, in order. */
    public static final List<String> COLUMNS = List.of("model", "decay_input", "integrator", "substeps", "dt", "input",
            "v_rmse", "count_err", "first_spike_err", "van_rossum", "nonfinite_frac", "ns_per_step", "ns_per_time",
            "steps", "neurons");
    /** orders.csv's columns. */
    public static final List<String> ORDER_COLUMNS = List.of("model", "decay_input", "integrator", "substeps", "input",
            "order", "points", "dt_min", "dt_max", "v_rmse_max", "note");
    /** Errors below this are float32 rounding, not truncation: they are left out of the order fit. */
    public static final double ROUNDING_FLOOR = 1e-5;
    /**
     * How far a curve below ROUNDING_FLOOR may rise above its smallest error at a smaller dt and still be
     * rounding: float32 rounding accumulates over the steps, so it falls as dt grows (or wobbles by
     * tens of percent), while truncation rises as dt^order (rk4 x4 on digits: 185-fold from dt 1 to 5).
     */
    static final double ROUNDING_RISE = 4;
    /** How orders.csv's note for a curve at float32 rounding (an exact integrator for that input) begins. */
    public static final String AT_ROUNDING = "error at float32 rounding";
    /** Errors above this (a tenth of v_th) are outside the asymptotic range: left out of the fit too. */
    public static final double FIT_CEILING = 0.1;
    /** van Rossum kernel time constant, in the time unit of tau (SPEC 11). */
    static final double VAN_ROSSUM_TAU = 1.0;
    /** Reference steps per smallest dt of the grid (SPEC 11). */
    static final int REF_PER_MIN_DT = 64;

    /** The hidden layer whose fc1 currents are the digits input (its first {@code --neurons} neurons). */
    static final int DIGITS_HIDDEN = 256;
    /** Untimed calls before each cost is timed (converge --help and README state it). */
    public static final int COST_WARMUP = 5;

    /**
     * One study.
     *
     * @param neurons the base specs (dt and K are replaced): lif with decay_input true/false, izh
     * @param integrators per neuron, the integrators to run (those it accepts)
     * @param inputs {@code steps} and/or {@code digits}
     * @param drive {lo, hi} of the {@code steps} currents, in units of v_th / gain (lif: the current whose
     *              steady state is v_th; izh: drive * v_th, which fires from 0.2116, its rheobase, up)
     * @param digits the images for the {@code digits} input (null when not asked for)
     */
    public record Config(List<NeuronSpec> neurons, List<Integrator> integrators, List<Integer> substeps,
                         List<Double> dts, List<String> inputs, int n, double span, long seed, double[] drive,
                         Dataset digits, int costT, int costNeurons, int costRepeats) {
        public Config {
            if (neurons.isEmpty() || integrators.isEmpty() || substeps.isEmpty() || dts.isEmpty() || inputs.isEmpty()) {
                throw new SpikestepException("converge needs at least one model, integrator, substeps value, dt and input");
            }
            for (int k : substeps) {
                NeuronSpec.requireSubsteps(k);
            }
            for (double dt : dts) {
                NeuronSpec.requireFinitePositive("dt", dt);
            }
            for (String in : inputs) {
                if (!in.equals("steps") && !in.equals("digits")) {
                    throw new SpikestepException("unknown input '" + in + "': use steps, digits or both (steps,digits)");
                }
            }
            if (inputs.contains("digits") && digits == null) {
                throw new IllegalArgumentException("the digits input needs a dataset");
            }
            // digits drive the neurons of a fc1 of DIGITS_HIDDEN; steps currents have no layer: their arrays bound them
            if (n < 1 || inputs.contains("digits") && n > DIGITS_HIDDEN) {
                throw new SpikestepException("--neurons must be in [1, " + DIGITS_HIDDEN + "] with the digits input "
                        + "(the neurons of its " + DIGITS_HIDDEN + "-wide hidden layer; steps alone take more), got " + n);
            }
            if (drive.length != 2 || !(drive[0] < drive[1]) || !Double.isFinite(drive[0]) || !Double.isFinite(drive[1])) {
                throw new SpikestepException("--drive must be LO,HI, finite, with LO < HI, got " + Arrays.toString(drive));
            }
            if (costT < 1 || costNeurons < 1 || costRepeats < 1) {
                throw new SpikestepException("--cost-T, --cost-neurons and --cost-repeats must be >= 1");
            }
            double dtMax = dts.stream().mapToDouble(d -> d).max().orElseThrow();
            double dtMin = dts.stream().mapToDouble(d -> d).min().orElseThrow();
            NeuronSpec.requireFinitePositive("span", span);
            for (double dt : dts) {
                if (!isMultiple(dtMax, dt)) {
                    throw new SpikestepException("dt " + dt + " does not divide the coarsest dt " + dtMax
                            + ": every dt must, so that all runs see the same piecewise-constant input");
                }
                if (!isMultiple(dt, dtMin / REF_PER_MIN_DT)) {
                    throw new SpikestepException("dt " + dt + " is not a multiple of the reference step min(dt)/"
                            + REF_PER_MIN_DT + " = " + dtMin / REF_PER_MIN_DT + "; choose dts that are multiples of one another");
                }
            }
            if (!isMultiple(span, dtMax)) {
                throw new SpikestepException("--span " + span + " must be a whole number of the coarsest dt " + dtMax);
            }
            // each run holds a few [T, N] arrays at its dt, the finest the longest
            long finestT = Math.round(span / dtMin);
            // the reference keeps v at every multiple of the dts' gcd, as often as the finest dt or more
            long refPoints = referencePoints(span, dts);
            if (finestT * n > Integer.MAX_VALUE) {
                throw new SpikestepException("--span " + span + " at dt " + dtMin + " is " + finestT + " steps of " + n
                        + " neurons, more than one array holds; lower --span or --neurons, or raise the smallest --dt");
            }
            if (refPoints * n > Integer.MAX_VALUE) {
                throw new SpikestepException("the reference's v, kept at every multiple of the dts' greatest common "
                        + "divisor over --span " + span + ", is " + refPoints + " points of " + n + " neurons, more than one "
                        + "array holds; lower --span or --neurons, or choose dts with a coarser common divisor");
            }
            dev.spikestep.bench.KernelBench.checkHeap(dev.spikestep.bench.KernelBench.ARRAYS_PER_ELEMENT * finestT * n,
                    "lower --span or --neurons, or raise the smallest --dt");
            if ((long) costT * costNeurons > Integer.MAX_VALUE) {
                throw new SpikestepException("--cost-T x --cost-neurons = " + (long) costT * costNeurons
                        + " is more than one array holds (2^31 - 1); use fewer");
            }
            dev.spikestep.bench.KernelBench.checkHeap(dev.spikestep.bench.KernelBench.ARRAYS_PER_ELEMENT * costT * costNeurons,
                    "lower --cost-T or --cost-neurons");
            drive = drive.clone();
            neurons = List.copyOf(neurons);
            integrators = List.copyOf(integrators);
            substeps = List.copyOf(substeps);
            dts = List.copyOf(dts);
            inputs = List.copyOf(inputs);
        }

        double dtMax() {
            return dts.stream().mapToDouble(d -> d).max().orElseThrow();
        }

        double dtRef() {
            return Converge.dtRef(dts);
        }
    }

    /** One row of converge.csv. {@code firstSpikeErr} is NaN where no neuron fires in both. */
    public record Row(String model, String decayInput, String integrator, int substeps, double dt, String input,
                      double vRmse, double countErr, double firstSpikeErr, double vanRossum, double nonfiniteFrac,
                      double nsPerStep, int steps, int neurons) {
        /** Some neuron's state became NaN or infinite (SPEC 11's nonfinite_frac), and only that. */
        public boolean diverged() {
            return nonfiniteFrac > 0;
        }

        /** Whether v_rmse could be measured: not where every neuron fires before the first grid point. */
        public boolean measured() {
            return Double.isFinite(vRmse);
        }

        /** Cost of simulating one unit of time: ns per neuron-step over dt. */
        public double nsPerTime() {
            return nsPerStep / dt;
        }

        /** The curve this row belongs to: model, decay_input, integrator, K, input. */
        public String curve() {
            return variant() + " " + integrator + (substeps > 1 ? " x" + substeps : "") + " " + input;
        }

        /** The neuron variant: {@code lif}, {@code lif nodecay} or {@code izh}. */
        public String variant() {
            return model + (decayInput.equals("false") ? " nodecay" : "");
        }

        List<Object> values() {
            return List.of(model, decayInput, integrator, substeps, dt, input, vRmse, countErr, firstSpikeErr, vanRossum,
                    nonfiniteFrac, nsPerStep, nsPerTime(), steps, neurons);
        }
    }

    /** One row of orders.csv: the log-log slope of v_rmse against dt over the fitted rows. */
    public record Order(String model, String decayInput, String integrator, int substeps, String input, double order,
                        int points, double dtMin, double dtMax, double vRmseMax, String note) {
        List<Object> values() {
            return List.of(model, decayInput, integrator, substeps, input, order, points, dtMin, dtMax, vRmseMax, note);
        }
    }

    /** Reference trajectories of one neuron variant under one input. */
    private record Reference(double[] v, int stride, List<double[]> spikes) {
        // v: [points, N] at every stride-th reference step (times (p+1) * stride * dtRef)
    }

    private Converge() {
    }

    static boolean isMultiple(double a, double b) {
        double r = a / b;
        return Math.abs(r - Math.rint(r)) < 1e-6 * Math.max(1, r) && Math.rint(r) >= 1;
    }

    /** The files a study writes: an earlier study's are replaced as a whole. */
    private static final java.util.regex.Pattern FILES =
            java.util.regex.Pattern.compile("converge\\.(csv|md|html)|orders\\.csv|error_(dt|cost)_.*\\.(png|svg)");

    /** Whether a study writes a file of that name. */
    private static boolean owns(String file) {
        return FILES.matcher(file).matches();
    }

    /** Runs the whole study, appending each row to {@code out/converge.csv} as it is measured. */
    public static List<Row> run(Config cfg, Path out, PrintStream log) {
        Path csv = out.resolve("converge.csv");
        // new, empty or an earlier study, replaced whole: none of its charts is left beside rows it did not come from
        if (dev.spikestep.io.OutputDir.replaceWhole(out, "converge.csv", "study", Converge::owns)) {
            log.println("converge: replacing the earlier study in " + out);
        }
        List<Row> rows = new ArrayList<>();
        Map<String, Double> cost = costs(cfg, log);
        for (NeuronSpec base : cfg.neurons()) {
            for (String input : cfg.inputs()) {
                float[] x = input(cfg, base, input);
                long t0 = System.nanoTime();
                Reference ref = reference(cfg, base, x);
                log.printf(Locale.ROOT, "converge: %s %s: reference rk4 (float64) at dt %.6g in %.1f s%n", label(base), input,
                        cfg.dtRef(), (System.nanoTime() - t0) / 1e9);
                for (Integrator integ : integratorsOf(cfg, base)) {
                    for (int k : cfg.substeps()) {
                        for (double dt : cfg.dts()) {
                            NeuronSpec spec = base.with(integ, dt, k);
                            Row r = measure(cfg, spec, input, x, ref, cost.get(costKey(spec)));
                            rows.add(r);
                            ResultsWriter.appendCsvRow(csv, COLUMNS, r.values());
                        }
                        Row last = rows.get(rows.size() - 1);
                        log.printf(Locale.ROOT, "  %-28s v_rmse %s .. %s (dt %s .. %s)%s%n", last.curve(),
                                fmtE(rows.get(rows.size() - cfg.dts().size()).vRmse()), fmtE(last.vRmse()),
                                ConvergeReport.fmtDt(cfg.dts().get(0)), ConvergeReport.fmtDt(last.dt()),
                                rows.subList(rows.size() - cfg.dts().size(), rows.size()).stream().anyMatch(Row::diverged)
                                        ? "; diverged at some dt" : "");
                    }
                }
            }
        }
        return rows;
    }

    static String fmtE(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2e", v) : String.valueOf(v);
    }

    static String label(NeuronSpec s) {
        return s instanceof LifSpec l ? "lif decay_input " + l.decayInput() : s.model();
    }

    /** The integrators of the config that this neuron accepts, in the config's order. */
    static List<Integrator> integratorsOf(Config cfg, NeuronSpec base) {
        List<Integrator> out = new ArrayList<>();
        for (Integrator i : cfg.integrators()) {
            if (i.definedFor(base.model())) {
                out.add(i);
            }
        }
        return out;
    }

    private static String costKey(NeuronSpec s) {
        return label(s) + "/" + s.integrator().cliName() + "/" + s.substeps();
    }

    /** ns per neuron-step of the training forward of each (neuron, integrator, K), one thread, via KernelBench. */
    private static Map<String, Double> costs(Config cfg, PrintStream log) {
        List<NeuronSpec> specs = new ArrayList<>();
        for (NeuronSpec base : cfg.neurons()) {
            for (Integrator integ : integratorsOf(cfg, base)) {
                for (int k : cfg.substeps()) {
                    specs.add(base.with(integ, 1.0, k));
                }
            }
        }
        long t0 = System.nanoTime();
        List<Traffic.Pass> fwd = List.of(Traffic.Pass.FORWARD);
        // one untimed round first: the JIT compiles each integrator's branch before any is timed
        KernelBench.cpu(specs, cfg.costT(), 1, Math.min(cfg.costNeurons(), 4096), 1, COST_WARMUP, 1, cfg.seed(), fwd, Double.NaN, false);
        List<KernelBench.Sample> samples = KernelBench.cpu(specs, cfg.costT(), 1, cfg.costNeurons(), 1, COST_WARMUP,
                cfg.costRepeats(), cfg.seed(), fwd, Double.NaN, false);
        Map<String, Double> out = new LinkedHashMap<>();
        for (KernelBench.Sample s : samples) {
            if (s.pass() == Traffic.Pass.FORWARD) {
                out.put(costKey(s.neuron()), s.nsPerNeuronStep());
            }
        }
        log.printf(Locale.ROOT, "converge: cost of %d integrator x K forwards (T %d x %d neurons, 1 thread, %s, median of %d) "
                + "in %.1f s%n", specs.size(), cfg.costT(), cfg.costNeurons(),
                dev.spikestep.simd.VectorSupport.ENABLED ? "Vector API" : "scalar", cfg.costRepeats(), (System.nanoTime() - t0) / 1e9);
        return out;
    }

    // ------------------------------------------------------------------ inputs

    /** The input currents [segments, N], one value per neuron and coarsest step. */
    static float[] input(Config cfg, NeuronSpec base, String input) {
        int segs = (int) Math.rint(cfg.span() / cfg.dtMax());
        int n = cfg.n();
        float[] x = new float[segs * n];
        if (input.equals("steps")) {
            // lif: currents whose steady state spans drive * v_th, so some neurons stay below threshold and
            // some fire; izh: drive * v_th, of which only those below its rheobase 0.2116 stay below (a unit of
            // the rheobase puts half the neurons near izh's saddle-node, where euler's v_rmse measured order 0.6, not 1)
            double gain = base instanceof LifSpec l && !l.decayInput() ? l.tau() : 1.0;
            double vTh = base instanceof LifSpec l ? l.vTh() : ((IzhSpec) base).vTh();
            SplittableRandom rnd = new SplittableRandom(cfg.seed() * 31 + base.model().hashCode());
            for (int i = 0; i < x.length; i++) {
                double u = cfg.drive()[0] + (cfg.drive()[1] - cfg.drive()[0]) * rnd.nextDouble();
                x[i] = (float) (u * vTh / gain);
            }
            return x;
        }
        // digits: hidden neuron j's mean fc1 current over the digits, for a freshly initialised fc1
        // (seeded as train initialises it) and the exact encoder's expected spike 1 - exp(-pixel) at dt 1
        Dataset d = cfg.digits();
        int nIn = d.pixels();
        int hidden = DIGITS_HIDDEN;
        float[] w1 = WeightInit.uniformLinear(cfg.seed(), 0, nIn, hidden); // [nIn, hidden]
        int count = Math.min(d.size(), 1000);
        double[] mean = new double[n];
        for (int s = 0; s < count; s++) {
            for (int i = 0; i < nIn; i++) {
                int px = d.images()[s * nIn + i] & 0xff;
                if (px == 0) {
                    continue;
                }
                double p = 1 - Math.exp(-px / 255.0);
                for (int j = 0; j < n; j++) {
                    mean[j] += p * w1[i * hidden + j];
                }
            }
        }
        for (int t = 0; t < segs; t++) {
            for (int j = 0; j < n; j++) {
                x[t * n + j] = (float) (mean[j] / count);
            }
        }
        return x;
    }

    // ------------------------------------------------------------------ reference

    /** rk4 in double at dtRef, fire and reset at the end of each reference step (SPEC 11). */
    private static Reference reference(Config cfg, NeuronSpec base, float[] x) {
        double dtRef = cfg.dtRef();
        long perSeg = Math.round(cfg.dtMax() / dtRef);
        int segs = (int) Math.rint(cfg.span() / cfg.dtMax());
        int stride = (int) referenceStride(cfg.dts());
        int points = (int) referencePoints(cfg.span(), cfg.dts());
        int n = cfg.n();
        double[] v = new double[points * n];
        List<double[]> spikes = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            List<Double> sp = new ArrayList<>();
            double[] y = base instanceof LifSpec ? new double[] {base.vInit()} : new double[] {base.vInit(), ((IzhSpec) base).wRest()};
            long step = 0;
            double[][] scratch = new double[5][y.length];
            for (int s = 0; s < segs; s++) {
                double xs = x[s * n + j];
                for (long r = 0; r < perSeg; r++) {
                    rk4(base, y, xs, dtRef, scratch);
                    step++;
                    fireReset(base, y, sp, step * dtRef);
                    if (step % stride == 0) {
                        v[(int) (step / stride - 1) * n + j] = y[0];
                    }
                }
            }
            spikes.add(sp.stream().mapToDouble(d -> d).toArray());
        }
        return new Reference(v, stride, spikes);
    }

    /** The reference's step: min(dt) / {@link #REF_PER_MIN_DT}. */
    private static double dtRef(List<Double> dts) {
        return java.util.Collections.min(dts) / REF_PER_MIN_DT;
    }

    /** The reference keeps v at every multiple of the grid's gcd: that many reference steps. */
    private static long referenceStride(List<Double> dts) {
        long g = 0;
        for (double dt : dts) {
            g = gcd(g, Math.round(dt / dtRef(dts)));
        }
        return g;
    }

    /** How many v the reference keeps per neuron over {@code span} (a whole number of the coarsest dt). */
    private static long referencePoints(double span, List<Double> dts) {
        double dtMax = java.util.Collections.max(dts);
        return Math.round(dtMax / dtRef(dts)) * (long) Math.rint(span / dtMax) / referenceStride(dts);
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static void fireReset(NeuronSpec base, double[] y, List<Double> sp, double t) {
        if (base instanceof LifSpec l) {
            if (y[0] >= l.vTh()) {
                y[0] = l.softReset() ? y[0] - l.vTh() : l.vReset();
                sp.add(t);
            }
        } else {
            IzhSpec p = (IzhSpec) base;
            if (y[0] >= p.vTh()) {
                y[0] = p.softReset() ? y[0] - p.vTh() : p.vReset();
                y[1] += p.b();
                sp.add(t);
            }
        }
    }

    /** SPEC 9's right-hand side in double, x held. */
    private static void rhs(NeuronSpec base, double[] y, double x, double[] f) {
        if (base instanceof LifSpec l) {
            double vr = l.vReset();
            f[0] = l.decayInput() ? (x - (y[0] - vr)) / l.tau() : -(y[0] - vr) / l.tau() + x;
        } else {
            IzhSpec p = (IzhSpec) base;
            f[0] = (x + p.a0() * (y[0] - p.vRest()) * (y[0] - p.vC()) - y[1]) / p.tau();
            f[1] = (p.a() * (y[0] - p.vRest()) - y[1]) / p.tauW();
        }
    }

    /** One rk4 step of y in place; {@code k} holds five scratch vectors of y's length. */
    private static void rk4(NeuronSpec base, double[] y, double x, double h, double[][] k) {
        int d = y.length;
        double[] k1 = k[0];
        double[] k2 = k[1];
        double[] k3 = k[2];
        double[] k4 = k[3];
        double[] t = k[4];
        rhs(base, y, x, k1);
        for (int i = 0; i < d; i++) {
            t[i] = y[i] + h / 2 * k1[i];
        }
        rhs(base, t, x, k2);
        for (int i = 0; i < d; i++) {
            t[i] = y[i] + h / 2 * k2[i];
        }
        rhs(base, t, x, k3);
        for (int i = 0; i < d; i++) {
            t[i] = y[i] + h * k3[i];
        }
        rhs(base, t, x, k4);
        for (int i = 0; i < d; i++) {
            y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        }
    }

    // ------------------------------------------------------------------ one run

    private static Row measure(Config cfg, NeuronSpec spec, String input, float[] xSeg, Reference ref, double nsPerStep) {
        int n = cfg.n();
        double dt = spec.dt();
        int T = (int) Math.rint(cfg.span() / dt);
        int perSeg = (int) Math.rint(cfg.dtMax() / dt);
        float[] x_seq = new float[T * n]; // [T, N]
        for (int t = 0; t < T; t++) {
            System.arraycopy(xSeg, (t / perSeg) * n, x_seq, t * n, n);
        }
        float[] h_seq = new float[T * n];
        byte[] spike_seq = new byte[T * n];
        float[] v_seq = new float[T * n];
        float[] w_seq = new float[T * n];
        NeuronKernels.forward(spec, x_seq, T, n, h_seq, spike_seq, v_seq, w_seq);
        int refPerStep = (int) (Math.round(dt / cfg.dtRef()) / ref.stride());
        double sq = 0;
        long cnt = 0;
        double countErr = 0;
        double firstErr = 0;
        int both = 0;
        double vr = 0;
        int nonfinite = 0;
        for (int j = 0; j < n; j++) {
            boolean finite = true;
            List<Double> sp = new ArrayList<>();
            for (int t = 0; t < T; t++) {
                int i = t * n + j;
                if (!Float.isFinite(h_seq[i]) || !Float.isFinite(v_seq[i]) || !Float.isFinite(w_seq[i])) {
                    finite = false;
                }
                if (spike_seq[i] != 0) {
                    sp.add((t + 1) * dt); // a spike's time is the end of its step (SPEC 11)
                }
            }
            double[] s = sp.stream().mapToDouble(d -> d).toArray();
            double[] sr = ref.spikes().get(j);
            if (!finite) {
                nonfinite++;
            }
            countErr += Math.abs(s.length - sr.length) / (double) Math.max(1, sr.length);
            if (s.length > 0 && sr.length > 0) {
                firstErr += Math.abs(s[0] - sr[0]);
                both++;
            }
            vr += vanRossum(s, sr, VAN_ROSSUM_TAU);
            if (finite) {
                // sub-threshold error: grid points before the first spike of either
                double end = Math.min(s.length > 0 ? s[0] : Double.POSITIVE_INFINITY,
                        sr.length > 0 ? sr[0] : Double.POSITIVE_INFINITY);
                for (int t = 0; t < T && (t + 1) * dt < end - 1e-9 * dt; t++) {
                    double d = v_seq[t * n + j] - ref.v()[((t + 1) * refPerStep - 1) * n + j];
                    sq += d * d;
                    cnt++;
                }
            }
        }
        double vRmse = nonfinite == n || cnt == 0 ? Double.NaN : Math.sqrt(sq / cnt);
        String decay = spec instanceof LifSpec l ? String.valueOf(l.decayInput()) : "";
        return new Row(spec.model(), decay, spec.integrator().cliName(), spec.substeps(), dt, input, vRmse,
                countErr / n, both > 0 ? firstErr / both : Double.NaN, vr / n, nonfinite / (double) n, nsPerStep, T, n);
    }

    /**
     * The van Rossum distance between two spike trains (exponential kernel, time constant tau): the
     * closed form {@code D^2 = (sum_ij e(a_i, a_j) + sum_ij e(b_i, b_j) - 2 sum_ij e(a_i, b_j)) / 2},
     * {@code e(s, t) = exp(-|s - t| / tau)}.
     */
    static double vanRossum(double[] a, double[] b, double tau) {
        double d2 = (pairs(a, a, tau) + pairs(b, b, tau) - 2 * pairs(a, b, tau)) / 2;
        return Math.sqrt(Math.max(0, d2));
    }

    private static double pairs(double[] a, double[] b, double tau) {
        double s = 0;
        for (double x : a) {
            for (double y : b) {
                s += Math.exp(-Math.abs(x - y) / tau);
            }
        }
        return s;
    }

    // ------------------------------------------------------------------ orders

    /** Fits the order of each curve over its non-diverged rows with ROUNDING_FLOOR <= v_rmse <= FIT_CEILING. */
    public static List<Order> orders(List<Row> rows) {
        Map<String, List<Row>> curves = new LinkedHashMap<>();
        for (Row r : rows) {
            curves.computeIfAbsent(r.curve(), c -> new ArrayList<>()).add(r);
        }
        List<Order> out = new ArrayList<>();
        for (List<Row> c : curves.values()) {
            Row first = c.get(0);
            List<Row> ok = c.stream().filter(r -> !r.diverged() && r.measured()).toList();
            List<Row> fit = asymptotic(ok);
            List<Row> above = ok.stream().filter(r -> r.vRmse() >= ROUNDING_FLOOR).toList();
            double max = ok.stream().mapToDouble(Row::vRmse).max().orElse(Double.NaN);
            String note;
            double order = Double.NaN;
            if (ok.isEmpty()) {
                note = c.stream().allMatch(Row::diverged) ? "diverged at every dt"
                        : "no sub-threshold span to measure at any dt that stayed finite (the neurons fire in the first step)";
            } else if (max < ROUNDING_FLOOR && !growsWithDt(ok)) {
                note = AT_ROUNDING + " at every dt that stayed finite (exact for this input)";
            } else if (max < ROUNDING_FLOOR) {
                // truncation, not rounding, but so close to rounding that a slope over it would be biased low
                note = "error below " + ROUNDING_FLOOR + " at every dt that stayed finite but still growing with dt: "
                        + "truncation too close to float32 rounding to fit an order";
            } else if (fit.size() < 2 && above.size() >= 2 && Math.abs(slope(above)) < 0.3) {
                fit = above;
                order = slope(above);
                note = "does not converge to the reference";
            } else if (fit.size() < 2) {
                note = "fewer than 2 rows in the fit range [" + ROUNDING_FLOOR + ", " + FIT_CEILING + "]";
            } else {
                order = slope(fit);
                long div = c.stream().filter(Row::diverged).count();
                note = Math.abs(order) < 0.3 ? "does not converge to the reference"
                        : div > 0 ? "diverged at " + div + " dt" : "";
            }
            double dtMin = fit.stream().mapToDouble(Row::dt).min().orElse(Double.NaN);
            double dtMax = fit.stream().mapToDouble(Row::dt).max().orElse(Double.NaN);
            out.add(new Order(first.model(), first.decayInput(), first.integrator(), first.substeps(), first.input(),
                    order, fit.size(), dtMin, dtMax, max, note));
        }
        return out;
    }

    /**
     * The rows of the asymptotic range: from the smallest dt up, those with ROUNDING_FLOOR <= v_rmse <=
     * FIT_CEILING while the error keeps growing with dt. It stops at the first decrease, because at
     * large dt the window before the first spike shrinks and v_rmse measures a shorter stretch.
     */
    static List<Row> asymptotic(List<Row> ok) {
        List<Row> sorted = ok.stream().sorted(java.util.Comparator.comparingDouble(Row::dt)).toList();
        List<Row> fit = new ArrayList<>();
        for (Row r : sorted) {
            if (r.vRmse() < ROUNDING_FLOOR) {
                continue;
            }
            if (r.vRmse() > FIT_CEILING || (!fit.isEmpty() && r.vRmse() <= fit.get(fit.size() - 1).vRmse())) {
                break;
            }
            fit.add(r);
        }
        return fit;
    }

    /** Whether some row's v_rmse exceeds ROUNDING_RISE times the smallest at a smaller dt. */
    static boolean growsWithDt(List<Row> ok) {
        double min = Double.POSITIVE_INFINITY;
        for (Row r : ok.stream().sorted(java.util.Comparator.comparingDouble(Row::dt)).toList()) {
            if (r.vRmse() > ROUNDING_RISE * min) {
                return true;
            }
            min = Math.min(min, r.vRmse());
        }
        return false;
    }

    /** Least-squares slope of log(v_rmse) against log(dt). */
    static double slope(List<Row> rows) {
        double n = rows.size();
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (Row r : rows) {
            double x = Math.log(r.dt());
            double y = Math.log(r.vRmse());
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }

    /** Writes orders.csv in one piece. */
    public static void writeOrders(List<Order> orders, Path out) {
        StringBuilder sb = new StringBuilder(String.join(",", ORDER_COLUMNS)).append('\n');
        for (Order o : orders) {
            sb.append(ResultsWriter.csv(o.values())).append('\n');
        }
        ResultsWriter.replace(out.resolve("orders.csv"), sb.toString());
    }
}
