package dev.spikestep.bench;

import dev.spikestep.net.PhaseTimes;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/**
 * The bench charts (XChart). Apart from {@link BenchReport} so that a runtime without the
 * {@code java.desktop} module (a trimmed jlink image carried to a GPU machine) can still write the
 * rows and the summary: this class is loaded only when charts are drawn.
 */
final class BenchCharts {
    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127),
        new Color(188, 189, 34)};

    private BenchCharts() {
    }

    /** ns per neuron-step by integrator, forward and backward stacked. */
    static CategoryChart kernelChart(List<KernelBench.Sample> ks, BenchReport.Env env, int T, int batch, int neurons) {
        CategoryChart c = new CategoryChartBuilder().width(900).height(520)
                .title(String.format(Locale.ROOT, "Fused neuron kernels, %s, T x B x N = %d x %d x %d", env.backend(), T,
                        batch, neurons))
                .xAxisTitle("model/integrator").yAxisTitle("ns per neuron-step (median)").build();
        style(c.getStyler());
        c.getStyler().setStacked(true);
        List<String> names = new ArrayList<>();
        for (KernelBench.Sample k : ks) {
            if (!names.contains(BenchReport.name(k.neuron()))) {
                names.add(BenchReport.name(k.neuron()));
            }
        }
        int color = 0;
        for (Traffic.Pass pass : Traffic.Pass.values()) {
            List<Double> v = new ArrayList<>();
            for (String n : names) {
                v.add(ks.stream().filter(k -> k.pass() == pass && BenchReport.name(k.neuron()).equals(n))
                        .mapToDouble(KernelBench.Sample::nsPerNeuronStep).findFirst().orElse(0));
            }
            CategorySeries s = c.addSeries(pass.label(), names, v);
            s.setFillColor(PALETTE[color++]);
        }
        return c;
    }

    /** ms per training step by model/integrator, stacked by phase (mean per step). */
    static CategoryChart stepChart(List<TrainBench.Result> rs, BenchReport.Env env, int T, int batch) {
        CategoryChart c = new CategoryChartBuilder().width(900).height(520)
                .title(String.format(Locale.ROOT, "Training step by phase, %s, T %d, batch %d", env.backend(), T, batch))
                .xAxisTitle("model/integrator").yAxisTitle("ms per step (mean)").build();
        style(c.getStyler());
        c.getStyler().setStacked(true);
        List<String> names = rs.stream().map(r -> BenchReport.name(r.neuron())).toList();
        int color = 0;
        for (PhaseTimes.Phase p : PhaseTimes.Phase.values()) {
            List<Double> v = rs.stream().map(r -> 1e3 * r.phase(p.label()).mean()).toList();
            CategorySeries s = c.addSeries(p.label(), names, v);
            s.setFillColor(PALETTE[color++ % PALETTE.length]);
        }
        return c;
    }

    static dev.spikestep.io.ChartFiles.Drawn draw(Chart<?, ?> chart, Path stem) {
        return dev.spikestep.io.ChartFiles.draw(chart, stem);
    }

    private static void style(Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setChartTitleFont(s.getChartTitleFont().deriveFont(16f));
        s.setLegendFont(s.getLegendFont().deriveFont(12f));
        s.setAntiAlias(true);
        if (s instanceof org.knowm.xchart.style.AxesChartStyler a) {
            a.setPlotGridLinesVisible(true);
        }
    }
}
