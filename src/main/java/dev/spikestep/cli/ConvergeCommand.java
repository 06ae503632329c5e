package dev.spikestep.cli;

import dev.spikestep.SpikestepException;
import dev.spikestep.data.Dataset;
import dev.spikestep.data.DatasetLocator;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.sweep.Converge;
import dev.spikestep.sweep.ConvergeReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "converge", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Measure each integrator's error against its cost (SPEC 11): pick the cheapest integrator and dt.",
        description = {
            "For each model x integrator x sub-steps x dt x input, integrates the same inputs over the same span of "
                + "time with the engine's float32 kernels and compares with a float64 rk4 reference at min(dt)/64. "
                + "Inputs, N neurons each: 'steps' (seeded random currents, piecewise constant on the coarsest dt's "
                + "grid) and 'digits' (each hidden neuron's mean fc1 current over real digits, for a freshly "
                + "initialised fc1; constant in time). lif runs with decay_input true and false, so the fork's exp "
                + "(SPEC 2) shows converging to another solution.",
            "",
            "Writes OUT/converge.csv (one row per run, appended as measured: v_rmse = RMS of v - v_ref on the "
                + "grid until the first spike of either, count_err, first_spike_err, van_rossum (tau 1), "
                + "nonfinite_frac, ns_per_step measured in this run by the kernel benchmark (once per integrator "
                + "and K, at dt 1: the same on every row of a curve), ns_per_time = "
                + "ns_per_step / dt), OUT/orders.csv (log-log slope of v_rmse against dt over the rows with finite "
                + "states and " + Converge.ROUNDING_FLOOR + " <= v_rmse <= " + Converge.FIT_CEILING + "), "
                + "charts (error vs dt, error vs cost with the Pareto front; PNG + SVG), converge.md and "
                + "converge.html (with the cheapest (integrator, K, dt) per error target).", ""},
        footer = {"", "Examples:", "  spikestep converge --out results/converge",
            "  spikestep converge --out conv --models lif --inputs steps --dt 0.25,0.5,1 \\",
            "      --substeps 1"})
