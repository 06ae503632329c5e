package dev.spikestep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.testutil.ConsoleCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit codes, messages, files written. */
class CliTest extends ConsoleCapture {
    @TempDir
    Path dir;


    @Test
    void traceWritesEveryStateAndGradient() throws Exception {
        Path x = dir.resolve("x.csv");
        Path g = dir.resolve("g.csv");
        Files.writeString(x, "0.5,3\n0.5,3\n0.5,-1\n");
        Files.writeString(g, "1,1\n1,1\n1,1\n");
        Path o = dir.resolve("sub/out.csv");
        int rc = Main.execute("trace", "--neuron", "lif", "--integrator", "euler", "--dt", "1", "--input", x.toString(),
                "--grad", g.toString(), "--output", o.toString());
        assertEquals(0, rc, err());
        List<String> lines = Files.readAllLines(o);
        assertEquals("t,n,x,h,v,w,spike,grad_x", lines.get(0));
        assertEquals(1 + 3 * 2, lines.size());
        // lif euler decay_input, dt 1, tau 2: h = v + (x - v)/2. Neuron 1 at t=0: h = 1.5 -> spike, v = 0.
        assertTrue(lines.get(2).startsWith("0,1,3.0,1.5,0.0,0.0,1,"), lines.get(2));
        // Neuron 0: h = 0.25, then 0.25 + (0.5 - 0.25)/2 = 0.375; no spikes.
        assertTrue(lines.get(3).startsWith("1,0,0.5,0.375,0.375,0.0,0,"), lines.get(3));
    }

    @Test
    void traceOfIzhWritesTheRecoveryVariable() throws Exception {
        Path x = dir.resolve("x.csv");
        Files.writeString(x, "2.0\n");
        Path o = dir.resolve("o.csv");
        assertEquals(0, Main.execute("trace", "--neuron", "izh", "--integrator", "symplectic", "--dt", "1",
                "--input", x.toString(), "--output", o.toString()), err());
        // w1 = 0 + 1*(0.02*(0+0.1) - 0)/2 = 0.001; h = 0 + (2 + (0.1)(-0.8) - 0.001)/2 = 0.9595; no spike.
        String row = Files.readAllLines(o).get(1);
        String[] c = row.split(",");
        assertEquals(0.9595f, Float.parseFloat(c[3]), 1e-6f);
        assertEquals(0.001f, Float.parseFloat(c[5]), 1e-7f);
        assertEquals("0", c[6]);
    }

    @Test
    void aTraceRemovesTheTemporaryFileAKilledTraceOfItsOutputLeftAndNoOther() throws Exception {
        Path x = dir.resolve("x.csv");
        Files.writeString(x, "2.0\n");
        Path o = dir.resolve("o.csv");
        Path killed = dir.resolve("o.csv.fb3649c135c3.part"); // what a SIGKILL mid-write leaves
        Path others = dir.resolve("notes.csv.fb3649c135c3.part"); // another writer's, in the same folder
        Files.writeString(killed, "t,n,x");
        Files.writeString(others, "a,b");
        assertEquals(0, Main.execute("trace", "--neuron", "lif", "--input", x.toString(), "--output", o.toString()), err());
        assertTrue(Files.readString(o).startsWith("t,n,x,h,v,w,spike\n"));
        assertTrue(!Files.exists(killed) && Files.exists(others));
    }

