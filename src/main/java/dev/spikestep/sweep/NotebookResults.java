package dev.spikestep.sweep;

import dev.spikestep.io.Json;
import java.util.Map;

/**
 * The notebook's published test accuracies (SPEC section 8: full MNIST, one GPU, 10 epochs, T 50),
 * drawn beside a sweep's where a point has the same model, integrator, dt, T and readout.
 */
final class NotebookResults {
    static final String SOURCE = "the notebook (SPEC.md section 8: full MNIST, 10 epochs, T 50)";

    private NotebookResults() {
    }

    /** Accuracy range [min, max] in %, keyed by {@code model/integrator/readout/dt}. */
    private static final Map<String, double[]> ACC = Map.ofEntries(
            Map.entry("izh/euler/last/0.05", new double[] {52.4, 52.4}),
            Map.entry("izh/euler/last/0.1", new double[] {66.7, 66.7}),
            Map.entry("izh/euler/last/0.5", new double[] {89.4, 89.4}),
            Map.entry("izh/euler/last/1", new double[] {93.1, 93.1}),
            Map.entry("izh/euler/last/2", new double[] {91.4, 91.4}),
            Map.entry("izh/euler/last/5", new double[] {9.8, 9.8}),
            Map.entry("izh/euler/max/5", new double[] {9.5, 9.5}),
            Map.entry("izh/symplectic/max/5", new double[] {74.9, 80.5}),
            Map.entry("lif/euler/max/5", new double[] {65.2, 74.0}),
            Map.entry("lif/exp/max/5", new double[] {97.0, 97.2}),
            Map.entry("izh/euler/mean/5", new double[] {9.5, 9.5}),
            Map.entry("izh/symplectic/mean/5", new double[] {33.1, 45.6}),
            Map.entry("lif/euler/mean/5", new double[] {72.5, 77.5}),
            Map.entry("lif/exp/mean/5", new double[] {96.95, 97.33}));

    /** The notebook's accuracy range for a run's setting, or null where it published none. */
    static double[] accuracy(Map<String, Object> run) {
        // Only what the notebook ran: T 50, one charge per step, trained and evaluated alike (a transfer
        // cell is evaluated under other dynamics than its training keys say).
        if (!"50".equals(Report.fmt(run.get("T"))) || "transfer".equals(run.get("experiment"))
                || (run.get("substeps") != null && !"1".equals(Report.fmt(run.get("substeps"))))) {
            return null;
        }
        return ACC.get(run.get("model") + "/" + run.get("integrator") + "/" + run.get("readout") + "/"
                + Json.exact(Report.num(run.get("dt"))));
    }
}
