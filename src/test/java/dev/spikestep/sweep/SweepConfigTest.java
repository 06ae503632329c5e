package dev.spikestep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SweepConfigTest {
    private static SweepConfig parse(String yaml) {
        return SweepConfig.parse("t.yaml", yaml);
    }

    private static String error(String yaml) {
        return assertThrows(SpikestepException.class, () -> parse(yaml)).getMessage();
    }

    private static void assertContains(String text, String... parts) {
        for (String p : parts) {
            assertTrue(text.contains(p), "expected '" + p + "' in: " + text);
        }
    }

    @Test
    void anIntegerPastIntRangeIsAOneLineError() {
        RunPoint p = parse("name: t\nexperiment: train\nbase: {T: 99999999999}\n").expand().get(0);
        SpikestepException e = assertThrows(SpikestepException.class, () -> p.int32("T"));
        assertEquals("--T must be at most 2147483647, got 99999999999", e.getMessage()); // a sweep names it base.T
    }

    @Test
    void aMissingFileSaysSo() {
        Path missing = Path.of("configs", "no-such-sweep.yaml");
        SpikestepException e = assertThrows(SpikestepException.class, () -> SweepConfig.load(missing));
        assertEquals("cannot read sweep configuration " + missing + ": no such file or directory", e.getMessage());
    }

    @Test
    void substepsAndTheRungeKuttaIntegratorsAreAxes() {
        SweepConfig c = parse("""
                name: k
                experiment: train
                base: {T: 20, epochs: 1, dataset: mnist-sample}
                axes:
                  model_integrator: [lif/rk4, izh/rk2]
                  substeps: [1, 2, 4]
                """);
        List<RunPoint> grid = c.expand();
        assertEquals(6, grid.size());
        assertEquals(4L, grid.get(2).integer("substeps"));
        assertEquals("rk2", grid.get(3).string("integrator"));
        assertEquals(4, TrainRunner.neuron(grid.get(5)).substeps(), "a train point's neuron carries its sub-steps");
        assertContains(error("name: x\nexperiment: train\naxes: {substeps: [1, 0]}\n"), "substeps");
    }

    @Test
    void expandsTheAxesInFileOrderFirstAxisSlowest() {
        SweepConfig c = parse("""
                name: g
                experiment: train
                base: {T: 20, epochs: 2, dataset: mnist-sample}
                axes:
                  model_integrator: [lif/exp, izh/symplectic]
                  dt: [0.5, 5]
                  seed: [0, 1, 2]
                """);
        List<RunPoint> grid = c.expand();
        assertEquals(12, grid.size());
        RunPoint p0 = grid.get(0);
        assertEquals(Map.of("model", "lif", "integrator", "exp", "dt", 0.5, "seed", 0L),
                Map.of("model", p0.string("model"), "integrator", p0.string("integrator"), "dt", p0.number("dt"),
                        "seed", p0.integer("seed")));
        assertEquals(1L, grid.get(1).integer("seed"));
        assertEquals(5.0, grid.get(3).number("dt"));
        assertEquals("izh", grid.get(6).string("model"));
        assertEquals("symplectic", grid.get(11).string("integrator"));
        for (int i = 0; i < grid.size(); i++) {
            assertEquals(i, grid.get(i).index());
        }
        // Every key resolved, defaults included, with canonical types.
        assertEquals(20L, p0.params().get("T"));
        assertEquals(128L, p0.params().get("batch"));
        assertEquals(1e-3, p0.params().get("lr"));
        assertEquals("max", p0.params().get("readout"));
        assertEquals(12, grid.stream().map(RunPoint::runId).distinct().count());
        assertEquals(List.of("model", "integrator", "dt", "seed"), c.varying());
    }

    @Test
    void runIdDependsOnTheParametersOnly() {
        RunPoint a = parse("name: a\nexperiment: train\nbase: {dt: 5.0, seed: 3}\n").expand().get(0);
        RunPoint b = parse("name: b\nexperiment: train\naxes: {seed: [1, 3], dt: [5]}\n").expand().get(1);
        assertEquals(3L, b.integer("seed"));
        assertEquals(a.runId(), b.runId(), "same parameters, other sweep name, order and position");
        RunPoint c = parse("name: c\nexperiment: train\nbase: {dt: 5.0, seed: 3, lr: 2e-3}\n").expand().get(0);
        assertNotEquals(a.runId(), c.runId());
        assertEquals(2e-3, c.number("lr"), "YAML reads 2e-3 as text; it is taken as the number it means");
        assertTrue(a.runId().matches("[0-9a-f]{12}"), a.runId());
    }

    @Test
    void separateModelAndIntegratorAxesKeepOnlyDefinedPairs() {
        List<RunPoint> grid = parse("""
                name: pairs
                experiment: train
                axes: {model: [lif, izh], integrator: [euler, exp, symplectic]}
                """).expand();
        assertEquals(List.of("lif/euler", "lif/exp", "izh/euler", "izh/symplectic"),
                grid.stream().map(p -> p.string("model") + "/" + p.string("integrator")).collect(Collectors.toList()));
        assertContains(error("name: x\nexperiment: train\naxes: {model: [izh], integrator: [euler, zoh]}\n"),
                "axes.integrator", "'zoh'", "none of the models [izh] (izh: euler, symplectic, rk2, rk4)");
        assertEquals("symplectic", parse("name: x\nexperiment: train\nbase: {model: izh}\n").expand().get(0).string("integrator"),
                "izh defaults to symplectic, as in 'train'");
    }

    @Test
    void settingsARunWouldNotUseAreLeftOutWhereAnAxisCrossesThemElseRefused() {
        // lif's decay_input crossed with izh: izh runs once, with its only charge
        List<RunPoint> grid = parse("""
                name: d
                experiment: train
                axes: {model_integrator: [lif/exp, izh/symplectic], decay_input: [true, false]}
                """).expand();
        assertEquals(List.of("lif/true", "lif/false", "izh/true"),
                grid.stream().map(p -> p.string("model") + "/" + p.bool("decay_input")).collect(Collectors.toList()));
        assertContains(error("name: x\nexperiment: train\nbase: {model: izh, decay_input: false}\n"),
                "t.yaml: decay_input false applies to lif only, not izh (base.decay_input): the run would not use it");
        assertContains(error("name: x\nexperiment: train\nbase: {model: izh}\naxes: {decay_input: [true, false]}\n"),
                "decay_input false applies to lif only", "(axes.decay_input)");
        // v_reset crossed with soft_reset: the soft reset runs with its own v_reset 0 only
        grid = parse("name: r\nexperiment: train\naxes: {soft_reset: [false, true], v_reset: [0, -0.5]}\n").expand();
        assertEquals(List.of("false/0.0", "false/-0.5", "true/0.0"),
                grid.stream().map(p -> p.bool("soft_reset") + "/" + p.number("v_reset")).collect(Collectors.toList()));
        assertContains(error("name: x\nexperiment: train\nbase: {soft_reset: true, v_reset: -0.5}\n"),
                "v_reset -0.5 does not apply with soft_reset true", "(base.v_reset)");
        assertContains(error("name: x\nexperiment: train\naxes: {model: [izh], decay_input: [false]}\n"),
                "t.yaml: the grid has no points: decay_input false applies to lif only, not izh in every one");
    }

    @Test
    void anRstdpGridTakesTheRangesOfRstdpsOptions() {
        RunPoint p = parse("name: r\nexperiment: rstdp\nbase: {dt: 0.5, lr: 0, teach_decay: 0, max_train_batches: 0, "
                + "max_test_batches: 0}\n").expand().get(0);
        assertEquals(0.0, p.number("lr"), "lr 0: no updates, as rstdp --lr 0");
        assertEquals(0, p.int32("max_train_batches"), "0 = all, as rstdp --max-train-batches 0");
        assertContains(error("name: r\nexperiment: rstdp\nbase: {dt: 0.5, lr: -1}\n"), "base.lr", "-1");
        assertContains(error("name: r\nexperiment: rstdp\nbase: {dt: 0.5, max_test_batches: -1}\n"), "base.max_test_batches");
    }

    @Test
    void invalidCombinationsAreErrors() {
        assertContains(error("name: x\nexperiment: train\naxes: {model_integrator: [lif/exp, izh/exp]}\n"),
                "t.yaml", "axes.model_integrator[1]", "'izh/exp'", "allowed values: lif/euler, lif/exp, lif/zoh, lif/rk2, lif/rk4, izh/euler, izh/symplectic, izh/rk2, izh/rk4");
        assertContains(error("name: x\nexperiment: train\nbase: {model: izh}\naxes: {integrator: [exp]}\n"),
                "integrator 'exp' is not defined for model izh", "euler, symplectic");
        assertContains(error("name: x\nexperiment: train\nbase: {model: lif}\naxes: {model_integrator: [lif/exp]}\n"),
                "model_integrator sets model and integrator", "model");
    }

    @Test
    void unknownKeysAreNamedWithTheAllowedOnes() {
        assertContains(error("name: x\nexperiment: train\nbsae: {T: 3}\n"),
                "unknown key 'bsae'", "name, experiment, description, base, axes");
        assertContains(error("name: x\nexperiment: train\nbase: {steps: 3}\n"),
                "unknown key 'base.steps'", "allowed keys in base:", "model, model_integrator, integrator, dt, substeps, T,");
        assertContains(error("name: x\nexperiment: train\naxes: {reward: [pm1]}\n"), "unknown key 'axes.reward'");
        assertContains(error("name: x\nexperiment: rstdp\nbase: {dt: 1, readout: max}\n"),
                "unknown key 'base.readout'", "reward", "teach_decay", "max_train_batches");
    }

    @Test
    void badValuesNameTheKeyAndTheAllowedValues() {
        assertContains(error("name: x\nexperiment: train\nbase: {readout: maxx}\n"),
                "base.readout", "'maxx'", "allowed values: last, max, mean, sum");
        assertContains(error("name: x\nexperiment: train\nbase: {T: fifty}\n"), "base.T", "an integer >= 1");
        assertContains(error("name: x\nexperiment: train\nbase: {T: 0}\n"), "base.T", "0 is not allowed");
        assertContains(error("name: x\nexperiment: train\naxes: {dt: [1, -0.5]}\n"), "axes.dt[1]", "-0.5", "a finite number > 0");
        assertContains(error("name: x\nexperiment: train\naxes: {dt: 1.0}\n"), "axes.dt", "expected a non-empty list");
        assertContains(error("name: x\nexperiment: train\naxes: {seed: [1, 1]}\n"), "axes.seed", "appears twice");
        assertContains(error("name: x\nexperiment: train\nbase: {seed: 1}\naxes: {seed: [2]}\n"), "seed is both in base and in axes");
        assertContains(error("name: x\nexperiment: train\nbase: {decay_input: yes please}\n"), "base.decay_input", "true, false");
        assertContains(error("name: x\nexperiment: rstdp\nbase: {reward: plus}\naxes: {dt: [0.1]}\n"),
                "base.reward", "'plus'", "pm1, onehot");
        assertContains(error("name: x\nexperiment: rstdp\naxes: {integrator: [euler, symplectic]}\n"),
                "axes.integrator[1]", "euler, exp, zoh");
        assertContains(error("name: x\nexperiment: rstdp\nbase: {T: 200}\n"), "dt is required");
        assertContains(error("name: x\nexperiment: sgd\n"), "experiment", "'sgd'", "train, rstdp");
        assertContains(error("experiment: train\n"), "name: missing");
        assertContains(error("name: a b\nexperiment: train\n"), "name", "letters, digits");
        assertContains(error("name: x\nexperiment: train\nbase: {T: 1, T: 2}\n"), "not valid YAML", "duplicate key");
        assertContains(error("- just a list\n"), "expected a mapping");
    }

    @Test
    void yamlIsReadWithTheCoreSchemaSoThatYaml11QuirksAreRefusedNotTakenSilently() {
        // YAML 1.1 would read these as 90, true, a boolean and a date
        assertContains(error("name: x\nexperiment: train\nbase: {T: 1:30}\n"), "base.T", "'1:30' is not allowed");
        assertContains(error("name: x\nexperiment: train\nbase: {soft_reset: yes}\n"), "base.soft_reset", "'yes'",
                "true, false");
        assertContains(error("name: x\nexperiment: train\nbase: {readout: on}\n"), "base.readout", "'on'", "last, max");
        assertContains(error("name: x\nexperiment: train\nbase: {lr: 1..0e-3}\n"), "base.lr", "'1..0e-3' is not allowed");
        assertContains(error("name: x\nexperiment: train\nbase: {dt: \"0.5\"}\n"), "base.dt", "'0.5' is not allowed");
        assertContains(error("name: x\nexperiment: train\nbase: {lr: \"1e-3\"}\n"), "base.lr", "'1e-3' is not allowed");
        assertContains(error("name: x\nexperiment: train\naxes: {seed: !!str [1]}\n"), "t.yaml: not valid YAML");
        RunPoint p = parse("name: 123\nexperiment: train\nbase: {T: 010, lr: 1e-3, dt: .5, soft_reset: True}\n").expand().get(0);
        assertEquals(10L, p.params().get("T"), "decimal, not octal 8");
        assertEquals(1e-3, p.params().get("lr"));
        assertEquals(0.5, p.params().get("dt"));
        assertEquals(true, p.params().get("soft_reset"));
        assertEquals("123", parse("name: 123\nexperiment: train\n").name(), "a numeric name is its text");
    }

    @Test
    void anEvalIntegratorNoModelOfTheGridDefinesIsAnErrorNotDropped() {
        assertContains(error("name: x\nexperiment: transfer\naxes: {model: [lif], eval_integrator: [exp, symplectic]}\n"),
                "axes.eval_integrator: 'symplectic' is defined for none of the models [lif] (lif: euler, exp, zoh, rk2, rk4)");
        assertContains(error("name: x\nexperiment: transfer\naxes: {model_integrator: [lif/exp], eval_integrator: "
                + "[symplectic]}\n"), "axes.eval_integrator: 'symplectic' is defined for none of the models [lif]");
        List<RunPoint> grid = parse("name: x\nexperiment: transfer\naxes: {model: [lif, izh], eval_integrator: [exp, "
                + "symplectic]}\n").expand();
        assertEquals(List.of("lif/exp", "izh/symplectic"), grid.stream().map(q -> q.string("model") + "/"
                + q.string("eval_integrator")).collect(Collectors.toList()));
    }

    @Test
    void aTrainGridsDefaultsAreTrainsOwn() {
        picocli.CommandLine.Model.CommandSpec train = new picocli.CommandLine(new dev.spikestep.cli.Main()).getSubcommands()
                .get("train").getCommandSpec();
        int compared = 0;
        for (ParamSpec p : ExperimentSchema.TRAIN.params().values()) {
            picocli.CommandLine.Model.OptionSpec o = train.findOption(dev.spikestep.BadValueException.option(p.key()));
            if (o == null || o.defaultValue() == null || p.defaultValue() == null) {
                continue; // no such option, or one whose default is its absence (--integrator, --soft-reset)
            }
            Object mine = p.defaultValue();
            String theirs = o.defaultValue();
            if (mine instanceof Number n) {
                assertEquals(Double.parseDouble(theirs), n.doubleValue(), p.key());
            } else {
                assertEquals(theirs, mine.toString(), p.key());
            }
            compared++;
        }
        assertTrue(compared >= 14, "compared " + compared);
    }

    @Test
    void theShippedConfigsAreValid() throws Exception {
        Map<String, Integer> sizes = Map.of("dt-grid", 28, "dt5-seeds", 40, "rstdp-dt", 10, "quick", 24, "transfer", 24);
        sizes.forEach((name, n) -> {
            SweepConfig c = SweepConfig.load(Path.of("configs", name + ".yaml"));
            assertEquals(name, c.name());
            assertEquals(n, c.expand().size(), name);
        });
        SweepConfig dt = SweepConfig.load(Path.of("configs", "dt-grid.yaml"));
        assertEquals(List.of(0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0),
                dt.expand().stream().map(p -> p.number("dt")).distinct().toList());
        assertTrue(dt.expand().stream().allMatch(p -> p.integer("T") == 50 && p.integer("epochs") == 10));
        SweepConfig rs = SweepConfig.load(Path.of("configs", "rstdp-dt.yaml"));
        assertEquals("rstdp", rs.experiment());
        assertTrue(!java.nio.file.Files.readString(Path.of("configs", "rstdp-dt.yaml")).contains("Runs only in a build"),
                "rstdp is built in: the config says nothing else");
        assertEquals(List.of(0.5, 0.1, 0.05, 0.01, 0.005), rs.expand().stream().map(p -> p.number("dt")).distinct().toList());
        SweepConfig seeds = SweepConfig.load(Path.of("configs", "dt5-seeds.yaml"));
        assertEquals(List.of("max", "mean"), seeds.expand().stream().map(p -> p.string("readout")).distinct().toList());
    }

    @Test
    void shardsPartitionTheGrid() {
        List<RunPoint> grid = SweepConfig.load(Path.of("configs", "quick.yaml")).expand();
        List<RunPoint> a = Shard.parse("0/3").select(grid);
        List<RunPoint> b = Shard.parse("1/3").select(grid);
        List<RunPoint> c = Shard.parse(" 2/3 ").select(grid);
        assertEquals(grid.size(), a.size() + b.size() + c.size());
        assertEquals(List.of(0, 3, 6), a.stream().limit(3).map(RunPoint::index).toList());
        assertContains(assertThrows(SpikestepException.class, () -> Shard.parse("3/3")).getMessage(), "0 <= K < N");
        assertContains(assertThrows(SpikestepException.class, () -> Shard.parse("1")).getMessage(), "expected K/N");
    }
}
