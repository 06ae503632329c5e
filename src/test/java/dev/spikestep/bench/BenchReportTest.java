package dev.spikestep.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import dev.spikestep.bench.Traffic.Pass;
import dev.spikestep.data.Dataset;
import dev.spikestep.net.PhaseTimes;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness without its timings: rows, files, formats. Times are fixed or only counted. */
class BenchReportTest {
    @TempDir
    Path dir;

    static final BenchReport.Env ENV = new BenchReport.Env("cpu", "Test \"CPU\", 2 threads", "", "JVM 17", 2,
            "scalar", "0123456789abcdef0123456789abcdef01234567", "2025-01-01T00:00:00Z");

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    static List<NeuronSpec> allSpecs() {
        return List.of(LifSpec.notebook(Integrator.EULER, 1), LifSpec.notebook(Integrator.EXP, 1),
                LifSpec.notebook(Integrator.ZOH, 1), IzhSpec.notebook(Integrator.EULER, 1),
                IzhSpec.notebook(Integrator.SYMPLECTIC, 1));
    }

    static KernelBench.Sample sample(Pass pass, double peak) {
        // 1 ms per call over 50 x 128 x 256 neuron-steps.
        return new KernelBench.Sample(LifSpec.notebook(Integrator.EXP, 5), pass, "cuda", 50, 128, 256, 0,
                Stats.of(new double[] {1e-3, 0.9e-3, 1.2e-3}), Traffic.bytesPerCall(pass, 4, 50, 128 * 256), peak);
    }

    /** A CPU sample of 1 ms per call over 50 x 128 x 256 neuron-steps, with a peak and an in-cache time. */
    static KernelBench.Sample cpuSample(Pass pass, double peak, double inCacheNs) {
        return new KernelBench.Sample(LifSpec.notebook(Integrator.EXP, 5), pass, "cpu", 50, 128, 256, 2,
                Stats.of(new double[] {1e-3, 0.9e-3, 1.2e-3}), Traffic.bytesPerCall(pass, 1, 50, 128 * 256), peak,
                inCacheNs);
    }

    @Test
    void theFloorIsTheLongerOfTheBytesAtThePeakAndTheInCacheArithmetic() {
        // forward: 9 B x 1,638,400 neuron-steps = 14.7 MB; at 29.49 GB/s that is 0.5 ms
        double peak = 9.0 * 50 * 128 * 256 / 0.5e-3;
        KernelBench.Sample memory = cpuSample(Pass.FORWARD, peak, 0.1); // arithmetic 0.164 ms
        assertEquals("memory", memory.bound());
        assertEquals(0.5e-3, memory.floorSeconds(), 1e-12);
        assertEquals(0.5, memory.fractionOfFloor(), 1e-9);
        assertEquals(memory.fractionOfPeak(), memory.fractionOfFloor(), 1e-12);
        KernelBench.Sample compute = cpuSample(Pass.FORWARD, peak, 0.5); // arithmetic 0.8192 ms
        assertEquals("compute", compute.bound());
        assertEquals(0.8192e-3, compute.floorSeconds(), 1e-12);
        assertEquals(0.8192, compute.fractionOfFloor(), 1e-9);
        // Either one unknown: no floor, no bound.
        assertEquals("", cpuSample(Pass.FORWARD, Double.NaN, 0.5).bound());
        assertTrue(Double.isNaN(cpuSample(Pass.FORWARD, peak, Double.NaN).fractionOfFloor()));
        assertThrows(IllegalArgumentException.class, () -> cpuSample(Pass.FORWARD, peak, 0));
        assertThrows(IllegalArgumentException.class, () -> cpuSample(Pass.FORWARD, peak, -1));

        Map<String, Object> r = BenchReport.kernelRow(compute, ENV);
        assertEquals(BenchReport.COLUMNS, List.copyOf(r.keySet()));
        assertEquals(0.5, (double) r.get("in_cache_ns_per_neuron_step"), 1e-12);
        assertEquals("compute", r.get("bound"));
        assertEquals(81.92, (double) r.get("pct_of_floor"), 1e-9);
        String line = BenchReport.kernelTable(List.of(compute)).lines().skip(1).findFirst().orElseThrow();
        assertTrue(line.endsWith("0.5000 compute    81.9          -"), line);
        String md = BenchReport.markdown(ENV, 50, 128, 256, List.of(memory), List.of());
        assertTrue(md.contains("| 0.1000 | memory | 50.0 |"), md);
    }

