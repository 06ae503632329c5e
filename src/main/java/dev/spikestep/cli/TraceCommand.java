package dev.spikestep.cli;

import dev.spikestep.SpikestepException;
import dev.spikestep.io.AtomicFiles;
import dev.spikestep.neuron.NeuronKernels;
import dev.spikestep.neuron.NeuronSpec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "trace", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Trace one neuron population over given input currents (states, spikes, gradients) as CSV.",
        description = {
            "Runs one neuron population over given input currents and writes every state, to check the "
                + "dynamics against another simulator. Input x.csv: T rows of N comma-separated currents, "
                + "no header. Output CSV: t,n,x,h,v,w,spike[,grad_x], one row per (t, n): h the potential "
                + "before reset, v after reset, w the izh recovery variable after the step (0 for lif). "
                + "With --grad g.csv (same shape as x), grad_x = dL/dx for L = sum g*spike by surrogate BPTT "
                + "(SPEC section 4). Parameters default to the notebook's values.", ""},
        footer = {"", "Example:",
            "  spikestep trace --neuron izh --integrator symplectic --dt 1 \\",
            "      --input x.csv --grad g.csv --output trace.csv"})
public final class TraceCommand implements Callable<Integer> {
    // --model as in train, eval and bench; --neuron, its first name, stays for the scripts that use it
    @Option(names = {"--neuron", "--model"}, paramLabel = "lif|izh", required = true, description = "Neuron model.")
    String model;

    @Mixin
    NeuronOptions.Single neuron;

    @Option(names = "--input", paramLabel = "x.csv", required = true, description = "Input currents, T rows x N columns.")
    Path input;

    @Option(names = "--grad", paramLabel = "g.csv", description = "Loss weights on the spikes, same shape as the input.")
    Path grad;

    @Option(names = "--output", paramLabel = "out.csv", required = true, description = "Where to write the trace.")
    Path output;

    @Override
    public Integer call() {
        NeuronSpec spec = neuron.build("neuron", model);
        for (Path in : grad == null ? List.of(input) : List.of(input, grad)) {
            if (sameFile(in, output)) {
                throw new SpikestepException("--output " + output + " is also an input (" + in
                        + "); write the trace to another file");
            }
        }
        float[][] x = readMatrix(input);
        int T = x.length;
        int N = x[0].length;
        float[] x_seq = flatten(x);
        float[] h_seq = new float[T * N];
        float[] v_seq = new float[T * N];
        float[] w_seq = new float[T * N];
        byte[] spike_seq = new byte[T * N];
        NeuronKernels.forward(spec, x_seq, T, N, h_seq, spike_seq, v_seq, w_seq);
        float[] grad_x = null;
        if (grad != null) {
            float[][] g = readMatrix(grad);
            if (g.length != T || g[0].length != N) {
                throw new SpikestepException(grad + " is " + g.length + " x " + g[0].length + " but " + input
                        + " is " + T + " x " + N + ": they must have the same shape");
            }
            grad_x = new float[T * N];
            NeuronKernels.backward(spec, flatten(g), x_seq, h_seq, spike_seq, w_seq, T, N, grad_x);
        }
        write(T, N, x_seq, h_seq, v_seq, w_seq, spike_seq, grad_x);
        System.err.println("trace: " + spec.model() + " " + spec.integrator().cliName() + " dt " + spec.dt()
                + (spec.substeps() > 1 ? " x" + spec.substeps() + " sub-steps" : "") + ", "
                + T + " steps x " + N + " neurons -> " + output);
        return 0;
    }

    private void write(int T, int N, float[] x, float[] h, float[] v, float[] w, byte[] s, float[] gx) {
        try {
            // whole or not at all: an interrupted trace leaves no half-written CSV under --output, and the
            // temporary file a killed one left beside it goes now (only --output's: the folder may be anyone's)
            AtomicFiles.removeOrphansOf(output);
            AtomicFiles.write(output, stream -> {
                BufferedWriter out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
                out.write(gx == null ? "t,n,x,h,v,w,spike\n" : "t,n,x,h,v,w,spike,grad_x\n");
                for (int t = 0; t < T; t++) {
                    for (int n = 0; n < N; n++) {
                        int i = t * N + n;
                        out.write(t + "," + n + "," + num(x[i]) + "," + num(h[i]) + "," + num(v[i]) + "," + num(w[i])
                                + "," + s[i] + (gx == null ? "" : "," + num(gx[i])) + "\n");
                    }
                }
                out.flush();
            });
        } catch (IOException e) {
            throw new SpikestepException("cannot write " + output + ": " + SpikestepException.reason(e), e);
        }
    }