    @Test
    void traceRejectsRaggedAndMismatchedInput() throws Exception {
        Path x = dir.resolve("x.csv");
        Files.writeString(x, "1,2\n3\n");
        assertEquals(2, Main.execute("trace", "--neuron", "lif", "--input", x.toString(), "--output", dir.resolve("o").toString()));
        assertTrue(err().contains("line 2 has 1 values, expected 2"), err());
        Files.writeString(x, "t,n\n");
        assertEquals(2, Main.execute("trace", "--neuron", "lif", "--input", x.toString(), "--output", dir.resolve("o").toString()));
        assertTrue(err().contains("is not a number (the file must have no header)"), err());
        // nan and inf as trace, numpy and pandas write them are values; 0x1p3, 2f and 1e999 are not
        Files.writeString(x, "\uFEFF0.5,nan\n-inf,INF\n1e-3,NaN\n\n\n"); // blank lines at the end are the end
        assertEquals(0, Main.execute("trace", "--neuron", "lif", "--input", x.toString(), "--output", dir.resolve("o").toString()),
                err());
        for (String[] bad : new String[][] {{"1,0x1p3\n", "'0x1p3' is not a number"}, {"1,2\n2f,1\n", "line 2 column 1: '2f' is "
                + "not a number"}, {"1,1e999\n", "'1e999' is beyond float range (write inf if that is meant)"},
            // an empty line inside (pandas' NaN in one column) would drop a step and shift the rest
            {"1\n\n2\n", "x.csv line 2 is empty: every line is one step"}}) {
            Files.writeString(x, bad[0]);
            assertEquals(2, Main.execute("trace", "--neuron", "lif", "--input", x.toString(), "--output",
                    dir.resolve("o").toString()));
            assertTrue(err().contains(bad[1]), err());
        }
        Files.writeString(x, "1,2\n");
        Path g = dir.resolve("g.csv");
        Files.writeString(g, "1\n");
        assertEquals(2, Main.execute("trace", "--neuron", "lif", "--input", x.toString(), "--grad", g.toString(),
                "--output", dir.resolve("o").toString()));
        assertTrue(err().contains("must have the same shape"), err());
        assertEquals(2, Main.execute("trace", "--neuron", "lif", "--input", dir.resolve("missing.csv").toString(),
                "--output", dir.resolve("o").toString()));
        assertTrue(err().contains("input file not found"), err());
    }

    @Test
    void traceNeverWritesOverItsInputsAndLeavesNoPartFile() throws Exception {
        Path x = dir.resolve("x.csv");
        Files.writeString(x, "1,2\n");
        Path g = dir.resolve("g.csv");
        Files.writeString(g, "1,1\n");
        Path sameX = dir.resolve("sub/../x.csv");
        Files.createDirectories(dir.resolve("sub"));
        assertEquals(2, Main.execute("trace", "--neuron", "lif", "--input", x.toString(), "--output", sameX.toString()));
        assertTrue(err().contains("--output " + sameX + " is also an input (" + x + ")"), err());
        assertEquals(2, Main.execute("trace", "--neuron", "lif", "--input", x.toString(), "--grad", g.toString(),
                "--output", g.toString()));
        assertTrue(err().contains("--output " + g + " is also an input (" + g + ")"), err());
        assertEquals("1,2\n", Files.readString(x));
        assertEquals("1,1\n", Files.readString(g));
        Path o = dir.resolve("o.csv");
        assertEquals(0, Main.execute("trace", "--neuron", "lif", "--input", x.toString(), "--output", o.toString()), err());
        assertEquals(1 + 2, Files.readAllLines(o).size(), "header and one row per neuron");
        assertTrue(!Files.exists(dir.resolve("o.csv.part")), "the temporary file is renamed into place");
        // an input that happens to have the output's name plus .part is neither clobbered nor removed
        Path part = dir.resolve("y.csv.part");
        Files.writeString(part, "1,2\n");
        Path y = dir.resolve("y.csv");
        assertEquals(0, Main.execute("trace", "--neuron", "lif", "--input", part.toString(), "--output", y.toString()), err());
        assertEquals("1,2\n", Files.readString(part));
        assertEquals(3, Files.readAllLines(y).size());
        try (var s = Files.list(dir)) {
            assertEquals(List.of(part), s.filter(f -> f.toString().endsWith(".part")).toList(), "no temporary left");
        }
    }

    @Test
    void threadCountsOutOfRangeAreOneLineErrors() {
        // 0 is every core; a huge count once ended in OutOfMemoryError: unable to create native thread
        for (String[] cmd : new String[][] {{"train", "--threads", "100000"}, {"rstdp", "--threads", "-1"},
                {"bench", "--what", "kernels", "--threads", "5000"}}) {
            assertEquals(2, Main.execute(cmd), String.join(" ", cmd));
            assertTrue(err().contains("error: --threads must be 0 (all cores) or 1 to 1024, got " + cmd[cmd.length - 1]),
                    err());
        }
    }