public final class ConvergeCommand implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory.")
    Path out;

    @Option(names = {"--models", "--model"}, paramLabel = "LIST", split = ",", defaultValue = "lif,izh",
            description = "lif and/or izh (default: ${DEFAULT-VALUE}).")
    List<String> models;

    // null when not given: refused with --models izh alone rather than dropped
    @Option(names = "--decay-input", paramLabel = "LIST", split = ",", arity = "1",
            description = "lif's decay_input values to study (default: true,false).")
    List<Boolean> decayInput;

    // null when not given: every integrator, each model running those it defines; a list given is checked
    @Option(names = {"--integrators", "--integrator"}, paramLabel = "LIST", split = ",",
            description = "Integrators; each model runs those it accepts, and each one listed must fit one of "
                + "--models (default: euler,exp,zoh,symplectic,rk2,rk4).")
    List<String> integrators;

    @Option(names = "--substeps", paramLabel = "LIST", split = ",", defaultValue = "1,2,4",
            description = "Sub-steps K per step (default: ${DEFAULT-VALUE}).")
    List<Integer> substeps;

    @Option(names = "--dt", paramLabel = "LIST", split = ",", defaultValue = "0.05,0.1,0.25,0.5,1,2.5,5",
            description = "Time steps; each must divide the largest (default: ${DEFAULT-VALUE}).")
    List<Double> dts;

    @Option(names = "--inputs", paramLabel = "LIST", split = ",", defaultValue = "steps,digits",
            description = "steps and/or digits (default: ${DEFAULT-VALUE}).")
    List<String> inputs;

    @Option(names = "--neurons", paramLabel = "N", defaultValue = "32", description = "Neurons per input: at most 256 with digits (a 256-wide hidden layer's), "
                + "steps alone as many as the heap holds (default: ${DEFAULT-VALUE}).")
    int neurons;

    @Option(names = "--span", paramLabel = "TIME", defaultValue = "250",
            description = "Simulated time of every run, a multiple of the largest dt (default: ${DEFAULT-VALUE}).")
    double span;

    // one pair: a String, as a split double[] would be shown (and taken) as a repeatable list of pairs
    @Option(names = "--drive", paramLabel = "LO,HI", defaultValue = "0,2",
            description = "Range of the steps currents, in units of v_th/gain: for lif the constant current whose steady "
                + "state is v_th (below 1: sub-threshold); for izh drive*v_th, whose constant currents fire from 0.2116 "
                + "up (default: ${DEFAULT-VALUE}).")
    String drive;

    @Option(names = "--seed", defaultValue = "0", description = "Seeds the steps currents and the digits' fc1 (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dataset", paramLabel = "mnist|mnist-sample|fashion", defaultValue = "mnist-sample",
            description = "Digits of the digits input (test split) (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "data", description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--cost-T", paramLabel = "STEPS", defaultValue = "50",
            description = "Steps of the cost measurement (default: ${DEFAULT-VALUE}).")
    int costT;

    @Option(names = "--cost-neurons", paramLabel = "M", defaultValue = "16384",
            description = "Neurons of the cost measurement (default: ${DEFAULT-VALUE}).")
    int costNeurons;

    @Option(names = "--cost-repeats", paramLabel = "N", defaultValue = "7",
            description = "Timed calls per cost (their median, after " + Converge.COST_WARMUP + " untimed warm-up calls; "
                + "before any, one untimed round of every integrator x K compiles them) (default: ${DEFAULT-VALUE}).")
    int costRepeats;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        System.setProperty("java.awt.headless", "true");
        List<NeuronSpec> neurons = new ArrayList<>();
        List<String> modelNames = models.stream().map(String::trim).distinct().toList(); // each once, as every other list
        NeuronOptions.decayInputNeedsLif(decayInput != null, modelNames);
        List<Boolean> decays = decayInput != null ? decayInput : List.of(true, false);
        for (String m : modelNames) {
            switch (m) {
                case "lif" -> decays.stream().distinct()
                        .forEach(d -> neurons.add(new LifSpec(Integrator.EULER, 1.0, 2.0, 1f, 0f, false, d)));
                case "izh" -> neurons.add(IzhSpec.notebook(Integrator.EULER, 1.0));
                default -> throw NeuronSpec.unknownModel("models", m);
            }
        }
        List<Integrator> integs = integrators == null ? List.of(Integrator.values())
                : integrators.stream().map(s -> Integrator.parse("integrators", s, modelNames)).distinct().toList();
        for (Integrator i : integrators == null ? List.<Integrator>of() : integs) { // one given that no model defines
            if (modelNames.stream().noneMatch(m -> Integrator.forModel(m).contains(i))) {
                throw new SpikestepException("--integrators " + i.cliName() + " is defined for none of --models "
                        + String.join(",", modelNames) + " (" + Integrator.byModel(modelNames) + ")");
            }
        }
        List<String> in = inputs.stream().map(String::trim).distinct().toList();
        if (in.stream().allMatch("steps"::equals)) { // an unknown input is told so first (Converge.Config)
            Main.refuseUnused(spec, "--inputs digits", "--inputs " + String.join(",", in), "--dataset", "--data");
        }
        Dataset digits = null;
        if (in.contains("digits")) {
            try {
                digits = DatasetLocator.loadTest(data, DatasetLocator.checkName(dataset));
            } catch (SpikestepException e) {
                throw new SpikestepException(e.getMessage() + "\n(the digits input needs it; --inputs steps runs without data)");
            }
        }
        Converge.Config cfg = new Converge.Config(neurons, integs, substeps.stream().distinct().toList(),
                dts.stream().distinct().sorted().toList(), in, this.neurons, span, seed, driveRange(), digits, costT, costNeurons,
                costRepeats);
        dev.spikestep.io.OutputDir.check(out, "converge.csv", "study"); // before the lock file is put in it
        try (dev.spikestep.io.OutLock lock = dev.spikestep.io.OutLock.acquire(out, "converge")) { // one study per --out
            dev.spikestep.io.AtomicFiles.removeOrphans(out); // what a killed chart or file write left
            return study(cfg);
        }
    }

    /** {@code --drive LO,HI} as numbers; whether they make a range is Converge.Config's check. */
    private double[] driveRange() {
        try {
            return java.util.Arrays.stream(drive.split(",", -1)).map(String::trim).mapToDouble(Double::parseDouble).toArray();
        } catch (NumberFormatException e) {
            throw new SpikestepException("--drive must be LO,HI, two numbers, got '" + drive + "'");
        }
    }

    private Integer study(Converge.Config cfg) {
        long t0 = System.nanoTime();
        List<Converge.Row> rows = Converge.run(cfg, out, System.out);
        List<Converge.Order> orders = Converge.orders(rows);
        Converge.writeOrders(orders, out);
        Path html = ConvergeReport.write(rows, orders, out);
        System.out.printf(Locale.ROOT, "%nconverge: %d rows in %.1f s; wrote %s, %s and %s (charts as PNG and SVG, "
                + "converge.md beside it)%n", rows.size(), (System.nanoTime() - t0) / 1e9, out.resolve("converge.csv"),
                out.resolve("orders.csv"), html);
        for (Converge.Order o : orders) {
            System.out.printf(Locale.ROOT, "  order %-34s %s%s%n", o.model() + (o.decayInput().equals("false") ? " nodecay" : "")
                    + " " + o.integrator() + (o.substeps() > 1 ? " x" + o.substeps() : "") + " " + o.input(),
                    Double.isFinite(o.order()) ? String.format(Locale.ROOT, "%5.2f", o.order()) : "    -",
                    o.note().isEmpty() ? "" : "  (" + o.note() + ")");
        }
        return 0;
    }
}
