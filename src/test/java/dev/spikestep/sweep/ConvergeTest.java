package dev.spikestep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import dev.spikestep.cli.Main;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.testutil.ConsoleCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The integration-error study (SPEC 11) on a small grid: the sanity conditions a correct study
 * must show. Orders about 1 (euler), 2 (rk2), 4 (rk4) on the sub-threshold LIF problem; zoh (and
 * exp with decay_input true) exact for piecewise-constant input; the fork's exp with decay_input
 * false converging to another solution; Izhikevich euler at dt 5 diverged, symplectic not.
 */
class ConvergeTest extends ConsoleCapture {
    @TempDir
    Path dir;

    private static Converge.Config config(List<dev.spikestep.neuron.NeuronSpec> neurons, List<Integrator> integs,
                                          List<Double> dts, double span, double[] drive) {
        return new Converge.Config(neurons, integs, List.of(1), dts, List.of("steps"), 8, span, 3, drive, null, 10, 256, 1);
    }

    private static Converge.Order order(List<Converge.Order> orders, String decay, String integ) {
        return orders.stream().filter(o -> o.decayInput().equals(decay) && o.integrator().equals(integ)).findFirst()
                .orElseThrow(() -> new AssertionError("no order for " + integ + " decay_input " + decay + ": " + orders));
    }