    /** Where the timed calls allocate, the sample says how much per call (a boxed vector's megabytes show). */
    @Test
    void theTimedCallsHeapIsCountedPerCallAndShownInTheTables() {
        Assumptions.assumeTrue(KernelBench.allocatedBytes() >= 0, "this JVM does not count allocated bytes");
        KernelBench.Timed quiet = KernelBench.time(() -> SINK[0] = SINK.length, 0, 5);
        assertTrue(quiet.allocBytesPerCall() < 1000, "a call allocating nothing: " + quiet.allocBytesPerCall());
        KernelBench.Timed megabyte = KernelBench.time(() -> HEAP[0] = new byte[1 << 20], 0, 5);
        assertEquals(1 << 20, megabyte.allocBytesPerCall(), 4096, "a call allocating 1 MiB");
        List<NeuronSpec> specs = List.of(LifSpec.notebook(Integrator.EXP, 5));
        for (KernelBench.Sample k : KernelBench.cpu(specs, 4, 2, 64, 1, 1, 2, 0)) {
            assertTrue(k.allocBytesPerCall() >= 0 && Double.isFinite(k.allocBytesPerCall()), k.toString());
        }
        KernelBench.Sample boxed = new KernelBench.Sample(LifSpec.notebook(Integrator.EXP, 5), Pass.FORWARD, "cpu", 50, 128,
                256, 2, Stats.of(new double[] {1e-3}), 1000, 1e10, 0.5, 2.6e6);
        assertTrue(BenchReport.kernelTable(List.of(boxed)).lines().skip(1).findFirst().orElseThrow().endsWith("2.6 MB"));
        assertEquals(2.6e6, (double) BenchReport.kernelRow(boxed, ENV).get("alloc_bytes_per_call"), 0);
        assertTrue(BenchReport.markdown(ENV, 50, 128, 256, List.of(boxed), List.of()).contains("| 2.6 MB |"));
        assertEquals("0 B", BenchReport.heapBytes(0));
        assertEquals("16.4 KB", BenchReport.heapBytes(16384));
        assertEquals("-", BenchReport.heapBytes(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new KernelBench.Sample(LifSpec.notebook(Integrator.EXP, 5),
                Pass.FORWARD, "cpu", 50, 128, 256, 2, Stats.of(new double[] {1e-3}), 1000, 1e10, 0.5, -1));
    }

    private static final int[] SINK = new int[1];
    private static final byte[][] HEAP = new byte[1][];

    @Test
    void theInCacheRunGivesEveryCpuSampleItsArithmeticTime() {
        List<NeuronSpec> specs = List.of(LifSpec.notebook(Integrator.RK4, 5), IzhSpec.notebook(Integrator.RK2, 1));
        List<KernelBench.Sample> ks = KernelBench.cpu(specs, 4, 2, 64, 2, 1, 2, 0, List.of(Pass.values()), 1e10, true);
        assertEquals(4, ks.size());
        for (KernelBench.Sample k : ks) {
            assertTrue(k.inCacheNsPerNeuronStep() > 0 && Double.isFinite(k.inCacheNsPerNeuronStep()), k.toString());
            assertTrue(k.bound().equals("memory") || k.bound().equals("compute"), k.bound());
            assertTrue(k.fractionOfFloor() > 0, k.toString());
        }
        // Without it (converge's cost runs): NaN.
        assertTrue(Double.isNaN(KernelBench.cpu(specs, 4, 2, 64, 1, 1, 1, 0).get(0).inCacheNsPerNeuronStep()));
    }

    @Test
    void kernelRowDerivesNsPerNeuronStepAndBandwidth() {
        Map<String, Object> r = BenchReport.kernelRow(sample(Pass.FORWARD, 4.0e12), ENV);
        assertEquals(BenchReport.COLUMNS, List.copyOf(r.keySet()));
        assertEquals("kernel", r.get("kind"));
        assertEquals("forward", r.get("pass"));
        assertEquals(1.0, (double) r.get("median_ms"), 1e-12);
        assertEquals(1e6 / (50.0 * 128 * 256), (double) r.get("ns_per_neuron_step"), 1e-12);
        assertEquals(19_660_800L, r.get("bytes_per_call"));
        assertEquals(19.6608, (double) r.get("gb_per_s"), 1e-9);
        assertEquals(4000.0, (double) r.get("peak_gb_per_s"), 1e-9);
        assertEquals(100 * 19.6608 / 4000, (double) r.get("pct_of_peak"), 1e-9);
        assertEquals(ENV.commit(), r.get("commit"));
        // No peak (CPU): no share of it, null in JSON and empty in CSV.
        Map<String, Object> cpu = BenchReport.kernelRow(sample(Pass.BACKWARD, Double.NaN), ENV);
        assertNull(cpu.get("peak_gb_per_s"));
        assertTrue(dev.spikestep.io.ResultsWriter.json(cpu).contains("\"pct_of_peak\":null"));
    }

    @Test
    void csvHasTheHeaderOnceAndQuotesTheDevice() throws Exception {
        List<Map<String, Object>> rows = List.of(BenchReport.kernelRow(sample(Pass.FORWARD, Double.NaN), ENV),
                BenchReport.kernelRow(sample(Pass.BACKWARD, Double.NaN), ENV));
        BenchReport.append(dir, rows);
        BenchReport.append(dir, rows);
        List<String> lines = Files.readAllLines(dir.resolve("bench.csv"));
        assertEquals(5, lines.size());
        assertEquals(BenchReport.csvHeader(), lines.get(0));
        assertTrue(lines.get(0).startsWith("kind,backend,model,integrator,substeps,dt,T,batch,neurons,pass,"), lines.get(0));
        assertTrue(lines.get(0).contains(",commit,"), lines.get(0));
        String row = lines.get(1);
        // the backend column is the environment's (ENV: cpu), not the sample's
        assertTrue(row.startsWith("kernel,cpu,lif,exp,1,5,50,128,256,forward,0,3,1,"), row);
        // The device has a comma and quotes: one quoted field with doubled quotes.
        assertTrue(row.contains(",\"Test \"\"CPU\"\", 2 threads\",,JVM 17,2,scalar,0123456789abcdef0123456789abcdef01234567,"), row);
        // Empty cells for the unknown peak and its share (19.6608 GB/s, then peak, pct, share, samples/s, s/epoch).
        assertTrue(row.contains(",19.6608,,,,,,"), row);
        assertEquals(dev.spikestep.io.ResultsWriter.csv(BenchReport.csvCells(rows.get(0))), row);
        List<String> json = Files.readAllLines(dir.resolve("bench.jsonl"));
        assertEquals(4, json.size());
        assertTrue(json.get(0).startsWith("{\"kind\":\"kernel\",\"backend\":\"cpu\",\"model\":\"lif\""), json.get(0));
        assertTrue(json.get(0).contains("\"commit\":\"0123456789abcdef0123456789abcdef01234567\""), json.get(0));
        assertTrue(json.get(0).contains("\"device\":\"Test \\\"CPU\\\", 2 threads\""), json.get(0));
    }

    @Test
    void appendingToABenchCsvWithOtherColumnsIsRefused() throws Exception {
        Files.writeString(dir.resolve("bench.csv"), "a,b\n1,2\n");
        assertThrows(SpikestepException.class,
                () -> BenchReport.append(dir, List.of(BenchReport.kernelRow(sample(Pass.FORWARD, 1e12), ENV))));
    }


    @Test
    void tinyCpuKernelBenchHasARowForEveryNeuronIntegratorAndPass() throws Exception {
        List<NeuronSpec> specs = allSpecs();
        List<KernelBench.Sample> ks = KernelBench.cpu(specs, 4, 2, 64, 1, 1, 3, 0);
        assertEquals(specs.size() * 2, ks.size());
        for (int i = 0; i < ks.size(); i++) {
            KernelBench.Sample k = ks.get(i);
            assertEquals(specs.get(i / 2), k.neuron());
            assertEquals(Pass.values()[i % 2], k.pass());
            assertEquals(3, k.seconds().n());
            assertEquals(4L * 2 * 64, k.neuronSteps());
            assertEquals(Traffic.bytesPerCall(k.pass(), 1, 4, 128), k.bytesPerCall());
            assertTrue(k.seconds().min() > 0 && k.nsPerNeuronStep() > 0);
            assertTrue(Double.isNaN(k.peakBytesPerSecond()));
        }
        List<Map<String, Object>> rows = ks.stream().map(k -> BenchReport.kernelRow(k, ENV)).toList();
        List<Path> files = BenchReport.write(dir, ENV, 4, 2, 64, ks, List.of(), rows);
        assertEquals(1 + 10, Files.readAllLines(dir.resolve("bench.csv")).size());
        assertPng(dir.resolve("kernels.png"));
        assertTrue(Files.size(dir.resolve("kernels.svg")) > 0);
        assertTrue(files.contains(dir.resolve("summary.md")));
        String md = Files.readString(dir.resolve("summary.md"));
        assertTrue(md.contains("| izh/symplectic | backward |"), md);
        assertTrue(md.contains("- commit: " + ENV.commit()), md);
        String table = BenchReport.kernelTable(ks);
        assertEquals(1 + 10, table.lines().count());
        // no peak on the CPU, so no floor; the heap per call counted ("12.3 KB": two fields)
        assertTrue(table.lines().skip(1).map(l -> l.trim().split(" +"))
                .allMatch(f -> f[f.length - 3].equals("-") && f[f.length - 1].endsWith("B")), table);
    }

    @Test
    void tinyTrainingStepIsBrokenDownIntoEveryPhase() throws Exception {
        int n = 8;
        byte[] images = new byte[n * 64];
        byte[] labels = new byte[n];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < images.length; i++) {
            images[i] = (byte) rnd.nextInt(256);
        }
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
        }
        Dataset train = new Dataset("synthetic", 8, 8, 10, images, labels);
        TrainBench.Result r = TrainBench.run(train, IzhSpec.notebook(Integrator.SYMPLECTIC, 1), 4, 2, 16, 1, 1, 3, 0);
        List<String> phases = Arrays.stream(PhaseTimes.Phase.values()).map(PhaseTimes.Phase::label).toList();
        assertEquals(phases, List.copyOf(r.phaseSeconds().keySet()));
        assertEquals(3, r.step().n());
        double shares = phases.stream().mapToDouble(r::share).sum();
        assertTrue(shares > 0 && shares <= 1.0 + 1e-9, "phases are parts of the step: " + shares);
        List<Map<String, Object>> rows = BenchReport.stepRows(r, ENV);
        assertEquals(1 + phases.size(), rows.size());
        assertEquals("step", rows.get(0).get("kind"));
        assertEquals(16, rows.get(0).get("neurons"));
        assertEquals((60_000 / 2) * r.step().median(), (double) rows.get(0).get("s_per_60k_epoch"), 1e-9);
        for (int i = 0; i < phases.size(); i++) {
            assertEquals("phase", rows.get(i + 1).get("kind"));
            assertEquals(phases.get(i), rows.get(i + 1).get("pass"));
        }
        BenchReport.write(dir, ENV, 4, 2, 16, List.of(), List.of(r), rows);
        assertPng(dir.resolve("step-phases.png"));
        String table = BenchReport.stepTable(List.of(r));
        assertTrue(table.contains("izh/symplectic") && table.contains("neuron backward"), table);
        if (KernelBench.allocatedBytes() >= 0) {
            // a step's scratch at least (the encoder's bitmasks, the neuron rows): counted, and in every table
            assertTrue(r.allocBytesPerStep() > 0 && Double.isFinite(r.allocBytesPerStep()), "heap per step " + r.allocBytesPerStep());
            assertEquals(r.allocBytesPerStep(), (double) rows.get(0).get("alloc_bytes_per_call"), 0);
            String heap = BenchReport.heapBytes(r.allocBytesPerStep());
            assertTrue(table.lines().skip(1).findFirst().orElseThrow().endsWith(heap), table);
            assertTrue(Files.readString(dir.resolve("summary.md")).contains("| " + heap + " |"));
        }
        assertThrows(IllegalArgumentException.class, () -> new TrainBench.Result(r.neuron(), "cpu", 4, 2, 16, 1, r.stepSeconds(),
                r.phaseSeconds(), null, -1));
    }

    @Test
    void badSizesAreUserErrors() {
        assertThrows(SpikestepException.class, () -> KernelBench.checkShape(0, 2, 2, 1, 1));
        assertThrows(SpikestepException.class, () -> KernelBench.checkShape(2000, 1024, 4096, 1, 1));
        assertThrows(SpikestepException.class, () -> KernelBench.checkShape(4, 2, 2, 1, 0));
        assertThrows(SpikestepException.class, () -> KernelBench.checkShape(4, 2, 2, -1, 1));
    }

    static void assertPng(Path p) throws Exception {
        byte[] b = Files.readAllBytes(p);
        assertTrue(b.length > 1000, p + " has " + b.length + " bytes");
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(b, 4));
    }
}