    @Test
    void valuesPastFloat32AreRefusedNotTurnedIntoNaN() {
        // 1e39 is a finite double and infinite as the float32 the kernels use: Adam's step, dt/tau
        assertEquals(2, Main.execute("train", "--lr", "1e39", "--data", dir.toString()));
        assertTrue(err().contains("error: --lr must be a finite float32 > 0, got 1.0E39"), err());
        clearConsole();
        assertEquals(2, Main.execute("train", "--dt", "1e39", "--data", dir.toString()));
        assertTrue(err().contains("error: --dt must be a finite float32 (below 3.4e38), got 1.0E39"), err());
        // and the other way: 1e-300 is 0 there (nothing charges), tau 1e-30 under dt 1e30 an infinite dt/tau
        clearConsole();
        assertEquals(2, Main.execute("train", "--dt", "1e-300", "--data", dir.toString()));
        assertTrue(err().contains("error: --dt must be at least 1.2e-38 (float32's smallest normal number, the kernels' "
                + "precision), got 1.0E-300"), err());
        clearConsole();
        assertEquals(2, Main.execute("train", "--tau", "1e-50", "--data", dir.toString()));
        assertTrue(err().contains("error: --tau must be at least 1.2e-38"), err());
        clearConsole();
        assertEquals(2, Main.execute("train", "--dt", "1e30", "--tau", "1e-30", "--data", dir.toString()));
        assertTrue(err().contains("error: --tau 1.0E-30 is too small for dt 1.0E30: dt / tau overflows float32"), err());
        clearConsole();
        assertEquals(2, Main.execute("train", "--model", "izh", "--dt", "1e30", "--tau", "1e-30", "--data", dir.toString()));
        assertTrue(err().contains("error: --tau 1.0E-30 is too small for dt 1.0E30"), err());
        clearConsole();
        assertEquals(2, Main.execute("train", "--dt", "1e-20", "--tau", "1e20", "--data", dir.toString()));
        assertTrue(err().contains("error: --tau 1.0E20 is too large for dt 1.0E-20: dt / tau is below float32's smallest "
                + "normal number"), err());
        clearConsole();
        assertEquals(2, Main.execute("train", "--dt", "2e-38", "--substeps", "64", "--data", dir.toString()));
        assertTrue(err().contains("error: --dt 2.0E-38 over 64 sub-steps is below float32's smallest normal number"), err());
        clearConsole();
        assertEquals(2, Main.execute("train", "--dt", "1e-36", "--substeps", "64", "--data", dir.toString()));
        assertTrue(err().contains("error: --tau 2.0 is too large for a sub-step of dt 1.0E-36 / 64 sub-steps: dt / K / tau is "
                + "below float32's smallest normal number (the kernels' precision); fewer sub-steps or a larger dt"), err());
    }