    @Test
    void subThresholdLifShowsTheOrdersAndTheExactIntegrators() {
        List<dev.spikestep.neuron.NeuronSpec> lif = List.of(new LifSpec(Integrator.EULER, 1, 2, 1f, 0f, false, true),
                new LifSpec(Integrator.EULER, 1, 2, 1f, 0f, false, false));
        Converge.Config cfg = config(lif, List.of(Integrator.EULER, Integrator.EXP, Integrator.ZOH, Integrator.RK2,
                Integrator.RK4), List.of(0.25, 0.5, 1.0, 2.0), 20, new double[] {0, 0.9});
        List<Converge.Row> rows = Converge.run(cfg, dir, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        assertEquals(2 * 5 * 4, rows.size());
        assertTrue(rows.stream().noneMatch(Converge.Row::diverged), "sub-threshold lif never diverges");
        // below threshold: no spikes in either, so the spike metrics are exactly 0
        assertTrue(rows.stream().allMatch(r -> r.countErr() == 0 && r.vanRossum() == 0), "no neuron fires below threshold");
        List<Converge.Order> orders = Converge.orders(rows);
        for (String decay : List.of("true", "false")) {
            double euler = order(orders, decay, "euler").order();
            double rk2 = order(orders, decay, "rk2").order();
            double rk4 = order(orders, decay, "rk4").order();
            assertTrue(euler > 0.8 && euler < 1.35, "euler order " + euler);
            assertTrue(rk2 > 1.7 && rk2 < 2.6, "rk2 order " + rk2);
            assertTrue(rk4 > 3.4 && rk4 < 4.9, "rk4 order " + rk4);
            Converge.Order zoh = order(orders, decay, "zoh");
            assertTrue(zoh.vRmseMax() < Converge.ROUNDING_FLOOR && zoh.note().startsWith("error at float32 rounding"),
                    "zoh is exact for piecewise-constant input: " + zoh);
        }
        Converge.Order expDecay = order(orders, "true", "exp");
        assertTrue(expDecay.vRmseMax() < Converge.ROUNDING_FLOOR, "exp = zoh with decay_input true: " + expDecay);
        // SPEC 2: the fork's exp without decay_input has no factor tau on the input: another solution
        Converge.Order expNoDecay = order(orders, "false", "exp");
        assertTrue(expNoDecay.vRmseMax() > 0.1 && Math.abs(expNoDecay.order()) < 0.3
                && expNoDecay.note().equals("does not converge to the reference"), expNoDecay.toString());
    }

    @Test
    void stepsInputsTakeMoreNeuronsThanTheDigitsHiddenLayer() {
        // steps currents have no hidden layer: 20000 neurons run; digits drive the 256 of fc1's and say so
        Converge.Config steps = new Converge.Config(List.of(LifSpec.notebook(Integrator.EXP, 1)), List.of(Integrator.EXP),
                List.of(1), List.of(0.5, 1.0), List.of("steps"), 20000, 4, 3, new double[] {0, 2}, null, 10, 256, 1);
        assertEquals(20000, Converge.input(steps, steps.neurons().get(0), "steps").length / 4);
        SpikestepException e = assertThrows(SpikestepException.class, () -> new Converge.Config(
                List.of(LifSpec.notebook(Integrator.EXP, 1)), List.of(Integrator.EXP), List.of(1), List.of(0.5, 1.0),
                List.of("steps", "digits"), 257, 4, 3, new double[] {0, 2}, new dev.spikestep.data.Dataset("t", 2, 3, 10, new byte[12], new byte[] {9, 4}), 10, 256, 1));
        assertEquals("--neurons must be in [1, 256] with the digits input (the neurons of its 256-wide hidden layer; "
                + "steps alone take more), got 257", e.getMessage());
        // the reference keeps v at the dts' gcd (0.25 here, finer than the finest dt): its array is bounded too
        SpikestepException ref = assertThrows(SpikestepException.class, () -> new Converge.Config(
                List.of(LifSpec.notebook(Integrator.EXP, 1)), List.of(Integrator.EXP), List.of(1), List.of(0.5, 0.75, 1.5),
                List.of("steps"), 500_000, 1500, 3, new double[] {0, 2}, null, 10, 256, 1));
        assertTrue(ref.getMessage().startsWith("the reference's v, kept at every multiple of the dts' greatest common "
                + "divisor over --span 1500.0, is 6000 points of 500000 neurons, more than one array holds"), ref.getMessage());
    }

    @Test
    void aSpanPastOneArrayIsAOneLineError() {
        // 1e12 once overflowed an array size (NegativeArraySizeException)
        SpikestepException e = assertThrows(SpikestepException.class, () -> config(List.of(IzhSpec.notebook(Integrator.EULER, 1)),
                List.of(Integrator.EULER), List.of(1.0, 2.0), 1e12, new double[] {0, 2}));
        assertTrue(e.getMessage().contains("more than one array holds; lower --span or --neurons"), e.getMessage());
    }

    @Test
    void izhikevichEulerDivergesAtDt5AndSymplecticDoesNot() {
        Converge.Config cfg = config(List.of(IzhSpec.notebook(Integrator.EULER, 1)),
                List.of(Integrator.EULER, Integrator.SYMPLECTIC), List.of(1.0, 5.0), 250, new double[] {0, 2});
        List<Converge.Row> rows = Converge.run(cfg, dir, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        Converge.Row euler5 = rows.stream().filter(r -> r.integrator().equals("euler") && r.dt() == 5).findFirst().orElseThrow();
        Converge.Row sympl5 = rows.stream().filter(r -> r.integrator().equals("symplectic") && r.dt() == 5).findFirst()
                .orElseThrow();
        assertTrue(euler5.diverged() && euler5.nonfiniteFrac() > 0, "izh euler dt 5: " + euler5);
        assertTrue(!sympl5.diverged() && sympl5.nonfiniteFrac() == 0, "izh symplectic dt 5: " + sympl5);
        assertTrue(rows.stream().filter(r -> r.dt() == 1).noneMatch(Converge.Row::diverged), "both stable at dt 1");
    }

    @Test
    void commandWritesTheTablesChartsAndReport() throws Exception {
        Path out = dir.resolve("conv");
        // a value listed twice (lif,lif; rk2 twice; 1 twice) is measured once: no duplicate rows
        int rc = Main.execute("converge", "--out", out.toString(), "--models", "lif, lif", "--decay-input", "true",
                "--integrators", "euler,rk2,rk2", "--substeps", "1,2", "--dt", "0.5,1,1", "--inputs", "steps", "--neurons", "4",
                "--span", "4", "--cost-T", "5", "--cost-neurons", "64", "--cost-repeats", "1");
        assertEquals(0, rc, err());
        List<String> csv = Files.readAllLines(out.resolve("converge.csv"));
        assertEquals(String.join(",", Converge.COLUMNS), csv.get(0));
        assertEquals(1 + 2 * 2 * 2, csv.size());
        List<String> orders = Files.readAllLines(out.resolve("orders.csv"));
        assertEquals(String.join(",", Converge.ORDER_COLUMNS), orders.get(0));
        assertEquals(1 + 2 * 2, orders.size());
        for (String f : List.of("converge.html", "converge.md", "error_dt_lif_steps.png", "error_dt_lif_steps.svg",
                "error_cost_lif_steps.png")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        String md = Files.readString(out.resolve("converge.md"));
        assertTrue(md.contains("Cheapest (integrator, K, dt)") && md.contains("| lif / steps |"), md);
        // every row has a measured cost
        for (String line : csv.subList(1, csv.size())) {
            double ns = Double.parseDouble(line.split(",")[Converge.COLUMNS.indexOf("ns_per_step")]);
            assertTrue(ns > 0 && Double.isFinite(ns), line);
        }
    }

    /** A study of two rows (lif euler, decay_input true, dt 0.5 and 1, steps) into {@code out}, in a second. */
    private static String[] tinyLifStudy(Path out) {
        return new String[] {"converge", "--out", out.toString(), "--models", "lif", "--decay-input", "true",
            "--integrators", "euler", "--substeps", "1", "--dt", "0.5,1", "--inputs", "steps", "--neurons", "4", "--span", "4",
            "--cost-T", "5", "--cost-neurons", "64", "--cost-repeats", "1"};
    }

    @Test
    void anEarlierStudyIsReplacedWholeAndAnyOtherDirectoryIsRefused() throws Exception {
        Path out = dir.resolve("c");
        String[] lif = tinyLifStudy(out);
        assertEquals(0, Main.execute(lif), err());
        assertTrue(Files.exists(out.resolve("error_dt_lif_steps.png")));
        String[] izh = lif.clone();
        izh[4] = "izh";
        izh[5] = "--integrators";
        izh[6] = "euler";
        izh[7] = "--substeps";
        izh[8] = "1";
        assertEquals(0, Main.execute(izh), err());
        assertTrue(out().contains("converge: replacing the earlier study in " + out), out());
        assertTrue(!Files.exists(out.resolve("error_dt_lif_steps.png")), "no lif chart beside izh rows");
        assertTrue(Files.readAllLines(out.resolve("converge.csv")).stream().skip(1).allMatch(l -> l.startsWith("izh,")));
        Path notes = dir.resolve("notes");
        Files.createDirectories(notes);
        Files.writeString(notes.resolve("a.txt"), "mine");
        lif[2] = notes.toString();
        assertEquals(2, Main.execute(lif));
        assertTrue(err().contains("is not empty and holds no earlier study (converge.csv)"), err());
    }

    @Test
    void oneModelRunsTheIntegratorsItDefinesWhenNoneAreListed() throws Exception {
        Path out = dir.resolve("one");
        assertEquals(0, Main.execute("converge", "--out", out.toString(), "--models", "izh", "--substeps", "1", "--dt",
                "0.5,1", "--inputs", "steps", "--neurons", "4", "--span", "4", "--cost-T", "5", "--cost-neurons", "64",
                "--cost-repeats", "1"), err());
        List<String> integs = Files.readAllLines(out.resolve("converge.csv")).stream().skip(1)
                .map(l -> l.split(",")[2]).distinct().toList();
        assertEquals(List.of("euler", "symplectic", "rk2", "rk4"), integs);
    }

    @Test
    void aStudyRunningOnTheSameOutIsRefusedAndAForeignDirectoryGetsNoLockFile() throws Exception {
        Path out = dir.resolve("busy");
        String[] study = tinyLifStudy(out);
        try (dev.spikestep.io.OutLock other = dev.spikestep.io.OutLock.acquire(out, "converge")) {
            assertEquals(2, Main.execute(study));
            assertTrue(err().contains("--out " + out + " is in use by another run"), err());
            assertTrue(!Files.exists(out.resolve("converge.csv")), "nothing measured");
        }
        assertEquals(0, Main.execute(study), err()); // the lock file alone is no earlier content
        assertEquals(1 + 2, Files.readAllLines(out.resolve("converge.csv")).size());
        Path foreign = dir.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        study[2] = foreign.toString();
        assertEquals(2, Main.execute(study));
        assertTrue(!Files.exists(foreign.resolve(dev.spikestep.io.OutLock.FILE)), "refused before locking it");
    }

    @Test
    void neuronsThatFireInTheFirstStepAreNotCalledDiverged() {
        Converge.Row r = new Converge.Row("lif", "true", "euler", 1, 1.0, "steps", Double.NaN, 0, 0, 0, 0.0, 1, 4, 4);
        assertTrue(!r.diverged() && !r.measured());
        List<Converge.Order> o = Converge.orders(List.of(r, new Converge.Row("lif", "true", "euler", 1, 0.5, "steps",
                Double.NaN, 0, 0, 0, 0.0, 1, 8, 4)));
        assertEquals("no sub-threshold span to measure at any dt that stayed finite (the neurons fire in the first step)",
                o.get(0).note());
        assertTrue(new Converge.Row("lif", "true", "euler", 1, 1.0, "steps", Double.NaN, 0, 0, 0, 0.25, 1, 4, 4).diverged());
    }

    private static List<Converge.Row> curve(String integ, int k, double[] dts, double[] vRmse) {
        List<Converge.Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < dts.length; i++) {
            rows.add(new Converge.Row("lif", "true", integ, k, dts[i], "digits", vRmse[i], 0, 0, 0, 0.0, 1, 100, 32));
        }
        return rows;
    }

    @Test
    void aCurveBelowTheRoundingFloorIsExactOnlyWhenItsErrorDoesNotGrowWithDt() {
        double[] dts = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
        // measured: lif rk4 x4 on digits, rounding down to dt 1, then truncation rising as dt^3..4
        Converge.Order rk4 = Converge.orders(curve("rk4", 4, dts,
                new double[] {4.87e-7, 2.43e-7, 9.66e-8, 4.82e-8, 2.51e-8, 3.20e-7, 4.63e-6})).get(0);
        assertTrue(!rk4.note().startsWith(Converge.AT_ROUNDING) && rk4.note().contains("still growing with dt"), rk4.toString());
        assertTrue(Double.isNaN(rk4.order()), "no slope over errors that rounding biases: " + rk4);
        // measured: zoh x2 on steps, exact: rounding that falls as dt grows, with a 12% wobble at dt 2.5
        Converge.Order zoh = Converge.orders(curve("zoh", 2, dts,
                new double[] {5.33e-7, 3.32e-7, 1.07e-7, 6.72e-8, 3.29e-8, 3.68e-8, 2.12e-8})).get(0);
        assertEquals(Converge.AT_ROUNDING + " at every dt that stayed finite (exact for this input)", zoh.note());
        // a coarse grid's pair from the audit (rk4 x2 digits at dt 0.5, 1): 18-fold rise, truncation
        Converge.Order pair = Converge.orders(curve("rk4", 2, new double[] {0.5, 1}, new double[] {4.84e-8, 8.66e-7})).get(0);
        assertTrue(!pair.note().startsWith(Converge.AT_ROUNDING), pair.toString());
    }

    @Test
    void helpAndReadmeStateTheWarmUpTheCostsRunAfter() throws Exception {
        String calls = "after " + Converge.COST_WARMUP + " untimed warm-up calls";
        assertEquals(0, Main.execute("converge", "--help"));
        assertTrue(out().replaceAll("\\s+", " ").contains(calls), out());
        String readme = Files.readString(Path.of("README.md")).replaceAll("\\s+", " ");
        assertTrue(readme.contains("`--cost-repeats` timed calls (the median, " + calls + ")"), "README's converge section");
    }

    @Test
    void badGridsAreOneLineErrors() {
        assertEquals(2, Main.execute("converge", "--out", dir.toString(), "--dt", "0.3,1", "--inputs", "steps"));
        assertTrue(err().contains("error: dt 0.3 does not divide the coarsest dt 1.0"), err());
        assertEquals(2, Main.execute("converge", "--out", dir.toString(), "--substeps", "0", "--inputs", "steps"));
        assertTrue(err().contains("substeps must be an integer in [1, 64]"), err());
        // the integrators listed are those of --models (lif has no symplectic)
        assertEquals(2, Main.execute("converge", "--out", dir.toString(), "--models", "lif", "--integrators", "rk5",
                "--inputs", "steps"));
        assertTrue(err().contains("error: --integrators 'rk5': unknown integrator; expected one of euler, exp, zoh, rk2, "
                + "rk4\n"), err());
        // a mistyped input is told so, not that --data would be unused
        assertEquals(2, Main.execute("converge", "--out", dir.toString(), "--inputs", "digts", "--data", dir.toString()));
        assertTrue(err().contains("error: unknown input 'digts': use steps, digits or both"), err());
        assertEquals(2, Main.execute("converge", "--out", dir.toString(), "--inputs", "noise"));
        assertTrue(err().contains("unknown input 'noise'"), err());
        assertEquals(2, Main.execute("converge", "--out", dir.toString(), "--data", dir.resolve("none").toString()));
        assertTrue(err().contains("--inputs steps runs without data"), err());
        // a --dataset or --data that no input reads is refused, not left unchecked
        assertEquals(2, Main.execute("converge", "--out", dir.toString(), "--inputs", "steps", "--dataset", "foo", "--data",
                dir.resolve("none").toString()));
        assertTrue(err().contains("error: --dataset and --data are for --inputs digits; --inputs steps reads no data: drop "
                + "them"), err());
        assertEquals(2, Main.execute("converge", "--out", dir.toString(), "--inputs", "steps", "--data", dir.toString()));
        assertTrue(err().contains("error: --data is for --inputs digits; --inputs steps reads no data: drop it"), err());
        // what would be dropped, down to an empty study, is refused
        assertEquals(2, Main.execute("converge", "--out", dir.toString(), "--models", "izh", "--integrators", "zoh",
                "--inputs", "steps"));
        assertTrue(err().contains("error: --integrators zoh is defined for none of --models izh (izh: euler, symplectic, "
                + "rk2, rk4)"), err());
        assertEquals(2, Main.execute("converge", "--out", dir.toString(), "--models", "izh", "--decay-input", "false",
                "--inputs", "steps"));
        assertTrue(err().contains("error: --decay-input applies to lif only, not to izh"), err());
        assertEquals(2, Main.execute("converge", "--out", dir.toString(), "--drive", "0,Infinity", "--inputs", "steps"));
        assertTrue(err().contains("--drive must be LO,HI, finite, with LO < HI"), err());
    }

    @Test
    void driveIsOnePairInTheUsageAsOnTheCommandLine() {
        assertEquals(0, Main.execute("converge", "--help"));
        String usage = out().replaceAll("\\s+", ""); // the usage wraps at the comma
        assertTrue(usage.contains("[--drive=LO,HI]") && !usage.contains("[--drive=LO,HI]...")
                && !usage.contains("--drive=LO,HI["), out());
        assertEquals(2, Main.execute("converge", "--out", dir.toString(), "--drive", "0,1,1,2", "--inputs", "steps"));
        assertTrue(err().contains("error: --drive must be LO,HI, finite, with LO < HI, got [0.0, 1.0, 1.0, 2.0]"), err());
        assertEquals(2, Main.execute("converge", "--out", dir.toString(), "--drive", "0,x", "--inputs", "steps"));
        assertTrue(err().contains("error: --drive must be LO,HI, two numbers, got '0,x'"), err());
    }

    @Test
    void vanRossumDistanceOfKnownTrains() {
        double[] a = {1.0};
        assertEquals(0, Converge.vanRossum(a, a, 1), 1e-12);
        // one spike against none: D^2 = 1/2
        assertEquals(Math.sqrt(0.5), Converge.vanRossum(a, new double[0], 1), 1e-12);
        // two spikes d apart: D^2 = 1 - exp(-d)
        assertEquals(Math.sqrt(1 - Math.exp(-2)), Converge.vanRossum(a, new double[] {3.0}, 1), 1e-12);
    }
}