    /** Whether two paths name one file (through links and relative spellings); false when either is absent. */
    static boolean sameFile(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** Shortest decimal that reads back as the same float; nan/inf spelled as numpy and pandas read them. */
    static String num(float f) {
        if (Float.isNaN(f)) {
            return "nan";
        }
        if (Float.isInfinite(f)) {
            return f > 0 ? "inf" : "-inf";
        }
        return Float.toString(f);
    }

    static float[][] readMatrix(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SpikestepException("input file not found: " + file);
        } catch (IOException e) {
            throw new SpikestepException("cannot read " + file + ": " + SpikestepException.reason(e), e);
        }
        List<float[]> rows = new ArrayList<>();
        int width = -1;
        int end = lines.size(); // blank lines at the end are the file's end; one inside would drop a step
        while (end > 0 && lines.get(end - 1).isBlank()) {
            end--;
        }
        for (int ln = 0; ln < end; ln++) {
            String line = (ln == 0 ? stripBom(lines.get(0)) : lines.get(ln)).strip();
            if (line.isEmpty()) {
                throw new SpikestepException(file + " line " + (ln + 1) + " is empty: every line is one step (write a "
                        + "missing value as nan, e.g. pandas' to_csv(na_rep='nan'))");
            }
            String[] cells = line.split(",", -1);
            if (width >= 0 && cells.length != width) {
                throw new SpikestepException(file + " line " + (ln + 1) + " has " + cells.length + " values, expected "
                        + width + " like the lines before it");
            }
            width = cells.length;
            float[] row = new float[width];
            for (int c = 0; c < width; c++) {
                String cell = cells[c].strip();
                try {
                    row[c] = parseCell(cell);
                } catch (NumberFormatException e) {
                    throw new SpikestepException(file + " line " + (ln + 1) + " column " + (c + 1) + ": '" + cell + "' is "
                            + e.getMessage() + (ln == 0 && e.getMessage().equals("not a number")
                                ? " (the file must have no header)" : ""));
                }
            }
            rows.add(row);
        }
        if (rows.isEmpty()) {
            throw new SpikestepException(file + " is empty: expected T rows of N comma-separated numbers");
        }
        return rows.toArray(new float[0][]);
    }

    /** A UTF-8 byte-order mark some editors put first (Excel's "CSV UTF-8") is not part of the number. */
    private static String stripBom(String line) {
        return line.startsWith("\uFEFF") ? line.substring(1) : line;
    }

    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[-+]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?");

    /**
     * One CSV value: a decimal number, or nan / inf / -inf as numpy, pandas and this command's output
     * spell them (any case; Java's NaN and Infinity too). Anything else, and a decimal past float range,
     * throws with the reason: Float.parseFloat alone would take 0x1p3 or 2f, turn 1e999 into inf and
     * refuse the nan and inf that trace itself writes.
     */
    static float parseCell(String s) {
        String l = s.toLowerCase(java.util.Locale.ROOT);
        String unsigned = l.startsWith("+") || l.startsWith("-") ? l.substring(1) : l;
        if (unsigned.equals("nan")) {
            return Float.NaN;
        }
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            return l.startsWith("-") ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
        }
        if (!DECIMAL.matcher(s).matches()) {
            throw new NumberFormatException("not a number");
        }
        float f = Float.parseFloat(s);
        if (Float.isInfinite(f)) {
            throw new NumberFormatException("beyond float range (write inf if that is meant)");
        }
        return f;
    }

    private static float[] flatten(float[][] m) {
        int N = m[0].length;
        float[] f = new float[m.length * N];
        for (int t = 0; t < m.length; t++) {
            System.arraycopy(m[t], 0, f, t * N, N);
        }
        return f;
    }
}