    @Test
    void threadsWithAnExplicitCudaBackendAreRefusedNotIgnored() throws Exception {
        Path config = dir.resolve("g.yaml");
        Files.writeString(config, "name: g\nexperiment: train\nbase: {T: 4, epochs: 1}\naxes: {seed: [0]}\n");
        for (String[] cmd : new String[][] {{"train"}, {"rstdp"}, {"eval", "--weights", dir.resolve("w").toString()},
                {"bench", "--what", "kernels"}, {"sweep", config.toString()}}) {
            clearConsole();
            String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(cmd),
                    java.util.stream.Stream.of("--backend", "cuda", "--threads", "2", "--data", dir.toString())).toArray(String[]::new);
            assertEquals(2, Main.execute(args), String.join(" ", args));
            assertTrue(err().contains("error: --threads 2 sets the CPU backend's threads: --backend cuda computes on the GPU "
                    + "and does not use them (leave --threads out)"), String.join(" ", args) + ": " + err());
        }
    }

    @Test
    void aHugeHiddenLayerIsAOneLineError() {
        // 3000000 once overflowed an array size (NegativeArraySizeException), 1000000 ran out of heap
        for (String cmd : new String[] {"train", "rstdp"}) {
            clearConsole();
            assertEquals(2, Main.execute(cmd, "--hidden", "3000000"));
            assertTrue(err().contains("error: --hidden must be within [1, 65536], got 3000000"), err());
        }
    }

    @Test
    void unknownIntegratorIsAClearErrorWithoutStackTrace() throws Exception {
        Path x = dir.resolve("x.csv");
        Files.writeString(x, "1\n");
        assertEquals(2, Main.execute("trace", "--neuron", "izh", "--integrator", "exp", "--input", x.toString(),
                "--output", dir.resolve("o").toString()));
        assertTrue(err().contains("error: integrator 'exp' is not defined for izh: use euler, symplectic, rk2 or rk4"), err());
        assertEquals(2, Main.execute("trace", "--neuron", "lif", "--integrator", "rk5", "--input", x.toString(),
                "--output", dir.resolve("o").toString()));
        // lif's integrators, not izh's symplectic, as the option gave it
        assertTrue(err().contains("error: --integrator 'rk5': unknown integrator; expected one of euler, exp, zoh, rk2, "
                + "rk4\n"), err());
        assertEquals(2, Main.execute("trace", "--neuron", "lif", "--substeps", "1,2", "--input", x.toString(),
                "--output", dir.resolve("o").toString()));
        assertTrue(err().contains("'--substeps': '1,2' is not an int"), err());
        assertTrue(!err().contains("\tat "), "no stack trace: " + err());
    }

    @Test
    void traceTakesRk4AndSubStepsWithTheirGradient() throws Exception {
        Path x = dir.resolve("x.csv");
        Path g = dir.resolve("g.csv");
        Files.writeString(x, "0.5,2\n0.5,2\n0.5,2\n");
        Files.writeString(g, "1,1\n1,1\n1,1\n");
        Path o = dir.resolve("izh.csv");
        assertEquals(0, Main.execute("trace", "--neuron", "izh", "--integrator", "rk4", "--substeps", "2", "--dt", "1",
                "--input", x.toString(), "--grad", g.toString(), "--output", o.toString()), err());
        List<String> lines = Files.readAllLines(o);
        assertEquals(1 + 3 * 2, lines.size());
        for (String line : lines.subList(1, lines.size())) {
            double gradX = Double.parseDouble(line.substring(line.lastIndexOf(',') + 1));
            assertTrue(Double.isFinite(gradX), line);
        }
        // lif rk2, dt 1, tau 2, decay_input, from v = 0 with x = 0.5: k1 = 0.25, k2 = (0.5 - 0.25)/2 = 0.125,
        // h = 0 + 0.5 * (0.25 + 0.125) = 0.1875
        Path l = dir.resolve("lif.csv");
        assertEquals(0, Main.execute("trace", "--neuron", "lif", "--integrator", "rk2", "--dt", "1", "--input", x.toString(),
                "--output", l.toString()), err());
        assertTrue(Files.readAllLines(l).get(1).startsWith("0,0,0.5,0.1875,0.1875,"), Files.readAllLines(l).get(1));
        assertTrue(err().contains("trace: izh rk4 dt 1.0 x2 sub-steps"), err());
    }

    @Test
    void trainWithoutDataSaysHowToGetIt() {
        int rc = Main.execute("train", "--dataset", "mnist", "--data", dir.toString(), "--epochs", "1");
        assertEquals(2, rc);
        assertTrue(err().contains("spikestep data mnist"), err());
    }

    @Test
    void trainRejectsBadOptionValues() {
        assertEquals(2, Main.execute("train", "--dt", "-1", "--data", dir.toString()));
        assertTrue(err().contains("error: --dt must be a finite number > 0, got -1.0"), err());
        // a reset at or above the threshold fires every neuron at every step: refused, for each model
        assertEquals(2, Main.execute("train", "--v-reset", "5", "--data", dir.toString()));
        assertTrue(err().contains("error: --v-reset 5.0 must be below v_th 1.0 (at or above it every neuron would fire at "
                + "every step): lower the reset or raise the threshold"), err());
        assertEquals(2, Main.execute("train", "--model", "izh", "--v-th", "0", "--data", dir.toString()));
        assertTrue(err().contains("error: --v-reset 0.0 must be below v_th 0.0"), err());
        assertEquals(2, Main.execute("train", "--soft-reset", "--v-th", "-0.5", "--data", dir.toString()));
        assertTrue(err().contains("error: --v-th must be > 0 with a soft reset"), err());
        // an option the neuron would not use is refused, not dropped
        assertEquals(2, Main.execute("train", "--soft-reset", "--v-reset", "0.5", "--data", dir.toString()));
        assertTrue(err().contains("error: --v-reset is the potential after a hard reset; with --soft-reset"), err());
        assertEquals(2, Main.execute("train", "--model", "izh", "--decay-input", "false", "--data", dir.toString()));
        assertTrue(err().contains("error: --decay-input applies to lif only, not to izh"), err());
        assertEquals(2, Main.execute("train", "--readout", "median", "--data", dir.toString()));
        assertTrue(err().contains("error: --readout 'median': unknown readout; expected last, max, mean or sum"), err());
        assertEquals(2, Main.execute("train", "--dataset", "cifar", "--data", dir.toString()));
        assertTrue(err().contains("error: --dataset 'cifar': unknown dataset; choose one of mnist"), err());
    }

    @Test
    void anUnknownNameIsNamedByTheOptionItCameFrom() {
        String d = dir.toString();
        String[][] cases = { // the message, then the command line
            {"error: --model 'hh': unknown model; expected lif or izh",
                "train", "--model", "hh", "--decay-input", "false", "--data", d},
            {"error: --integrator 'rk5': unknown integrator; expected one of euler, symplectic, rk2, rk4",
                "train", "--model", "izh", "--integrator", "rk5", "--data", d},
            {"error: --encoder 'gauss': unknown encoder; expected exact, approx or bernoulli",
                "train", "--encoder", "gauss", "--data", d},
            {"error: --neuron 'hh': unknown model; expected lif or izh",
                "trace", "--neuron", "hh", "--input", "x.csv", "--output", "o.csv"},
            {"error: --models 'hh': unknown model; expected lif or izh", "converge", "--out", d, "--models", "lif,hh"},
            {"error: DATASET 'cifar': unknown dataset; choose one of", "data", "cifar", "--data", d},
        };
        for (String[] c : cases) {
            clearConsole();
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            assertEquals(2, Main.execute(args), String.join(" ", args));
            assertTrue(err().startsWith(c[0]) && err().lines().count() == 1, String.join(" ", args) + ": " + err());
        }
    }

    @Test
    void aSettingTakesTheSameNameInEveryCommand() throws Exception {
        Path x = dir.resolve("x.csv");
        Files.writeString(x, "1\n");
        assertEquals(0, Main.execute("trace", "--model", "izh", "--input", x.toString(), "--output",
                dir.resolve("o.csv").toString()), err());
        assertTrue(err().contains("trace: izh symplectic"), err());
        BenchCommand bench = new BenchCommand();
        new picocli.CommandLine(bench).parseArgs("--models", "izh", "--integrators", "euler,rk4");
        assertEquals(List.of("izh"), bench.models);
        assertEquals("euler,rk4", bench.neuron.integrator);
        ConvergeCommand converge = new ConvergeCommand();
        new picocli.CommandLine(converge).parseArgs("--out", "c", "--model", "lif", "--integrator", "exp,rk2");
        assertEquals(List.of("lif"), converge.models);
        assertEquals(List.of("exp", "rk2"), converge.integrators);
    }

    @Test
    void trainAndTraceHelpDescribeTheirOwnSingleValuesAndBenchItsLists() {
        for (String name : List.of("train", "trace")) {
            clearConsole();
            assertEquals(0, Main.execute(name, "--help"), name);
            String help = out();
            assertTrue(help.contains("[--substeps=K]") && !help.contains("K[,K...]"), name + ": " + help);
            assertFalse(help.contains("bench takes") || help.contains("In bench") || help.contains("filters every"),
                    name + ": " + help);
        }
        clearConsole();
        assertEquals(0, Main.execute("bench", "--help"));
        assertTrue(out().contains("--substeps=K[,K...]") && out().contains("--integrator, --integrators=LIST")
                && out().contains("--model, --models="), out());
    }

    @Test
    void helpExplainsTheCommands() {
        assertEquals(0, Main.execute("--help"));
        String help = out();
        assertTrue(help.contains("train") && help.contains("trace") && help.contains("data"), help);
        assertEquals(0, Main.execute("train", "--help"));
        assertTrue(out().contains("--integrator"));
        assertEquals(0, Main.execute("eval", "--help"));
        assertTrue(out().contains("Whose test set, under --data (default: the dataset"), out());
    }

    @Test
    void benchAndSelftestShowTheValueListsAndLabelsTrainShows() {
        assertEquals(0, Main.execute("bench", "--help"));
        String bench = out().replaceAll("\\s+", ""); // the usage wraps
        for (String shown : List.of("--backend=cpu|cuda|auto", "--dataset=mnist|mnist-sample|fashion", "--data=DIR",
                "--out=DIR", "--T=STEPS")) {
            assertTrue(bench.contains(shown), shown + " in " + out());
        }
        assertEquals(0, Main.execute("selftest", "--help"));
        assertTrue(out().contains("--backend=cuda|auto"), out());
    }

    @Test
    void everyCommandsHelpIsFormattedWithoutPicocliWarnings() {
        for (String name : new picocli.CommandLine(new Main()).getSubcommands().keySet()) {
            assertEquals(0, Main.execute(name, "--help"), name);
            String text = out() + err();
            // A bare '%' in a description makes picocli print its raw text with a warning.
            assertTrue(!text.contains("picocli WARN") && !text.contains("%n"), name + ": " + text);
        }
    }

    @Test
    void usageMistakesAreOneErrorLineNotTheHelpPage() {
        assertEquals(2, Main.execute("train", "--bogus"));
        assertEquals("error: Unknown option: '--bogus'\nRun 'spikestep train --help' for its options.\n",
                err().replace("\r", ""));
        assertTrue(!err().contains("Usage:"), err());
        assertEquals(2, Main.execute("train", "--T", "x"));
        assertTrue(err().contains("error: Invalid value for option '--T': 'x' is not an int"), err());
        assertEquals(2, Main.execute("trian"));
        assertTrue(err().contains("error: unknown command 'trian'") && err().contains("Did you mean")
                && err().contains("Run 'spikestep --help' for its commands."), err());
        assertTrue(!err().contains("Usage:"), err());
    }

    @Test
    void everyIntegratorOptionListsEveryIntegratorOfEachModel() {
        int checked = 0;
        for (var e : new picocli.CommandLine(new Main()).getSubcommands().entrySet()) {
            picocli.CommandLine.Model.OptionSpec opt = e.getValue().getCommandSpec().findOption("--integrator");
            // rstdp's network is lif only, its label lists them; converge's --integrator is its --integrators list
            if (opt == null || e.getKey().equals("rstdp") || e.getKey().equals("converge")) {
                continue;
            }
            String help = String.join(" ", opt.description());
            for (String model : List.of("lif", "izh")) {
                String names = model + ": " + String.join(" | ", dev.spikestep.neuron.Integrator.cliNames(model));
                assertTrue(help.contains(names), e.getKey() + " --integrator: " + help + " lacks '" + names + "'");
            }
            checked++;
        }
        assertEquals(4, checked, "train, eval, trace and bench take --integrator");
        String rstdp = new picocli.CommandLine(new Main()).getSubcommands().get("rstdp").getCommandSpec()
                .findOption("--integrator").paramLabel();
        assertEquals(String.join("|", dev.spikestep.neuron.Integrator.cliNames("lif")), rstdp);
    }

    @Test
    void examplesFitTheHelpWidthSoThatNoCommandIsWrappedMidWay() {
        for (var e : new picocli.CommandLine(new Main()).getSubcommands().entrySet()) {
            var usage = e.getValue().getCommandSpec().usageMessage();
            for (String line : usage.footer()) {
                assertTrue(line.length() <= usage.width(), e.getKey() + " --help wraps: '" + line + "'");
            }
        }
    }

    @Test
    void anEmptyPathIsRefusedNotTakenForTheWorkingDirectory() {
        assertEquals(2, Main.execute("train", "--out", ""));
        assertTrue(err().contains("error: Invalid value for option '--out': the path is empty"), err());
        assertEquals(2, Main.execute("report", " "));
        assertTrue(err().contains("(DIR): the path is empty"), err());
    }

    @Test
    void everySubcommandPrintsTheVersionAndTheCommitItWasBuiltFrom() {
        for (String name : new picocli.CommandLine(new Main()).getSubcommands().keySet()) {
            if (name.equals("help")) {
                continue;
            }
            int before = out().length();
            assertEquals(0, Main.execute(name, "-V"), name);
            // the commit the jar was built from (BuildInfo; unknown in a plain mvn build)
            assertEquals("spikestep 0.1.0 (commit " + dev.spikestep.BuildInfo.commit() + ")", out().substring(before).strip(),
                    name);
        }
    }
}
